/**
 * The local warehouse as the CLI and the runner use it: the Data API emulator started in-process,
 * and a real Data API client pointed at it over HTTP. Every query goes through the Data API, as on AWS.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { startEmulator, type RunningEmulator } from '../emulator';
import type { EngineKind } from '../engines';
import type { WarehouseTarget } from '../../pipeline/config';
import { describeStatement, fetchResultRows, submitStatement, type StatementDescription, type Value } from '../../redshift/data-api';
import { StatementFailedError, waitForStatement } from '../../pipeline/poll';

/** The bucket every default S3 location of the pipeline names; the data folder is mounted as it. */
export const OFFLINE_BUCKET = 'udacity-dend';
/** The bucket the project owns offline, where compactSongs writes (S3_COMPACTED_SONGS). */
export const OFFLINE_STAGING_BUCKET = 'sparkify-staging';
export const OFFLINE_COMPACTED_SONGS = `s3://${OFFLINE_STAGING_BUCKET}/compacted_songs`;
export const OFFLINE_DATABASE = 'dev';
export const OFFLINE_TARGET = { kind: 'cluster', clusterId: 'sparkify-offline', database: OFFLINE_DATABASE, dbUser: 'awsuser' } as const satisfies WarehouseTarget;
/** Dummy values: the emulator ignores signatures, and real credentials must never reach it. */
export const OFFLINE_CREDENTIALS = { accessKeyId: 'offline', secretAccessKey: 'offline' };
export const OFFLINE_REGION = 'us-west-2';

/**
 * What a client (an SDK, the AWS CLI, a handler) needs in its environment to use the emulator: the
 * Data API, the Redshift control plane, Redshift Serverless and S3 all answer on its one endpoint.
 */
export function offlineClientEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_REDSHIFT: endpoint,
    AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: endpoint,
    // The SDK for JavaScript reads AWS_REGION; the AWS CLI v1 and boto3 read only AWS_DEFAULT_REGION.
    AWS_REGION: OFFLINE_REGION,
    AWS_DEFAULT_REGION: OFFLINE_REGION,
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
  /** Folder mounted as the bucket `sparkify-staging`, where song compaction writes. */
  stagingDir?: string;
  port?: number;
  /** Start the cluster paused, so the pipeline's resume path runs (see docs/emulator.md#control-plane). */
  startPaused?: boolean;
  /** How long the emulated cluster takes to pause, resume, be created or deleted, in ms. */
  transitionMs?: number;
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
  /** Several statements as one BatchExecuteStatement (one transaction, as on Redshift): each one's result, in order. */
  queryEach(sqls: readonly string[]): Promise<QueryResult[]>;
  stop(): Promise<void>;
}

/** SQL that failed in the warehouse, worded as Redshift words it (`ERROR: …`), naming the statement of a batch. */
export class QueryFailedError extends Error {
  override name = 'QueryFailed';
}

function queryFailure(description: StatementDescription): QueryFailedError {
  const subStatements = description.SubStatements ?? [];
  const index = subStatements.findIndex((sub) => sub.Status === 'FAILED');
  if (index < 0) return new QueryFailedError(description.Error ?? 'the statement failed');
  const failed = subStatements[index];
  return new QueryFailedError(`${failed.Error} (statement ${index + 1} of ${subStatements.length}: ${failed.QueryString})`);
}

/** A Data API client on an emulator that is already running, e.g. `sparkify emulator`. `stop()` only closes the client. */
export function connectToWarehouse(endpoint: string): LocalWarehouse {
  const client = new RedshiftDataClient({ endpoint, region: OFFLINE_REGION, credentials: OFFLINE_CREDENTIALS });
  const run = async (sqls: readonly string[], parameters?: Record<string, string>): Promise<QueryResult[]> => {
    const statementId = await submitStatement(client, OFFLINE_TARGET, { name: 'sparkify-query', sqls, parameters });
    try {
      await waitForStatement(client, 'query', statementId);
    } catch (error) {
      // The poll words failures for a pipeline stage ("Stage query: …"); a person querying wants Redshift's own.
      if (error instanceof StatementFailedError) throw queryFailure(await describeStatement(client, statementId));
      throw error;
    }
    const description = await describeStatement(client, statementId);
    // A batch describes each of its statements as a sub-statement, whose result has an id of its own.
    const statements = description.SubStatements ?? [description];
    return Promise.all(statements.map(async ({ Id, HasResultSet, ResultRows }) => ({
      rows: HasResultSet ? await fetchResultRows(client, Id!) : [],
      resultRows: ResultRows === undefined || ResultRows < 0 ? null : ResultRows,
      hasResultSet: HasResultSet === true,
    })));
  };
  return {
    endpoint,
    client,
    query: async (sql, parameters) => (await run([sql], parameters))[0],
    queryEach: (sqls) => run(sqls),
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
    buckets: {
      ...(options.bucketDir ? { [OFFLINE_BUCKET]: options.bucketDir } : {}),
      ...(options.stagingDir ? { [OFFLINE_STAGING_BUCKET]: options.stagingDir } : {}),
    },
    host: '127.0.0.1',
    port: options.port ?? 0,
    database: OFFLINE_DATABASE,
    clusterId: OFFLINE_TARGET.clusterId,
    startPaused: options.startPaused,
    controlPlane: { transitionMs: options.transitionMs },
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
