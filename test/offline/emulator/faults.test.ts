import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { RESTART_ERROR, startEmulator, type RunningEmulator } from '../../../src/offline/emulator';
import {
  createTestClient,
  createTestWarehouse,
  ENGINE_KINDS,
  runSql,
  TEST_TARGET,
  waitForStatement,
  type TestWarehouse,
} from '../../support/engines';

const ERROR_1023 =
  'ERROR: 1023 DETAIL: Serializable isolation violation on table - 0, transactions forming the cycle are: 0 (pid:0)';

describe.each(ENGINE_KINDS)('fault injection on %s', (kind) => {
  let warehouse: TestWarehouse;
  let emulator: RunningEmulator;
  /** No retries: every injected error reaches the test. */
  let client: RedshiftDataClient;
  /** The SDK's default retries (3 attempts for 5xx and throttling), as the pipeline's handlers use it. */
  let retrying: RedshiftDataClient;

  beforeAll(async () => {
    warehouse = await createTestWarehouse(kind);
    emulator = await startEmulator({
      engine: kind,
      databaseUrl: warehouse.databaseUrl,
      faults: [{ operation: 'ListDatabases', error: 'ThrottlingException' }],
    });
    client = createTestClient(emulator.endpoint);
    retrying = new RedshiftDataClient({
      endpoint: emulator.endpoint,
      region: 'us-west-2',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
    await runSql(client, 'create table fault_t (x int)');
  });
  afterAll(async () => {
    client.destroy();
    retrying.destroy();
    await emulator.stop();
    await warehouse.dispose();
  });
  afterEach(() => emulator.faults.clear());

  const execute = (Sql: string, extra: Partial<ConstructorParameters<typeof ExecuteStatementCommand>[0]> = {}) =>
    client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql, ...extra }));
  const count = async () => (await runSql(client, 'select count(*) as n from fault_t')).rows[0].n;

  test('a plan given at start arms its faults', async () => {
    const post = (target: string) =>
      fetch(emulator.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify(TEST_TARGET),
      });
    const throttled = await post('RedshiftData.ListDatabases');
    expect(throttled.status).toBe(400);
    expect(await throttled.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded (fault injected by the emulator).' });
    expect((await post('RedshiftData.ListDatabases')).status).toBe(200);
  });

  test('a submit that ran but answered 500: a retry with its ClientToken returns the original statement', async () => {
    await runSql(client, 'truncate fault_t');
    emulator.faults.add([{ operation: 'ExecuteStatement', error: 'InternalServerException', afterWork: true }]);
    const sent = { ...TEST_TARGET, Sql: 'insert into fault_t values (1)', ClientToken: 'submit-once' };
    await expect(client.send(new ExecuteStatementCommand(sent))).rejects.toMatchObject({
      name: 'InternalServerException',
      message: 'Internal server error (fault injected by the emulator).',
      $metadata: { httpStatusCode: 500 },
    });
    const { Id } = await client.send(new ExecuteStatementCommand(sent));
    expect((await waitForStatement(client, Id!)).Status).toBe('FINISHED');
    expect(await count()).toBe(1);

    // The SDK's own retry sends the same token, so the statement runs once however often it answered 500.
    emulator.faults.add([{ operation: 'ExecuteStatement', error: 'InternalServerException', afterWork: true, times: 2 }]);
    const retried = await retrying.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'insert into fault_t values (2)' }));
    expect(retried.$metadata.attempts).toBe(3);
    await waitForStatement(client, retried.Id!);
    expect(await count()).toBe(2);
  });

  test('throttling and ActiveStatementsExceeded before the work: nothing runs', async () => {
    await runSql(client, 'truncate fault_t');
    emulator.faults.add([
      { operation: 'ExecuteStatement', error: 'ActiveStatementsExceededException' },
      { operation: 'DescribeStatement', error: 'ThrottlingException', times: 2 },
    ]);
    await expect(execute('insert into fault_t values (1)')).rejects.toMatchObject({
      name: 'ActiveStatementsExceededException',
      message: 'Active statements exceeded the allowed quota (fault injected by the emulator).',
      $metadata: { httpStatusCode: 400 },
    });
    const { Id } = await execute('select 1');
    const describe = () => client.send(new DescribeStatementCommand({ Id }));
    await expect(describe()).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    await expect(describe()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(describe()).resolves.toMatchObject({ Id });
    expect(await count()).toBe(0);
  });

  test('the control call arms and clears faults over HTTP, and refuses an invalid plan', async () => {
    const control = (operation: string, body: unknown) =>
      fetch(emulator.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': `SparkifyEmulator.${operation}`, 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify(body),
      });
    const armed = await control('InjectFaults', { Faults: [{ operation: 'DescribeStatement', error: 'InternalServerException', times: 5 }] });
    expect(await armed.json()).toEqual({ Added: 1 });
    const { Id } = await execute('select 1');
    await expect(client.send(new DescribeStatementCommand({ Id }))).rejects.toMatchObject({ name: 'InternalServerException' });
    expect((await control('ClearFaults', {})).status).toBe(200);
    await expect(client.send(new DescribeStatementCommand({ Id }))).resolves.toMatchObject({ Id });

    const invalid = await control('InjectFaults', { Faults: [{ operation: 'ExecuteStatement', error: 'Boom' }] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ __type: 'ValidationException', message: expect.stringMatching(/^Invalid fault plan: /) });

    // A misspelt operation would never fire: it is refused, with the names that would.
    const misspelt = await control('InjectFaults', { Faults: [{ operation: 'ExecuteStatment', error: 'ThrottlingException' }] });
    expect(misspelt.status).toBe(400);
    const { message } = (await misspelt.json()) as { message: string };
    expect(message).toMatch(/^Invalid fault plan: /);
    expect(message).toContain('operation');
    expect(message).toContain('"ExecuteStatement"');
  });

  test('a statement matching a pattern FAILs with the given error, N times, and nothing of it stays', async () => {
    await runSql(client, 'truncate fault_t');
    emulator.faults.add([{ sql: 'insert into fault_t', fail: ERROR_1023, times: 2 }]);
    const batch = await client.send(
      new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls: ['insert into fault_t values (0)', 'INSERT INTO fault_t values (1)'] }),
    );
    const failed = await waitForStatement(client, batch.Id!);
    expect(failed).toMatchObject({ Status: 'FAILED', Error: ERROR_1023 });
    expect(failed.SubStatements!.map((sub) => sub.Status)).toEqual(['FAILED', 'ABORTED']);
    expect(await runSql(client, 'insert into fault_t values (2)')).toMatchObject({ status: 'FAILED', error: ERROR_1023 });
    expect(await runSql(client, 'insert into fault_t values (3)')).toMatchObject({ status: 'FINISHED' });
    expect((await runSql(client, 'select x from fault_t')).rows).toEqual([{ x: 3 }]);
  });

  test('a slow statement stays STARTED for the given time, then runs; cancelled, it ends at once', async () => {
    emulator.faults.add([{ sql: '^select 42', delayMs: 1500 }, { sql: '^select 43', delayMs: 20_000 }]);
    const started = Date.now();
    const slow = await execute('select 42 as answer');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await client.send(new DescribeStatementCommand({ Id: slow.Id }))).Status).toBe('STARTED');
    expect(await waitForStatement(client, slow.Id!)).toMatchObject({ Status: 'FINISHED', ResultRows: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);

    const cancelled = await execute('select 43 as answer');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cancelAt = Date.now();
    await client.send(new CancelStatementCommand({ Id: cancelled.Id }));
    expect((await waitForStatement(client, cancelled.Id!)).Status).toBe('ABORTED');
    // Long before its 20 s delay was over (half of it, so a loaded machine cannot make this flaky).
    expect(Date.now() - cancelAt).toBeLessThan(10_000);
  });

  test('a restart keeps the warehouse and the statements; what was running FAILs; later calls work', async () => {
    await runSql(client, 'truncate fault_t');
    const committed = await runSql(client, 'insert into fault_t values (7)');
    const tokened = await execute('insert into fault_t values (8)', { ClientToken: 'before-restart' });
    await waitForStatement(client, tokened.Id!);
    const running = await execute('select pg_sleep(30)');
    await waitForStatus(client, running.Id!, 'STARTED');

    await emulator.restart();
    expect(await waitForStatement(client, running.Id!)).toMatchObject({ Status: 'FAILED', Error: RESTART_ERROR });
    expect((await client.send(new DescribeStatementCommand({ Id: committed.id }))).Status).toBe('FINISHED');
    expect((await execute('insert into fault_t values (8)', { ClientToken: 'before-restart' })).Id).toBe(tokened.Id);
    expect((await runSql(client, 'select x from fault_t order by x')).rows).toEqual([{ x: 7 }, { x: 8 }]);
  });
});

async function waitForStatus(client: RedshiftDataClient, id: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if ((await client.send(new DescribeStatementCommand({ Id: id }))).Status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Statement ${id} never reached ${status}`);
}
