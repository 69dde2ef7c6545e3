/**
 * A statement blocked by another session's lock is cancelled once its budget is spent, the run fails
 * naming the stage, nothing is published, and the warehouse takes statements right after. On the server
 * engine, where a second session really holds the lock (PGlite has one connection: statements queue).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BatchExecuteStatementCommand, DescribeStatementCommand } from '@aws-sdk/client-redshift-data';
import { generateDataset } from '../../src/datagen';
import { startOfflineRunner, type OfflineRunner } from '../../src/offline/runner';
import { OFFLINE_TARGET } from '../../src/offline/runner/warehouse';
import { createTestWarehouse, type TestWarehouse } from '../support/engines';

describe('a statement over its budget', () => {
  let tmp: string;
  let warehouse: TestWarehouse;
  let runner: OfflineRunner;
  const progress: string[] = [];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-budget-'));
    const bucket = path.join(tmp, 'bucket');
    await generateDataset({ outDir: bucket, songs: 20, users: 5, days: 1, eventsPerDay: 50, seed: 'budget' });
    warehouse = await createTestWarehouse('postgres');
    runner = await startOfflineRunner({
      engine: 'postgres', databaseUrl: warehouse.databaseUrl, bucketDir: bucket, waitMs: 50,
      handlerEnv: { STATEMENT_TIMEOUT_SECONDS: '3' },
      onProgress: (line) => progress.push(line),
    });
    expect((await runner.run({})).succeeded).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await runner?.stop();
    await warehouse?.dispose();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('is cancelled, and the run fails naming the stage, with the published tables untouched', async () => {
    const before = await runner.warehouse.query('SELECT COUNT(*) AS plays FROM songplays');
    // An analyst's long transaction holds songplays: the publish's LOCK waits behind it.
    const { client } = runner.warehouse;
    const blocker = await client.send(new BatchExecuteStatementCommand({
      ClusterIdentifier: OFFLINE_TARGET.clusterId, Database: OFFLINE_TARGET.database, DbUser: OFFLINE_TARGET.dbUser,
      Sqls: ['LOCK songplays', 'SELECT pg_sleep(12)'],
    }));
    while ((await client.send(new DescribeStatementCommand({ Id: blocker.Id }))).Status !== 'STARTED') await new Promise((r) => setTimeout(r, 20));

    const outcome = await runner.run({});
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure.state).toBe('PollPublishLoad [all days]');
    expect(outcome.failure.error).toBe('StatementTimedOut');
    expect(outcome.failure.cause).toMatch(/^Stage publishLoad: statement [0-9a-f-]{36} was still STARTED after \d+ s, over its budget of 3 s \(STATEMENT_TIMEOUT_SECONDS\); it was cancelled$/);
    // The row count after the Map reads songplays too: still locked, it ran out of its budget as well.
    expect(outcome.executionError).toMatch(/^StatementTimedOut: .*Stage countRows: statement [0-9a-f-]{36} was still STARTED/);

    // The cancelled publish ended ABORTED, not waiting on for the lock.
    const publishId = /statement ([0-9a-f-]{36})/.exec(outcome.failure.cause)![1];
    expect((await client.send(new DescribeStatementCommand({ Id: publishId }))).Status).toBe('ABORTED');
    // Nothing was published, and the warehouse takes statements at once (the blocker still runs).
    expect((await client.send(new DescribeStatementCommand({ Id: blocker.Id }))).Status).toBe('STARTED');
    expect((await runner.warehouse.query('SELECT COUNT(*) AS users FROM users')).rows[0].users).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(progress).toEqual(expect.arrayContaining([expect.stringMatching(/DropFailedLoad \[all days\]: started$/)]));
    while ((await client.send(new DescribeStatementCommand({ Id: blocker.Id }))).Status === 'STARTED') await new Promise((r) => setTimeout(r, 100));
    expect(await runner.warehouse.query('SELECT COUNT(*) AS plays FROM songplays')).toEqual(before);
  }, 60_000);
});
