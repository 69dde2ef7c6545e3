import { z } from 'zod';
import { submitStatement } from '../src/redshift/data-api';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import {
  conflictBackoffSeconds, MAX_STATEMENT_ATTEMPTS, pollStatement, POLL_WAIT, StatementConflictError, submitted, type StatementProgress,
} from '../src/pipeline/poll';
import { loadSchema, parseInput, runPlanSchema } from '../src/pipeline/run-input';
import { budgetOf, STAGES, stageSubmission } from '../src/pipeline/stages';

/** The state machine's $.statement as a stage or the previous poll left it, and the run it belongs to. */
const pollEventSchema = z.strictObject({
  statement: z.object({
    stage: z.enum(STAGES),
    statementId: z.string().min(1),
    waitSeconds: z.number().nonnegative().default(POLL_WAIT.initialSeconds),
    status: z.string().default('SUBMITTED'),
    resultRows: z.number().nullable().default(null),
    copiedRows: z.number().nullable().default(null),
    attempt: z.number().int().min(1).default(1),
    submittedAt: z.number().int().nonnegative(),
  }),
  plan: runPlanSchema,
  load: loadSchema.optional(),
});

/**
 * Polls the stage's statement, cancelling it once its budget is spent. A statement that failed with a
 * serialization conflict (1023) is submitted again after a growing wait, up to MAX_STATEMENT_ATTEMPTS
 * submissions: every stage's SQL can be rerun, and each submission has its own ClientToken.
 */
export const handler = lambdaHandler('pollStatement', async (event: unknown): Promise<StatementProgress> => {
  const { statement, plan, load } = parseInput(pollEventSchema, event, 'pollStatement input');
  const { stage, statementId, attempt } = statement;
  const { config, client } = getRuntime();
  try {
    const progress = await pollStatement(client, statement, budgetOf(stage, config));
    logger.info('Statement polled', { ...progress });
    return progress;
  } catch (error) {
    if (!(error instanceof StatementConflictError) || attempt >= MAX_STATEMENT_ATTEMPTS) throw error;
    const resubmitted = await submitStatement(client, config.target, stageSubmission(stage, config, { plan, load }, attempt + 1));
    const next = attempt + 1;
    logger.warn('Statement conflicted; submitted again', { stage, statementId, resubmitted, attempt: next, cause: error.message });
    return submitted(stage, resubmitted, next, conflictBackoffSeconds(next));
  }
});
