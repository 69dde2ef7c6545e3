/**
 * Transactions as concurrent pipeline runs see them: SERIALIZABLE, Redshift's 1023 error for a
 * serialization failure, LOCK, and concurrent CREATE / DROP TABLE of one table.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type BatchExecuteStatementCommandInput,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { ENGINE_KINDS, runSql, TEST_TARGET, useTestEmulator, waitForStatement } from '../../support/engines';

const SERIALIZABLE_VIOLATION = /^ERROR: 1023 DETAIL: Serializable isolation violation on table - (\d+), transactions forming the cycle are: (\d+(?:, \d+)*) \(pid:(\d+)\)$/;

describe.each(ENGINE_KINDS)('Transactions on %s', (kind) => {
  let client: RedshiftDataClient;
  useTestEmulator(kind, (emulator) => (client = emulator.client));

  const submitBatch = async (Sqls: string[], extra: Partial<BatchExecuteStatementCommandInput> = {}) =>
    (await client.send(new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls, ...extra }))).Id!;
  const rowsOf = async (sql: string) => (await runSql(client, sql)).rows;
  const isolationOf = async (id: string) => (await client.send(new GetStatementResultCommand({ Id: id }))).Records;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('every transaction is SERIALIZABLE: a statement, a batch after its TRUNCATE, AUTO_COMMIT, a session', async () => {
    const isolation = "SELECT current_setting('transaction_isolation') AS isolation";
    const serializable = [[{ stringValue: 'serializable' }]];
    expect((await runSql(client, isolation)).rows).toEqual([{ isolation: 'serializable' }]);

    await runSql(client, 'CREATE TABLE iso_truncated (a INT)');
    const batch = await submitBatch(['INSERT INTO iso_truncated VALUES (1)', 'TRUNCATE iso_truncated', isolation]);
    expect((await waitForStatement(client, batch)).Status).toBe('FINISHED');
    expect(await isolationOf(`${batch}:3`)).toEqual(serializable);

    const autoCommit = await submitBatch(['SELECT 1', isolation], { ExecutionMode: 'AUTO_COMMIT' });
    expect((await waitForStatement(client, autoCommit)).Status).toBe('FINISHED');
    expect(await isolationOf(`${autoCommit}:2`)).toEqual(serializable);

    const opened = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'SELECT 1', SessionKeepAliveSeconds: 1 }));
    await waitForStatement(client, opened.Id!);
    const inSession = await client.send(new ExecuteStatementCommand({ SessionId: opened.SessionId, Sql: isolation }));
    expect((await waitForStatement(client, inSession.Id!)).Status).toBe('FINISHED');
    expect(await isolationOf(inSession.Id!)).toEqual(serializable);
  });

  test('LOCK makes a second writer wait until the first commits; neither then gets 1023', async () => {
    await runSql(client, 'CREATE TABLE locked_ledger (id INT, total INT)');
    // Each reads the ledger and then writes it, which without LOCK is a serialization cycle (see the postgres test below).
    const first = await submitBatch([
      'LOCK locked_ledger',
      'SELECT sum(total) FROM locked_ledger',
      'SELECT pg_sleep(0.6)',
      'INSERT INTO locked_ledger SELECT 1, coalesce(sum(total), 0) + 10 FROM locked_ledger',
    ]);
    while ((await client.send(new DescribeStatementCommand({ Id: first }))).Status !== 'STARTED') await sleep(10);
    await sleep(150);
    const second = await submitBatch(['LOCK TABLE locked_ledger', 'INSERT INTO locked_ledger SELECT 2, coalesce(sum(total), 0) + 20 FROM locked_ledger']);

    const [firstDone, secondDone] = await Promise.all([waitForStatement(client, first), waitForStatement(client, second)]);
    expect([firstDone, secondDone].map((done) => [done.Status, done.Error])).toEqual([['FINISHED', undefined], ['FINISHED', undefined]]);
    expect(secondDone.UpdatedAt!.getTime()).toBeGreaterThanOrEqual(firstDone.UpdatedAt!.getTime());
    // The second read the ledger after the first had committed: 10 + 20.
    expect(await rowsOf('SELECT id, total FROM locked_ledger ORDER BY id')).toEqual([{ id: 1, total: 10 }, { id: 2, total: 30 }]);
    // On the server both run at once: the second started, then waited in its LOCK.
    if (kind === 'postgres') expect(secondDone.Duration).toBeGreaterThan(250_000_000);
  });

  test('two transactions creating the same new table with CREATE TABLE IF NOT EXISTS both finish', async () => {
    const writer = (id: number) => [
      'CREATE TABLE IF NOT EXISTS raced_table (id INT, name VARCHAR(8))',
      'SELECT pg_sleep(0.3)',
      `INSERT INTO raced_table VALUES (${id}, 'writer ${id}')`,
    ];
    const ids = await Promise.all([submitBatch(writer(1)), submitBatch(writer(2))]);
    const done = await Promise.all(ids.map((id) => waitForStatement(client, id)));
    expect(done.map((statement) => [statement.Status, statement.Error])).toEqual([['FINISHED', undefined], ['FINISHED', undefined]]);
    expect(await rowsOf('SELECT id, name FROM raced_table ORDER BY id')).toEqual([{ id: 1, name: 'writer 1' }, { id: 2, name: 'writer 2' }]);
  });

  test('two transactions running DROP TABLE IF EXISTS then CREATE TABLE of one table both finish', async () => {
    const writer = (id: number) => ['DROP TABLE IF EXISTS swapped_table', 'CREATE TABLE swapped_table (id INT)', 'SELECT pg_sleep(0.3)', `INSERT INTO swapped_table VALUES (${id})`];
    const ids = await Promise.all([submitBatch(writer(1)), submitBatch(writer(2))]);
    const done = await Promise.all(ids.map((id) => waitForStatement(client, id)));
    expect(done.map((statement) => [statement.Status, statement.Error])).toEqual([['FINISHED', undefined], ['FINISHED', undefined]]);
    // The later one dropped the earlier one's table, once that had committed.
    expect(await rowsOf('SELECT count(*) AS n FROM swapped_table')).toEqual([{ n: 1 }]);
  });
});

// PGlite runs one transaction at a time, so only a server can put two in a cycle.
describe('Serialization failures on postgres', () => {
  let client: RedshiftDataClient;
  useTestEmulator('postgres', (emulator) => (client = emulator.client));

  const submitBatch = async (Sqls: string[]) => (await client.send(new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls }))).Id!;

  test("two writers in a read/write cycle: one FINISHED, one FAILED with Redshift's 1023", async () => {
    await runSql(client, 'CREATE TABLE cycled_ledger (id INT, total INT)');
    const writer = (id: number) => ['SELECT sum(total) FROM cycled_ledger', 'SELECT pg_sleep(0.4)', `INSERT INTO cycled_ledger VALUES (${id}, 10)`];
    const ids = await Promise.all([submitBatch(writer(1)), submitBatch(writer(2))]);
    const done = await Promise.all(ids.map((id) => waitForStatement(client, id)));

    expect(done.map((statement) => statement.Status).sort()).toEqual(['FAILED', 'FINISHED']);
    const failed = done.find((statement) => statement.Status === 'FAILED')!;
    const [, table, xids, pid] = SERIALIZABLE_VIOLATION.exec(failed.Error!) ?? [];
    expect(failed.Error).toMatch(SERIALIZABLE_VIOLATION);
    // PostgreSQL names no table for a read/write cycle.
    expect({ table, pid: Number(pid) }).toEqual({ table: '0', pid: failed.RedshiftPid });
    expect(Number(xids)).toBeGreaterThan(0);
    const survivor = done.find((statement) => statement.Status === 'FINISHED')!;
    expect((await runSql(client, 'SELECT id FROM cycled_ledger')).rows).toEqual([{ id: ids.indexOf(survivor.Id!) + 1 }]);
  });

  test('a deadlock is a 1023 on the table the failed transaction waited for', async () => {
    await runSql(client, 'CREATE TABLE deadlock_a (a INT); CREATE TABLE deadlock_b (b INT)');
    const oids = await runSql(client, "SELECT 'deadlock_a'::regclass::oid::int AS a, 'deadlock_b'::regclass::oid::int AS b");
    const { a, b } = oids.rows[0] as { a: number; b: number };
    const ids = await Promise.all([
      submitBatch(['LOCK deadlock_a', 'SELECT pg_sleep(0.3)', 'LOCK deadlock_b']),
      submitBatch(['LOCK deadlock_b', 'SELECT pg_sleep(0.3)', 'LOCK deadlock_a']),
    ]);
    const done = await Promise.all(ids.map((id) => waitForStatement(client, id)));

    expect(done.map((statement) => statement.Status).sort()).toEqual(['FAILED', 'FINISHED']);
    const failedIndex = done.findIndex((statement) => statement.Status === 'FAILED');
    const [, table, , pid] = SERIALIZABLE_VIOLATION.exec(done[failedIndex].Error!) ?? [];
    expect(done[failedIndex].Error).toMatch(SERIALIZABLE_VIOLATION);
    // The first batch waited for deadlock_b, the second for deadlock_a.
    expect({ table: Number(table), pid: Number(pid) }).toEqual({ table: failedIndex === 0 ? b : a, pid: done[failedIndex].RedshiftPid });
  });
});
