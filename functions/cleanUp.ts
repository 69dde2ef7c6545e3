import { z } from 'zod';
import { submitStatement } from '../src/redshift/data-api';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { loadSchema, parseInput, runPlanSchema } from '../src/pipeline/run-input';
import { cleanUpSubmission } from '../src/pipeline/stages';

/** A load whose tables are left (it failed), or a run whose own tables are (it ended); no plan: nothing to drop. */
const cleanUpEventSchema = z.strictObject({ plan: runPlanSchema.nullable(), load: loadSchema.optional() });

/**
 * Drops the tables a load or a run worked in. It submits and returns without waiting: the DROP holds no
 * result anyone needs, and a failed one only leaves tables whose names say which run left them.
 */
export const handler = lambdaHandler('cleanUp', async (event: unknown): Promise<{ statementId: string | null }> => {
  const { plan, load } = parseInput(cleanUpEventSchema, event, 'cleanUp input');
  if (!plan) return { statementId: null };
  const { config, client } = getRuntime();
  const statementId = await submitStatement(client, config.target, cleanUpSubmission({ plan, load }));
  logger.info('Clean-up submitted', { runId: plan.runId, day: load?.day, statementId });
  return { statementId };
});
