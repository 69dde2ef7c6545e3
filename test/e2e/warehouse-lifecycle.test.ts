import { CLUSTER, DeleteClusterCommand, ensureLines, PauseClusterCommand, ResumeClusterCommand, succeeded, useLifecycle } from './warehouse-lifecycle';

describe('a load meets the warehouse (pauseAfterLoad off)', () => {
  const life = useLifecycle(false);

  test('a paused cluster is resumed, polled until available with growing waits, loaded, and left running', async () => {
    expect(await life.status()).toBe('paused');
    life.progress.length = 0;
    const outcome = succeeded(await life.runner.run({}));
    expect(outcome.counts.songplays).toBe(life.dataset.expected.songplays);
    const lines = ensureLines(life.progress);
    expect(lines[0]).toMatch(/EnsureWarehouse: warehouse resuming, resumed by this run, next check in 5s on AWS/);
    expect(lines.at(-1)).toMatch(/EnsureWarehouse: warehouse available, resumed by this run$/);
    expect(life.progress.some((line) => /next check in 15s on AWS/.test(line))).toBe(true);
    expect(life.progress.some((line) => line.includes('PauseWarehouse'))).toBe(false);
    expect(await life.status()).toBe('available');
  });

  test('an available cluster is used as it is', async () => {
    life.progress.length = 0;
    succeeded(await life.runner.run({ mode: 'incremental', date: '2018-11-01' }));
    expect(ensureLines(life.progress)).toEqual([expect.stringMatching(/EnsureWarehouse: warehouse available$/)]);
  });

  test('a cluster that is resuming is waited for', async () => {
    await life.redshift().send(new PauseClusterCommand({ ClusterIdentifier: CLUSTER }));
    await life.settle('paused');
    await life.redshift().send(new ResumeClusterCommand({ ClusterIdentifier: CLUSTER }));
    life.progress.length = 0;
    succeeded(await life.runner.run({ mode: 'incremental', date: '2018-11-01' }));
    const lines = ensureLines(life.progress);
    expect(lines[0]).toMatch(/EnsureWarehouse: warehouse resuming, next check in 5s on AWS/);
    expect(lines.at(-1)).toMatch(/EnsureWarehouse: warehouse available$/);
  });

  test('any other state fails the run clearly, naming it, before any SQL', async () => {
    await life.redshift().send(new DeleteClusterCommand({ ClusterIdentifier: CLUSTER, SkipFinalClusterSnapshot: true }));
    life.progress.length = 0;
    const outcome = await life.runner.run({});
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure).toMatchObject({ state: 'EnsureWarehouse', error: 'WarehouseUnavailable' });
    expect(outcome.failure.cause).toBe('Cluster sparkify-offline is deleting; a load needs it available, or paused to resume it');
    expect(life.progress.some((line) => line.includes('CreateTables: started'))).toBe(false);
  });
});
