import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { TransientDataApiError } from '../src/redshift/data-api';
import { pauseCluster } from '../src/redshift/warehouse';

export class PauseFailedError extends Error {
  override name = 'PauseFailed';
}

/**
 * Pauses the cluster this run resumed, after the load (the state machine calls it only then). A failure
 * is reported as PauseFailed, which the state machine notifies: a cluster left running costs money.
 */
export const handler = lambdaHandler('pauseWarehouse', async (): Promise<{ status: string }> => {
  const { config, warehouse } = getRuntime();
  if (config.target.kind !== 'cluster') throw new PauseFailedError('Only a provisioned cluster can be paused; a serverless workgroup bills only while it runs queries');
  try {
    const status = await pauseCluster(warehouse, config.target.clusterId);
    logger.info('Cluster paused', { clusterId: config.target.clusterId, status });
    return { status };
  } catch (error) {
    if (error instanceof TransientDataApiError) throw error; // the state machine retries it
    throw new PauseFailedError(`Could not pause cluster ${config.target.clusterId} after the load: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
});
