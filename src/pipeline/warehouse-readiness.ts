/**
 * Makes sure the warehouse can take statements before a load: a paused cluster is resumed, one that is
 * resuming, modifying, creating (or still pausing) is waited for with the same growing waits as a
 * statement, anything else fails naming its state. A serverless workgroup must be AVAILABLE.
 */
import type { PipelineConfig } from './config';
import { nextWaitSeconds, POLL_WAIT } from './poll';
import { resumeCluster, warehouseStatus, type WarehouseClients } from '../redshift/warehouse';

/** What EnsureWarehouse returns each time; the state machine keeps it at $.warehouse. */
export interface WarehouseProgress {
  status: string;
  ready: boolean;
  /** This run resumed the cluster, so it may pause it again after the load. */
  resumedByRun: boolean;
  /** Pause after the load: configured (PAUSE_AFTER_LOAD), and this run resumed the cluster. */
  pauseAfterLoad: boolean;
  waitSeconds: number;
  /** When the run started to wait for the warehouse (epoch ms): the wait has a budget. */
  since: number;
}

export class WarehouseUnavailableError extends Error {
  override name = 'WarehouseUnavailable';
}

/** Cluster states that end by themselves; a pausing cluster is resumed once it is paused. */
const PASSING_CLUSTER_STATES = new Set(['resuming', 'modifying', 'creating', 'pausing']);

export async function ensureWarehouse(clients: WarehouseClients, config: PipelineConfig, previous?: WarehouseProgress): Promise<WarehouseProgress> {
  const { target } = config;
  const since = previous?.since ?? Date.now();
  let resumedByRun = previous?.resumedByRun ?? false;
  let status = await warehouseStatus(clients, target);
  let ready = false;
  if (target.kind === 'workgroup') {
    if (status !== 'AVAILABLE') throw new WarehouseUnavailableError(`Workgroup ${target.workgroup} is ${status}; a load needs it AVAILABLE`);
    ready = true;
  } else if (status === 'available') {
    ready = true;
  } else if (status === 'paused') {
    status = await resumeCluster(clients, target.clusterId);
    resumedByRun = true;
  } else if (!PASSING_CLUSTER_STATES.has(status)) {
    throw new WarehouseUnavailableError(`Cluster ${target.clusterId} is ${status}; a load needs it available, or paused to resume it`);
  }
  const waitedSeconds = Math.round((Date.now() - since) / 1000);
  if (!ready && waitedSeconds > config.budgets.warehouseSeconds) {
    throw new WarehouseUnavailableError(
      `Cluster ${target.kind === 'cluster' ? target.clusterId : target.workgroup} is still ${status} after ${waitedSeconds} s, ` +
      `over the ${config.budgets.warehouseSeconds} s allowed (WAREHOUSE_TIMEOUT_SECONDS)`);
  }
  return {
    status,
    ready,
    resumedByRun,
    pauseAfterLoad: config.pauseAfterLoad && resumedByRun,
    waitSeconds: ready ? 0 : nextWaitSeconds(previous?.waitSeconds ?? POLL_WAIT.initialSeconds / POLL_WAIT.factor),
    since,
  };
}
