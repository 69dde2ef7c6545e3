import { z } from 'zod';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { pollStatement, POLL_WAIT, type StatementProgress } from '../src/pipeline/poll';
import { parseInput } from '../src/pipeline/run-input';

/** The state machine's $.statement, as a stage or the previous poll left it. */
const pollEventSchema = z.object({
  stage: z.string().min(1),
  statementId: z.string().min(1),
  waitSeconds: z.number().nonnegative().default(POLL_WAIT.initialSeconds),
});

export const handler = lambdaHandler('pollStatement', async (event: unknown): Promise<StatementProgress> => {
  const { stage, statementId, waitSeconds } = parseInput(pollEventSchema, event, 'pollStatement input');
  const progress = await pollStatement(getRuntime().client, stage, statementId, waitSeconds);
  logger.info('Statement polled', { ...progress });
  return progress;
});
