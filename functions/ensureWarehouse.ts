import { z } from 'zod';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { parseInput } from '../src/pipeline/run-input';
import { ensureWarehouse, type WarehouseProgress } from '../src/pipeline/warehouse-readiness';

/** Nothing on the first call; then what the previous call returned. */
const ensureEventSchema = z.strictObject({
  warehouse: z.object({
    status: z.string(), ready: z.boolean(), resumedByRun: z.boolean(), pauseAfterLoad: z.boolean(),
    waitSeconds: z.number().nonnegative(), since: z.number().int().nonnegative(),
  }).nullish(),
});

/** Is the warehouse up? Resumes a paused cluster; the state machine waits and asks again until ready. */
export const handler = lambdaHandler('ensureWarehouse', async (event: unknown): Promise<WarehouseProgress> => {
  const { warehouse } = parseInput(ensureEventSchema, event, 'ensureWarehouse input');
  const { config, warehouse: clients } = getRuntime();
  const progress = await ensureWarehouse(clients, config, warehouse ?? undefined);
  logger.info('Warehouse checked', { ...progress });
  return progress;
});
