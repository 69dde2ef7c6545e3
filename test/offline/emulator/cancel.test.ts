import { CancelStatementCommand, DescribeStatementCommand, ExecuteStatementCommand, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ENGINE_KINDS, runSql, TEST_TARGET, useTestEmulator, waitForStatement } from '../../support/engines';

const SLOW_STATEMENTS = [
  'select pg_sleep(30)',
  // Minutes of pure computation: nothing for the engine to wait on, so only stopping it stops it.
  'select count(*) from generate_series(1, 100000) a, generate_series(1, 100000) b',
];

describe.each(ENGINE_KINDS)('CancelStatement on %s', (kind) => {
  let client: RedshiftDataClient;
  useTestEmulator(kind, async (emulator) => {
    client = emulator.client;
    await runSql(client, 'create table cancel_kept (x int)');
    await runSql(client, 'insert into cancel_kept values (1)');
  });

  // PGlite's worker is terminated at once, but the statement ends once a new one is up on the same data.
  const abortWithinMs = kind === 'postgres' ? 1000 : 2500;

  test.each(SLOW_STATEMENTS)('"%s" cancelled ends ABORTED quickly; the next statement runs and sees committed data', async (sql) => {
    const { Id } = await client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: `insert into cancel_kept values (2); ${sql}` }));
    await waitForStatus(client, Id!, 'STARTED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelledAt = Date.now();
    expect(await client.send(new CancelStatementCommand({ Id }))).toMatchObject({ Status: true });
    expect((await waitForStatement(client, Id!)).Status).toBe('ABORTED');
    expect(Date.now() - cancelledAt).toBeLessThan(abortWithinMs);
    expect((await runSql(client, 'select x from cancel_kept order by x')).rows).toEqual([{ x: 1 }]);
  });
});

async function waitForStatus(client: RedshiftDataClient, id: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if ((await client.send(new DescribeStatementCommand({ Id: id }))).Status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Statement ${id} never reached ${status}`);
}
