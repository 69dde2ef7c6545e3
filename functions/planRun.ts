import { z } from 'zod';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { parseInput, planRun, type Load, type RunPlan } from '../src/pipeline/run-input';

/** The execution input, and the execution id that names the run's tables ($$.Execution.Id). */
const planEventSchema = z.strictObject({ input: z.unknown(), executionId: z.string().min(1) });

/** The state the run goes on with: its plan, its loads, and the warehouse slot EnsureWarehouse fills. */
export const handler = lambdaHandler('planRun', async (event: unknown): Promise<{ plan: RunPlan; loads: Load[]; warehouse: null }> => {
  const { input, executionId } = parseInput(planEventSchema, event, 'planRun input');
  const compactionConfigured = getRuntime().config.s3.compactedSongs !== undefined;
  const planned = planRun(input, executionId, { compactionConfigured });
  logger.info('Run planned', { ...planned.plan, loads: planned.loads.length });
  return { ...planned, warehouse: null };
});
