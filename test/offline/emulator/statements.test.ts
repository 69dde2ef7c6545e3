import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { ENGINE_KINDS, runSql, TEST_TARGET, useTestEmulator, waitForStatement } from '../../support/engines';

describe.each(ENGINE_KINDS)('Data API statements on %s', (kind) => {
  let client: RedshiftDataClient;
  useTestEmulator(kind, (emulator) => (client = emulator.client));

  const execute = (Sql: string, extra: Partial<ConstructorParameters<typeof ExecuteStatementCommand>[0]> = {}) =>
    client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql, ...extra }));
  const describeStatement = (Id: string) => client.send(new DescribeStatementCommand({ Id }));

  test('answers before the SQL ends; the client polls it through to FINISHED', async () => {
    const { Id, CreatedAt, Database, ClusterIdentifier } = await execute('select pg_sleep(0.5) as slept');
    expect(Id).toMatch(/^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
    expect(CreatedAt).toBeInstanceOf(Date);
    expect({ Database, ClusterIdentifier }).toEqual({ Database: 'dev', ClusterIdentifier: 'sparkify-test' });
    const early = await describeStatement(Id!);
    expect(['SUBMITTED', 'PICKED', 'STARTED']).toContain(early.Status);
    const done = await waitForStatement(client, Id!);
    expect(done).toMatchObject({ Id, Status: 'FINISHED', HasResultSet: true, ResultRows: 1, QueryString: 'select pg_sleep(0.5) as slept' });
    expect(done.Duration).toBeGreaterThanOrEqual(450_000_000); // nanoseconds
    expect(done.RedshiftPid).toBeGreaterThan(0);
    expect(done.UpdatedAt!.getTime()).toBeGreaterThanOrEqual(done.CreatedAt!.getTime());
  });

  test('returns typed fields and column metadata by column type', async () => {
    const run = await runSql(
      client,
      `select 7::smallint as small, 42::integer as medium, 9007199254740991::bigint as big, 1.5::real as real4,
              2.25::double precision as double8, 12.30::decimal(10,2) as amount, true as yes, 'héllo'::varchar(20) as label,
              timestamp '2018-11-01 21:01:46.796' as played_at, date '2018-11-01' as day, null::integer as nothing`,
    );
    expect(run.status).toBe('FINISHED');
    expect(run.records).toEqual([
      [
        { longValue: 7 }, { longValue: 42 }, { longValue: 9007199254740991 }, { doubleValue: 1.5 }, { doubleValue: 2.25 },
        { stringValue: '12.30' }, { booleanValue: true }, { stringValue: 'héllo' },
        { stringValue: '2018-11-01 21:01:46.796' }, { stringValue: '2018-11-01' }, { isNull: true },
      ],
    ]);
    const page = await client.send(new GetStatementResultCommand({ Id: run.id }));
    expect(page.TotalNumRows).toBe(1);
    expect(page.ColumnMetadata!.map((column) => [column.name, column.typeName])).toEqual([
      ['small', 'int2'], ['medium', 'int4'], ['big', 'int8'], ['real4', 'float4'], ['double8', 'float8'], ['amount', 'numeric'],
      ['yes', 'bool'], ['label', 'varchar'], ['played_at', 'timestamp'], ['day', 'date'], ['nothing', 'int4'],
    ]);
    expect(page.ColumnMetadata![1]).toMatchObject({ label: 'medium', isSigned: true, precision: 10, scale: 0, nullable: 1 });
    expect(page.ColumnMetadata![7]).toMatchObject({ isCaseSensitive: true, isSigned: false });

    // JSON has no NaN or Infinity: awsJson sends them as strings, which the SDK turns back into numbers.
    const special = await runSql(client, "select 'NaN'::float8 as a, 'Infinity'::float8 as b, '-Infinity'::real as c");
    expect(special.records).toEqual([[{ doubleValue: NaN }, { doubleValue: Infinity }, { doubleValue: -Infinity }]]);
  });

  test('binds named parameters as text; "null" is the string, not NULL', async () => {
    const run = await runSql(client, 'select :number::int + 1 as next, :word as word, :word || :number as both', { number: '41', word: 'null' });
    expect(run.rows).toEqual([{ next: 42, word: 'null', both: 'null41' }]);
    const described = await describeStatement(run.id);
    expect(described.QueryParameters).toEqual([{ name: 'number', value: '41' }, { name: 'word', value: 'null' }]);
  });

  test('a SQL error is a FAILED statement with the engine message, not an API error', async () => {
    const run = await runSql(client, 'select * from no_such_table');
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ERROR: relation "no_such_table" does not exist');
    const { Error: errorText } = await describeStatement(run.id);
    expect(errorText).toBe('ERROR: relation "no_such_table" does not exist');
  });

  test('DDL and DML report rows affected and have no result set', async () => {
    const created = await runSql(client, 'create table stmt_rows (id int, name varchar(10))');
    expect(created).toMatchObject({ status: 'FINISHED', resultRows: 0 });
    const inserted = await runSql(client, "insert into stmt_rows values (1, 'a'), (2, 'b'), (3, 'c')");
    expect(inserted).toMatchObject({ status: 'FINISHED', resultRows: 3 });
    expect((await describeStatement(inserted.id)).HasResultSet).toBe(false);
    await expect(client.send(new GetStatementResultCommand({ Id: inserted.id }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Query does not have result. Please check query status with DescribeStatement.',
      $metadata: { httpStatusCode: 400 },
    });
    const updated = await runSql(client, "update stmt_rows set name = 'z' where id >= 2");
    expect(updated.resultRows).toBe(2);
  });

  test('several statements in one Sql run in one transaction; the last one gives the result', async () => {
    const run = await runSql(client, "create table stmt_multi (x int); insert into stmt_multi values (1), (2); select count(*) as n from stmt_multi");
    expect(run.rows).toEqual([{ n: 2 }]);
    const failed = await runSql(client, 'insert into stmt_multi values (3); select 1/0');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'ERROR: division by zero' });
    expect((await runSql(client, 'select count(*) as n from stmt_multi')).rows).toEqual([{ n: 2 }]);
  });

  test('pages large results with NextToken', async () => {
    const { Id } = await execute('select n, repeat(\'x\', 10) as pad from generate_series(1, 2500) as n order by n');
    await waitForStatement(client, Id!);
    const first = await client.send(new GetStatementResultCommand({ Id }));
    expect(first).toMatchObject({ TotalNumRows: 2500 });
    expect(first.Records).toHaveLength(1000);
    expect(first.NextToken).toBeDefined();
    const second = await client.send(new GetStatementResultCommand({ Id, NextToken: first.NextToken }));
    const third = await client.send(new GetStatementResultCommand({ Id, NextToken: second.NextToken }));
    expect(second.Records).toHaveLength(1000);
    expect(third.Records).toHaveLength(500);
    expect(third.NextToken).toBeUndefined();
    expect([first, second, third].flatMap((page) => page.Records!.map((record) => record[0].longValue))).toEqual(
      Array.from({ length: 2500 }, (_, index) => index + 1),
    );
    await expect(client.send(new GetStatementResultCommand({ Id, NextToken: 'not-a-token' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  test('a repeated ClientToken returns the original statement and runs nothing again', async () => {
    await runSql(client, 'create table stmt_tokens (x int)');
    const ClientToken = 'token-for-one-insert';
    const first = await execute('insert into stmt_tokens values (1)', { ClientToken });
    const again = await execute('insert into stmt_tokens values (1)', { ClientToken });
    expect(again.Id).toBe(first.Id);
    await waitForStatement(client, first.Id!);
    expect((await runSql(client, 'select count(*) as n from stmt_tokens')).rows).toEqual([{ n: 1 }]);
  });

  test('WaitTimeSeconds returns the status reached while waiting', async () => {
    const answer = await execute('select 1 as one', { WaitTimeSeconds: 5 });
    expect(answer).toMatchObject({ Status: 'FINISHED', HasResultSet: true });
    expect(answer.RedshiftPid).toBeGreaterThan(0);
  });

  test('a batch runs in one transaction with sub-statement ids and summed rows', async () => {
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ...TEST_TARGET,
        Sqls: ['create table batch_ok (x int)', 'insert into batch_ok values (1), (2)', 'insert into batch_ok values (3)', 'select x from batch_ok order by x'],
      }),
    );
    const done = await waitForStatement(client, Id!);
    expect(done).toMatchObject({ Status: 'FINISHED', ResultRows: 6, HasResultSet: true });
    expect(done.SubStatements!.map((sub) => [sub.Id, sub.Status, sub.ResultRows, sub.HasResultSet])).toEqual([
      [`${Id}:1`, 'FINISHED', 0, false],
      [`${Id}:2`, 'FINISHED', 2, false],
      [`${Id}:3`, 'FINISHED', 1, false],
      [`${Id}:4`, 'FINISHED', 3, true],
    ]);
    // The parent's ResultSize, like its ResultRows, sums its sub-statements'.
    expect(done.SubStatements![3].ResultSize).toBeGreaterThan(0);
    expect(done.ResultSize).toBe(done.SubStatements!.reduce((sum, sub) => sum + sub.ResultSize!, 0));
    const sub = await describeStatement(`${Id}:2`);
    expect(sub).toMatchObject({ Id: `${Id}:2`, Status: 'FINISHED', QueryString: 'insert into batch_ok values (1), (2)', ResultRows: 2 });
    const result = await client.send(new GetStatementResultCommand({ Id: `${Id}:4` }));
    expect(result.Records).toEqual([[{ longValue: 1 }], [{ longValue: 2 }], [{ longValue: 3 }]]);
    await expect(client.send(new GetStatementResultCommand({ Id }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'BatchExecuteStatement result can only be retrieved with sub-statement id.',
    });
  });

  test('a failing batch rolls back every earlier statement', async () => {
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ...TEST_TARGET,
        Sqls: ['create table batch_rolled_back (x int)', 'insert into batch_rolled_back values (1)', 'select 1/0', 'insert into batch_rolled_back values (2)'],
      }),
    );
    const done = await waitForStatement(client, Id!);
    expect(done).toMatchObject({ Status: 'FAILED', Error: 'ERROR: division by zero' });
    expect(done.SubStatements!.map((sub) => sub.Status)).toEqual(['FINISHED', 'FINISHED', 'FAILED', 'ABORTED']);
    expect(done.SubStatements![2].Error).toBe('ERROR: division by zero');
    const check = await runSql(client, "select to_regclass('public.batch_rolled_back') is null as gone");
    expect(check.rows).toEqual([{ gone: true }]);
  });

  test('TRUNCATE in a batch commits the statements before it, as in Redshift', async () => {
    await runSql(client, 'create table batch_kept (x int); create table batch_emptied (x int); insert into batch_emptied values (9)');
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls: ['insert into batch_kept values (1)', 'truncate batch_emptied', 'insert into batch_kept values (2)', 'select 1/0'] }),
    );
    expect((await waitForStatement(client, Id!)).Status).toBe('FAILED');
    expect((await runSql(client, 'select (select count(*) from batch_kept) as kept, (select count(*) from batch_emptied) as emptied')).rows).toEqual([
      { kept: 1, emptied: 0 },
    ]);
  });

  test('named parameters are shared by the statements of a batch', async () => {
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ...TEST_TARGET,
        Sqls: ['create table batch_params (name varchar(10))', 'insert into batch_params values (:name)', 'select name from batch_params'],
        Parameters: [{ name: 'name', value: 'sparkify' }],
      }),
    );
    await waitForStatement(client, Id!);
    const result = await client.send(new GetStatementResultCommand({ Id: `${Id}:3` }));
    expect(result.Records).toEqual([[{ stringValue: 'sparkify' }]]);
  });

  test('CancelStatement aborts a statement still waiting or running', async () => {
    const { Id } = await execute('create table cancel_me (x int); select pg_sleep(1.5)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await client.send(new CancelStatementCommand({ Id }))).toMatchObject({ Status: true });
    const done = await waitForStatement(client, Id!);
    expect(done.Status).toBe('ABORTED');
    // Nothing of an aborted statement stays.
    expect((await runSql(client, "select to_regclass('public.cancel_me') is null as gone")).rows).toEqual([{ gone: true }]);
    await expect(client.send(new CancelStatementCommand({ Id }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: `Could not cancel a query that is already in ABORTED state with ID: ${Id}`,
    });
  });

  if (kind === 'postgres') {
    test('cancelling a running statement stops it at once on the server engine', async () => {
      const { Id } = await execute('select pg_sleep(30)');
      await waitForStatus(client, Id!, 'STARTED');
      const started = Date.now();
      await client.send(new CancelStatementCommand({ Id }));
      expect((await waitForStatement(client, Id!)).Status).toBe('ABORTED');
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    test('two statements run at the same time on the server engine', async () => {
      const first = await execute('select pg_sleep(1.5)');
      const second = await execute('select pg_sleep(1.5)');
      await waitForStatus(client, first.Id!, 'STARTED');
      await waitForStatus(client, second.Id!, 'STARTED');
      const [one, two] = await Promise.all([describeStatement(first.Id!), describeStatement(second.Id!)]);
      // Both observed running at once, on different backends.
      expect([one.Status, two.Status]).toEqual(['STARTED', 'STARTED']);
      expect(one.RedshiftPid).not.toBe(two.RedshiftPid);
      await Promise.all([waitForStatement(client, first.Id!), waitForStatement(client, second.Id!)]);
    });
  } else {
    test('statements queue on the single PGlite connection; a queued one can be cancelled before it runs', async () => {
      const running = await execute('select pg_sleep(1)');
      const queued = await execute('create table never_created (x int)');
      await waitForStatus(client, running.Id!, 'STARTED');
      expect((await describeStatement(queued.Id!)).Status).toBe('PICKED');
      await client.send(new CancelStatementCommand({ Id: queued.Id }));
      expect((await describeStatement(queued.Id!)).Status).toBe('ABORTED');
      expect((await waitForStatement(client, running.Id!)).Status).toBe('FINISHED');
      expect((await runSql(client, "select to_regclass('public.never_created') is null as gone")).rows).toEqual([{ gone: true }]);
    });
  }
});

async function waitForStatus(client: RedshiftDataClient, id: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const described = await client.send(new DescribeStatementCommand({ Id: id }));
    if (described.Status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Statement ${id} never reached ${status}`);
}
