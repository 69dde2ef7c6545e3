/**
 * The local warehouse as the CLI and the runner use it: the Data API emulator started in-process,
 * and a real Data API client pointed at it over HTTP. Every query goes through the Data API, as on AWS.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { startEmulator, type RunningEmulator } from '../emulator';
import type { EngineKind } from '../engines';
import type { WarehouseTarget } from '../../pipeline/config';
import { describeStatement, fetchResultRows, submitStatement, type Value } from '../../redshift/data-api';
import { waitForStatement } from '../../pipeline/poll';

/** The bucket every default S3 location of the pipeline names; the data folder is mounted as it. */
export const OFFLINE_BUCKET = 'udacity-dend';
export const OFFLINE_DATABASE = 'dev';
export const OFFLINE_TARGET = { kind: 'cluster', clusterId: 'sparkify-offline', database: OFFLINE_DATABASE, dbUser: 'awsuser' } as const satisfies WarehouseTarget;
/** Dummy values: the emulator ignores signatures, and real credentials must never reach it. */
export const OFFLINE_CREDENTIALS = { accessKeyId: 'offline', secretAccessKey: 'offline' };
export const OFFLINE_REGION = 'us-west-2';

/** What a Data API client (an SDK, the AWS CLI, a handler) needs in its environment to use the emulator. */
export function offlineClientEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint,
    AWS_REGION: OFFLINE_REGION,
    AWS_ACCESS_KEY_ID: OFFLINE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: OFFLINE_CREDENTIALS.secretAccessKey,
    REDSHIFT_CLUSTER_ID: OFFLINE_TARGET.clusterId,
    REDSHIFT_DATABASE: OFFLINE_TARGET.database,
    REDSHIFT_DB_USER: OFFLINE_TARGET.dbUser,
  };
}

export interface WarehouseOptions {
  engine?: EngineKind;
  /** PostgreSQL server URL, for engine 'postgres'. */
  databaseUrl?: string;
  /** PGlite data directory; without it the warehouse lives in memory and is gone at stop(). */
  warehouseDir?: string;
  /** Folder mounted as the bucket `udacity-dend`; without it COPY has nothing to read. */
  bucketDir?: string;
  port?: number;
}

export interface QueryResult {
  rows: Record<string, Value>[];
  /** Rows returned, or affected for INSERT/UPDATE/DELETE/COPY. */
  resultRows: number | null;
  hasResultSet: boolean;
}

export interface LocalWarehouse {
  endpoint: string;
  client: RedshiftDataClient;
  query(sql: string, parameters?: Record<string, string>): Promise<QueryResult>;
  stop(): Promise<void>;
}

/** A Data API client on an emulator that is already running, e.g. `sparkify emulator`. `stop()` only closes the client. */
export function connectToWarehouse(endpoint: string): LocalWarehouse {
  const client = new RedshiftDataClient({ endpoint, region: OFFLINE_REGION, credentials: OFFLINE_CREDENTIALS });
  return {
    endpoint,
    client,
    async query(sql, parameters) {
      const statementId = await submitStatement(client, OFFLINE_TARGET, { name: 'sparkify-query', sqls: [sql], parameters });
      const { resultRows } = await waitForStatement(client, 'query', statementId);
      // The poll reports rows but not whether there is a result set to fetch.
      const hasResultSet = (await describeStatement(client, statementId)).HasResultSet === true;
      return { rows: hasResultSet ? await fetchResultRows(client, statementId) : [], resultRows, hasResultSet };
    },
    async stop() {
      client.destroy();
    },
  };
}

/** The emulator as everything offline starts it: on 127.0.0.1, serving OFFLINE_DATABASE, bucketDir as the bucket. */
export function startOfflineEmulator(options: WarehouseOptions & { s3Root?: string }): Promise<RunningEmulator> {
  return startEmulator({
    engine: options.engine,
    databaseUrl: options.databaseUrl,
    dataDir: options.warehouseDir,
    s3Root: options.s3Root,
    buckets: options.bucketDir ? { [OFFLINE_BUCKET]: options.bucketDir } : undefined,
    host: '127.0.0.1',
    port: options.port ?? 0,
    database: OFFLINE_DATABASE,
  });
}

/** Starts the emulator in-process and connects to it; `stop()` closes both. */
export async function startLocalWarehouse(options: WarehouseOptions): Promise<LocalWarehouse> {
  const emulator = await startOfflineEmulator(options);
  const connection = connectToWarehouse(emulator.endpoint);
  return {
    ...connection,
    async stop() {
      await connection.stop();
      await emulator.stop();
    },
  };
}
