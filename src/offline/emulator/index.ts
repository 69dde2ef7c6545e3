/**
 * A local Redshift Data API: start it in-process and point any Data API client at `endpoint`. The same
 * endpoint answers the Redshift control plane (awsQuery), Redshift Serverless GetWorkgroup, and a minimal
 * S3 API (path-style) over the folder standing for S3.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureLoadErrorTables } from '../copy';
import { createEngine, withEngineSession, type EngineKind } from '../engines';
import { FolderObjectStore } from '../s3/object-store';
import { handleAwsQuery, isAwsQueryRequest } from './aws-query';
import { ControlPlane, serverlessOperations, withClusterAvailability, type ControlPlaneOptions } from './control-plane';
import { faultControlOperations, Faults, withFaults, type FaultPlan } from './faults';
import { Metadata } from './metadata';
import { DataApi } from './operations';
import { KeptResults } from './results';
import { s3Protocol } from './s3-api';
import { createDataApiServer, type Operations } from './server';
import { StatementRunner } from './statements';

export { RESULT_TOO_LARGE, MAX_RESULT_BYTES } from './results';
export { parseFaultPlan, type FaultPlan } from './faults';
export { DEFAULT_TRANSITION_MS, OFFLINE_WORKGROUP, type ClusterStatus, type ControlPlaneOptions } from './control-plane';

/** The Error of a statement that had not ended when the emulator restarted (PostgreSQL's text for it). */
export const RESTART_ERROR = 'FATAL: terminating connection due to administrator command';
const DEFAULT_KEPT_RESULT_BYTES = 256 * 1024 * 1024;

export interface EmulatorOptions {
  /** 'pglite' (default): embedded, nothing to install; 'postgres': a server at `databaseUrl`. */
  engine?: EngineKind;
  databaseUrl?: string;
  /** pglite: keep the warehouse in this directory between runs (in memory without it). */
  dataDir?: string;
  /** The folder standing for S3: its first-level folders are buckets. */
  s3Root?: string;
  /** Buckets mounted from any folder, by bucket name. */
  buckets?: Record<string, string>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The one database the warehouse serves; default 'dev', Redshift's default. */
  database?: string;
  /** Faults armed from the start (see docs/emulator.md#fault-injection). */
  faults?: FaultPlan;
  /** Kept results hold at most this many bytes (default 256 MB); the oldest are evicted first. */
  keptResultBytes?: number;
  /** The cluster the emulator starts with, whose database it serves (default 'sparkify-offline'). */
  clusterId?: string;
  /** Start that cluster paused: Data API calls on it fail until a ResumeCluster has completed. */
  startPaused?: boolean;
  /** Timing of the emulated control plane (see docs/emulator.md#control-plane). */
  controlPlane?: ControlPlaneOptions;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:4567 */
  endpoint: string;
  port: number;
  /** Arms more faults (or clears them), as the SparkifyEmulator.InjectFaults control call does. */
  faults: Pick<Faults, 'add' | 'clear'>;
  /**
   * Restarts on the same port and warehouse: the HTTP server and the engine close and start again.
   * Statements that had not ended FAIL with RESTART_ERROR and Data API sessions end; statements,
   * results and client tokens are remembered, committed data stays.
   */
  restart(): Promise<void>;
  /** The emulated control plane, e.g. to pause the cluster from a test without an SDK client. */
  controlPlane: Pick<ControlPlane, 'describe' | 'pause' | 'resume' | 'statusOf' | 'transitionMs'>;
  /** Cancels what still runs, waits for it to end, closes the server and the engine. */
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const database = options.database ?? 'dev';
  const host = options.host ?? '127.0.0.1';
  const faults = new Faults();
  if (options.faults) faults.add(options.faults);
  const engine = await createEngine({ kind: options.engine ?? 'pglite', databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await withEngineSession(engine, ensureLoadErrorTables);
    const objectStore = new FolderObjectStore({ root: options.s3Root, buckets: options.buckets });
    const keptResults = new KeptResults(options.keptResultBytes ?? DEFAULT_KEPT_RESULT_BYTES);
    const runner = new StatementRunner(engine, objectStore, database, faults, keptResults);
    const api = new DataApi(runner, new Metadata(engine, database), database, keptResults);
    const clusterId = options.clusterId ?? 'sparkify-offline';
    const controlPlane = new ControlPlane(options.controlPlane ?? {}, { clusterId, database, masterUsername: 'awsuser', paused: options.startPaused });
    const dataApi = withClusterAvailability(withFaults(api.operations, faults, 'RedshiftData.'), controlPlane, clusterId);
    const operations: Operations = { ...dataApi, ...faultControlOperations(faults), ...serverlessOperations('us-west-2') };
    const protocols = [{ accepts: isAwsQueryRequest, handle: handleAwsQuery.bind(null, controlPlane) }, s3Protocol(objectStore)];
    let server = await listen(createDataApiServer(operations, ...protocols), options.port ?? 0, host);
    const { port } = server.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return {
      endpoint: `http://${urlHost}:${port}`,
      port,
      faults,
      controlPlane,
      async restart() {
        await close(server);
        await api.interrupt(RESTART_ERROR);
        await engine.restart();
        server = await listen(createDataApiServer(operations, ...protocols), port, host);
      },
      async stop() {
        await close(server);
        controlPlane.close();
        await api.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

async function listen(server: Server, port: number, host: string): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Closes the server and every connection to it, idle or not, as a process that stops does. */
function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
