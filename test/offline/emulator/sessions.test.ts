import {
  DescribeStatementCommand, DescribeTableCommand, ExecuteStatementCommand, GetStatementResultCommand, ListTablesCommand, type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { ENGINE_KINDS, runSql, startTestEmulator, TEST_TARGET, useTestEmulator, waitForStatement } from '../../support/engines';

describe.each(ENGINE_KINDS)('Data API sessions on %s', (kind) => {
  let client: RedshiftDataClient;
  useTestEmulator(kind, (emulator) => (client = emulator.client));

  const inSession = async (SessionId: string, Sql: string) => {
    const { Id } = await client.send(new ExecuteStatementCommand({ SessionId, Sql }));
    return waitForStatement(client, Id!);
  };

  test('a kept-alive session keeps its temp tables between calls, then expires', async () => {
    const opened = await client.send(
      new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'create temp table scratch (x int)', SessionKeepAliveSeconds: 2 }),
    );
    expect(opened.SessionId).toMatch(/^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
    expect((await waitForStatement(client, opened.Id!)).Status).toBe('FINISHED');

    expect((await inSession(opened.SessionId!, 'insert into scratch values (1), (2)')).ResultRows).toBe(2);
    const counted = await inSession(opened.SessionId!, 'select count(*) as n from scratch');
    expect(counted).toMatchObject({ Status: 'FINISHED', SessionId: opened.SessionId });
    expect((await client.send(new GetStatementResultCommand({ Id: counted.Id }))).Records).toEqual([[{ longValue: 2 }]]);

    // A failed statement rolls back only itself; the session lives on.
    expect((await inSession(opened.SessionId!, 'insert into scratch values (3); select 1/0')).Status).toBe('FAILED');
    const recount = await inSession(opened.SessionId!, 'select count(*) as n from scratch');
    expect((await client.send(new GetStatementResultCommand({ Id: recount.Id }))).Records).toEqual([[{ longValue: 2 }]]);

    // Outside the session, the temp table does not exist.
    expect((await runSql(client, "select to_regclass('pg_temp.scratch') is null as absent")).rows).toEqual([{ absent: true }]);

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await expect(client.send(new ExecuteStatementCommand({ SessionId: opened.SessionId, Sql: 'select 1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Session does not exist or has expired.',
      ResourceId: opened.SessionId,
    });
  });

  test('a session runs one statement at a time', async () => {
    const opened = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select pg_sleep(1)', SessionKeepAliveSeconds: 1 }));
    await expect(client.send(new ExecuteStatementCommand({ SessionId: opened.SessionId, Sql: 'select 1' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: `Session ${opened.SessionId} is busy: statements in a session run one at a time.`,
    });
    await waitForStatement(client, opened.Id!);
    const described = await client.send(new DescribeStatementCommand({ Id: opened.Id }));
    expect(described.SessionId).toBe(opened.SessionId);
  });

  test('the emulator stops while a session is open and a statement waits for the engine', async () => {
    const own = await startTestEmulator(kind);
    let stopped = false;
    try {
      const opened = await own.client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select 1', SessionKeepAliveSeconds: 600 }));
      await waitForStatement(own.client, opened.Id!);
      // On PGlite this one waits (PICKED) for the connection the idle session holds.
      await own.client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select 2' }));
    } finally {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
      await Promise.race([own.stop().then(() => (stopped = true)), timeout]);
    }
    expect(stopped).toBe(true);
  });

  // Last: on PGlite the open session keeps the one connection until the emulator stops.
  test('the catalogue answers while a session is open, idle or running a statement', async () => {
    const opened = await client.send(
      new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'create table listed_in_session (x int)', SessionKeepAliveSeconds: 600 }),
    );
    expect((await waitForStatement(client, opened.Id!)).Status).toBe('FINISHED');
    const { Tables } = await client.send(new ListTablesCommand({ ...TEST_TARGET, TablePattern: 'listed_in_session' }));
    expect(Tables).toEqual([{ name: 'listed_in_session', schema: 'public', type: 'TABLE' }]);
    const { ColumnList } = await client.send(new DescribeTableCommand({ ...TEST_TARGET, Table: 'listed_in_session' }));
    expect(ColumnList?.map((column) => [column.name, column.typeName])).toEqual([['x', 'int4']]);
    // The session itself carries on.
    expect((await inSession(opened.SessionId!, 'insert into listed_in_session values (1)')).ResultRows).toBe(1);

    const { Id: sleeping } = await client.send(new ExecuteStatementCommand({ SessionId: opened.SessionId, Sql: 'select pg_sleep(1)' }));
    const whileBusy = await client.send(new ListTablesCommand({ ...TEST_TARGET, TablePattern: 'listed_in_session' }));
    expect(whileBusy.Tables).toHaveLength(1);
    expect((await waitForStatement(client, sleeping!)).Status).toBe('FINISHED');
  });
});
