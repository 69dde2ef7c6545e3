import { z } from 'zod';
import { TransientDataApiError } from '../src/redshift/data-api';
import { pauseCluster } from '../src/redshift/warehouse';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { parseInput } from '../src/pipeline/run-input';

export class PauseFailedError extends Error {
  override name = 'PauseFailed';
}

/** After a failed run, the error it failed with: a failed pause then reports both. */
const pauseEventSchema = z.strictObject({ runError: z.object({ Error: z.string(), Cause: z.string() }).optional() });

/**
 * Pauses the cluster this run resumed, after the load, whether it succeeded or failed (the state machine
 * calls it only then). A failure is PauseFailed, which the state machine notifies: a cluster left running
 * costs money.
 */
export const handler = lambdaHandler('pauseWarehouse', async (event: unknown): Promise<{ status: string }> => {
  const { runError } = parseInput(pauseEventSchema, event, 'pauseWarehouse input');
  const { config, warehouse } = getRuntime();
  const after = runError ? `after the failed run (${runError.Error}: ${runError.Cause})` : 'after the load, which succeeded';
  try {
    if (config.target.kind !== 'cluster') throw new Error('only a provisioned cluster can be paused');
    const status = await pauseCluster(warehouse, config.target.clusterId);
    logger.info('Cluster paused', { clusterId: config.target.clusterId, status });
    return { status };
  } catch (error) {
    if (error instanceof TransientDataApiError) throw error; // the state machine retries it
    const target = config.target.kind === 'cluster' ? `cluster ${config.target.clusterId}` : `workgroup ${config.target.workgroup}`;
    throw new PauseFailedError(`Could not pause ${target} ${after}: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
});
