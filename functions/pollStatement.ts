import { z } from 'zod';
import { submitStatement } from '../src/redshift/data-api';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import {
  conflictBackoffSeconds, MAX_STATEMENT_ATTEMPTS, pollStatement, POLL_WAIT, StatementConflictError, type StatementProgress,
} from '../src/pipeline/poll';
import { loadSchema, parseInput, runPlanSchema } from '../src/pipeline/run-input';
import { STAGES, stageSubmission } from '../src/pipeline/stages';

/** The state machine's $.statement as a stage or the previous poll left it, and the run it belongs to. */
const pollEventSchema = z.strictObject({
  statement: z.object({
    stage: z.enum(STAGES),
    statementId: z.string().min(1),
    waitSeconds: z.number().nonnegative().default(POLL_WAIT.initialSeconds),
    attempt: z.number().int().min(1).default(1),
  }),
  plan: runPlanSchema,
  load: loadSchema.optional(),
});

/**
 * Polls the stage's statement. A statement that failed with a serialization conflict (1023) is submitted
 * again after a growing wait, up to MAX_STATEMENT_ATTEMPTS submissions: every stage's SQL can be rerun.
 */
export const handler = lambdaHandler('pollStatement', async (event: unknown): Promise<StatementProgress> => {
  const { statement, plan, load } = parseInput(pollEventSchema, event, 'pollStatement input');
  const { stage, statementId, waitSeconds, attempt } = statement;
  const { config, client } = getRuntime();
  try {
    const progress = await pollStatement(client, stage, statementId, waitSeconds, attempt);
    logger.info('Statement polled', { ...progress });
    return progress;
  } catch (error) {
    if (!(error instanceof StatementConflictError) || attempt >= MAX_STATEMENT_ATTEMPTS) throw error;
    const resubmitted = await submitStatement(client, config.target, stageSubmission(stage, config, { plan, load }));
    const next = attempt + 1;
    logger.warn('Statement conflicted; submitted again', { stage, statementId, resubmitted, attempt: next, cause: error.message });
    return { stage, statementId: resubmitted, status: 'SUBMITTED', resultRows: null, waitSeconds: conflictBackoffSeconds(next), attempt: next };
  }
});
