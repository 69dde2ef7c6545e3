/**
 * Runs the same tests on both engines. Each test file gets a warehouse of its own: a fresh in-memory
 * PGlite, or a fresh database (random name) on the jest run's PostgreSQL server (see global-setup.ts).
 */
import { randomBytes } from 'node:crypto';
import { RedshiftDataClient, type Field } from '@aws-sdk/client-redshift-data';
import { ExecuteStatementCommand, DescribeStatementCommand, GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { createEngine, type Engine, type EngineKind } from '../../src/offline/engines';
import { startEmulator } from '../../src/offline/emulator';
import { TEST_DATABASE_URL_VARIABLE } from './test-database-url';

export const ENGINE_KINDS: EngineKind[] = ['pglite', 'postgres'];

export interface TestWarehouse {
  kind: EngineKind;
  /** Set for 'postgres': the fresh database's URL. */
  databaseUrl?: string;
  /** Drops the database (postgres); nothing to do for an in-memory PGlite. */
  dispose(): Promise<void>;
}

/** A fresh, empty warehouse for one test file. */
export async function createTestWarehouse(kind: EngineKind): Promise<TestWarehouse> {
  if (kind === 'pglite') return { kind, dispose: async () => undefined };
  const serverUrl = process.env[TEST_DATABASE_URL_VARIABLE];
  if (!serverUrl) throw new Error(`${TEST_DATABASE_URL_VARIABLE} is not set: jest's globalSetup (test/support/global-setup.ts) did not run.`);
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    databaseUrl: url.toString(),
    dispose: () => withAdminClient(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An engine on a fresh warehouse; `dispose()` closes it and drops the warehouse. */
export async function createTestEngine(kind: EngineKind): Promise<{ engine: Engine; dispose(): Promise<void> }> {
  const warehouse = await createTestWarehouse(kind);
  const engine = await createEngine({ kind, databaseUrl: warehouse.databaseUrl });
  return {
    engine,
    async dispose() {
      await engine.close();
      await warehouse.dispose();
    },
  };
}

export interface TestEmulator {
  endpoint: string;
  /** A real SDK client pointed at the emulator: dummy credentials, us-west-2, no retries. */
  client: RedshiftDataClient;
  stop(): Promise<void>;
}

/** The emulator's one database on a made-up cluster: where runSql and the emulator tests send their SQL. */
export const TEST_TARGET = { Database: 'dev', ClusterIdentifier: 'sparkify-test', DbUser: 'awsuser' } as const;

/**
 * The emulator of a describe block: started on a fresh warehouse before its tests, then handed to `ready`
 * (to keep its client, create tables, …), and stopped after them.
 */
export function useTestEmulator(kind: EngineKind, ready: (emulator: TestEmulator) => unknown): void {
  let emulator: TestEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTestEmulator(kind);
    await ready(emulator);
  });
  afterAll(() => emulator?.stop());
}

/** Starts an emulator on a fresh warehouse, on any free port of 127.0.0.1. */
export async function startTestEmulator(kind: EngineKind, options: { s3Root?: string; buckets?: Record<string, string> } = {}): Promise<TestEmulator> {
  const warehouse = await createTestWarehouse(kind);
  const emulator = await startEmulator({ engine: kind, databaseUrl: warehouse.databaseUrl, s3Root: options.s3Root, buckets: options.buckets });
  const client = createTestClient(emulator.endpoint);
  return {
    endpoint: emulator.endpoint,
    client,
    async stop() {
      client.destroy();
      await emulator.stop();
      await warehouse.dispose();
    },
  };
}

export function createTestClient(endpoint: string): RedshiftDataClient {
  return new RedshiftDataClient({
    endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    maxAttempts: 1,
  });
}

export type PlainValue = string | number | boolean | null;

export interface SqlRun {
  id: string;
  status: string;
  error?: string;
  /** ResultRows as DescribeStatement reports it. */
  resultRows?: number;
  /** The typed fields as GetStatementResult returns them (all pages); empty without a result set. */
  records: Field[][];
  /** The same rows as objects keyed by column name, each Field unwrapped to its value. */
  rows: Record<string, PlainValue>[];
}

const TERMINAL_STATUSES = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/** Executes one Sql text on TEST_TARGET, polls until it ends, and fetches every result page. */
export async function runSql(client: RedshiftDataClient, sql: string, parameters?: Record<string, string>): Promise<SqlRun> {
  const { Id } = await client.send(
    new ExecuteStatementCommand({
      ...TEST_TARGET,
      Sql: sql,
      Parameters: parameters && Object.entries(parameters).map(([name, value]) => ({ name, value })),
    }),
  );
  const description = await waitForStatement(client, Id!);
  const run: SqlRun = { id: Id!, status: description.Status!, error: description.Error, resultRows: description.ResultRows, records: [], rows: [] };
  if (run.status !== 'FINISHED' || !description.HasResultSet) return run;
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id, NextToken: nextToken }));
    const names = (page.ColumnMetadata ?? []).map((column) => column.name!);
    for (const record of page.Records ?? []) {
      run.records.push(record);
      run.rows.push(Object.fromEntries(record.map((field, index) => [names[index], plainValue(field)])));
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return run;
}

/** Polls DescribeStatement every 20 ms until the statement is FINISHED, FAILED or ABORTED. */
export async function waitForStatement(client: RedshiftDataClient, id: string) {
  for (;;) {
    const description = await client.send(new DescribeStatementCommand({ Id: id }));
    if (TERMINAL_STATUSES.has(description.Status!)) return description;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function plainValue(field: Field): PlainValue {
  if (field.isNull) return null;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  throw new Error(`A Field with no value: ${JSON.stringify(field)}`);
}
