import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RESULT_TOO_LARGE, startEmulator, type RunningEmulator } from '../../../src/offline/emulator';
import { createTestClient, createTestWarehouse, ENGINE_KINDS, runSql, TEST_TARGET, waitForStatement, type TestWarehouse } from '../../support/engines';

describe.each(ENGINE_KINDS)('result limits on %s', (kind) => {
  let warehouse: TestWarehouse;
  let emulator: RunningEmulator;
  let client: RedshiftDataClient;

  beforeAll(async () => {
    warehouse = await createTestWarehouse(kind);
    // Room for one of the 2,000-row results below (about 88 KB of pages each), not two.
    emulator = await startEmulator({ engine: kind, databaseUrl: warehouse.databaseUrl, keptResultBytes: 120_000 });
    client = createTestClient(emulator.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await emulator.stop();
    await warehouse.dispose();
  });

  test('a result over the Data API cap (100 MB) FAILs with the documented text', async () => {
    // 1,800 rows of 60,000 bytes: 108 MB, each row under the 64 KB row limit.
    const run = await runSql(client, "select g, repeat('x', 60000) from generate_series(1, 1800) g");
    expect(run).toMatchObject({ status: 'FAILED', error: RESULT_TOO_LARGE });
    expect(RESULT_TOO_LARGE).toBe('Database response exceeded size limit');
    // Just under the cap is fine (and then evicted at once: it is over this emulator's kept-results cap).
    const { Id } = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: "select g, repeat('x', 60000) from generate_series(1, 1700) g" }));
    expect(await waitForStatement(client, Id!)).toMatchObject({ Status: 'FINISHED', ResultRows: 1700 });
  });

  test('past the kept-results cap the oldest result is evicted, and answers as an expired one', async () => {
    const query = "select g, 'row ' || g as label from generate_series(1, 2000) g";
    const first = await runSql(client, query);
    const second = await runSql(client, query);
    expect(second.rows).toHaveLength(2000);
    await expect(client.send(new GetStatementResultCommand({ Id: first.id }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Query does not exist.',
      $metadata: { httpStatusCode: 404 },
    });
    // The statement itself is still described.
    expect(await client.send(new DescribeStatementCommand({ Id: first.id }))).toMatchObject({ Status: 'FINISHED', ResultRows: 2000 });
    expect((await client.send(new GetStatementResultCommand({ Id: second.id }))).TotalNumRows).toBe(2000);
  });
});
