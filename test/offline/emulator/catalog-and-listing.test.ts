import {
  BatchExecuteStatementCommand,
  DescribeTableCommand,
  ExecuteStatementCommand,
  ListDatabasesCommand,
  ListSchemasCommand,
  ListStatementsCommand,
  ListTablesCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { ENGINE_KINDS, runSql, TEST_TARGET, useTestEmulator, waitForStatement } from '../../support/engines';

describe.each(ENGINE_KINDS)('Data API listings and catalogue on %s', (kind) => {
  let client: RedshiftDataClient;
  useTestEmulator(kind, async (emulator) => {
    client = emulator.client;
    await runSql(
      client,
      `create schema analytics;
       create table public.songs (song_id varchar(18) not null, title varchar(256), year int2, duration numeric(10,5) default 0);
       create table public.song_stats (plays int8);
       create table analytics.top_songs (title varchar(256));
       create view public.songs_view as select title from public.songs`,
    );
  });

  test('ListDatabases names the one database the emulator serves', async () => {
    expect((await client.send(new ListDatabasesCommand(TEST_TARGET))).Databases).toEqual(['dev']);
  });

  test('ListSchemas filters by LIKE pattern', async () => {
    const all = await client.send(new ListSchemasCommand(TEST_TARGET));
    expect(all.Schemas).toEqual(expect.arrayContaining(['analytics', 'public', 'pg_catalog', 'information_schema', 'redshift_system']));
    const some = await client.send(new ListSchemasCommand({ ...TEST_TARGET, SchemaPattern: 'ana%' }));
    expect(some.Schemas).toEqual(['analytics']);
  });

  test('ListTables filters schemas and tables by pattern and says what each one is', async () => {
    const publicSongs = await client.send(new ListTablesCommand({ ...TEST_TARGET, SchemaPattern: 'public', TablePattern: 'song%' }));
    expect(publicSongs.Tables).toEqual([
      { name: 'song_stats', schema: 'public', type: 'TABLE' },
      { name: 'songs', schema: 'public', type: 'TABLE' },
      { name: 'songs_view', schema: 'public', type: 'VIEW' },
    ]);
    const system = await client.send(new ListTablesCommand({ ...TEST_TARGET, SchemaPattern: 'pg_catalog', TablePattern: 'pg_class' }));
    expect(system.Tables).toEqual([{ name: 'pg_class', schema: 'pg_catalog', type: 'SYSTEM TABLE' }]);
    const loadErrors = await client.send(new ListTablesCommand({ ...TEST_TARGET, TablePattern: '%load_error%' }));
    expect(loadErrors.Tables!.map((table) => table.name)).toEqual(expect.arrayContaining(['stl_load_errors', 'sys_load_error_detail']));
  });

  test('ListTables pages with MaxResults and NextToken', async () => {
    const first = await client.send(new ListTablesCommand({ ...TEST_TARGET, SchemaPattern: 'public', MaxResults: 2 }));
    expect(first.Tables).toHaveLength(2);
    const second = await client.send(new ListTablesCommand({ ...TEST_TARGET, SchemaPattern: 'public', MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Tables).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
  });

  test('DescribeTable lists the columns with their types, lengths and nullability', async () => {
    const described = await client.send(new DescribeTableCommand({ ...TEST_TARGET, Schema: 'public', Table: 'songs' }));
    expect(described.TableName).toBe('songs');
    expect(described.ColumnList!.map((column) => [column.name, column.typeName, column.nullable, column.precision, column.scale])).toEqual([
      ['song_id', 'varchar', 0, 18, 0],
      ['title', 'varchar', 1, 256, 0],
      ['year', 'int2', 1, 5, 0],
      ['duration', 'numeric', 1, 10, 5],
    ]);
    expect(described.ColumnList![3]).toMatchObject({ columnDefault: '0', schemaName: 'public', tableName: 'songs', isSigned: true });
  });

  test('naming another database is a connection failure', async () => {
    await expect(client.send(new ListSchemasCommand({ ...TEST_TARGET, Database: 'other' }))).rejects.toMatchObject({
      name: 'DatabaseConnectionException',
      message: 'FATAL: database "other" does not exist',
    });
    const run = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Database: 'other', Sql: 'select 1' }));
    expect(await waitForStatement(client, run.Id!)).toMatchObject({ Status: 'FAILED', Error: 'FATAL: database "other" does not exist' });
  });

  test('ListStatements shows FINISHED statements by default, newest first, by name prefix, paged', async () => {
    const ids: string[] = [];
    for (const name of ['nightly-load-1', 'nightly-load-2', 'ad-hoc']) {
      const { Id } = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select 1', StatementName: name }));
      await waitForStatement(client, Id!);
      ids.push(Id!);
    }
    const failed = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select 1/0', StatementName: 'nightly-load-broken' }));
    await waitForStatement(client, failed.Id!);
    const batch = await client.send(new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls: ['select 1', 'select 2'], StatementName: 'nightly-batch' }));
    await waitForStatement(client, batch.Id!);

    const nightly = await client.send(new ListStatementsCommand({ StatementName: 'nightly-load' }));
    expect(nightly.Statements!.map((statement) => [statement.StatementName, statement.Status])).toEqual([
      ['nightly-load-2', 'FINISHED'],
      ['nightly-load-1', 'FINISHED'],
    ]);
    const everyNightly = await client.send(new ListStatementsCommand({ StatementName: 'nightly', Status: 'ALL' }));
    expect(everyNightly.Statements!.map((statement) => statement.StatementName)).toEqual([
      'nightly-batch', 'nightly-load-broken', 'nightly-load-2', 'nightly-load-1',
    ]);
    expect(everyNightly.Statements![0]).toMatchObject({ IsBatchStatement: true, QueryStrings: ['select 1', 'select 2'] });
    expect(everyNightly.Statements![2]).toMatchObject({ Id: ids[1], IsBatchStatement: false, QueryString: 'select 1' });
    const onlyFailed = await client.send(new ListStatementsCommand({ Status: 'FAILED', StatementName: 'nightly' }));
    expect(onlyFailed.Statements!.map((statement) => statement.Id)).toEqual([failed.Id]);

    const firstPage = await client.send(new ListStatementsCommand({ StatementName: 'nightly', Status: 'ALL', MaxResults: 3 }));
    const secondPage = await client.send(new ListStatementsCommand({ StatementName: 'nightly', Status: 'ALL', MaxResults: 3, NextToken: firstPage.NextToken }));
    expect(firstPage.Statements).toHaveLength(3);
    expect(secondPage.Statements!.map((statement) => statement.StatementName)).toEqual(['nightly-load-1']);
    expect(secondPage.NextToken).toBeUndefined();
  });
});
