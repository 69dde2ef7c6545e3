import path from 'node:path';
import { invokeLambda, loadHandler } from '../../src/offline/runner/lambda';
import { CLUSTER, ensureLines, PauseClusterCommand, ResumeClusterCommand, succeeded, useLifecycle } from './warehouse-lifecycle';

describe('a load with pauseAfterLoad on', () => {
  const life = useLifecycle(true);

  test('the cluster this run resumed is paused again after the load', async () => {
    expect(await life.status()).toBe('paused');
    life.progress.length = 0;
    const outcome = succeeded(await life.runner.run({}));
    expect(outcome.counts.songplays).toBe(life.dataset.expected.songplays);
    expect(life.progress).toEqual(expect.arrayContaining([expect.stringMatching(/PauseWarehouse: done$/)]));
    await life.settle('paused');
  });

  test('after a failed run too, and the run still fails with its own error', async () => {
    life.progress.length = 0;
    const outcome = await life.runner.run({ mode: 'incremental', date: '2018-12-24' });
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.executionError).toContain("LoadsFailed: 1 of 1 load(s) failed and were not published; the others were. 2018-12-24: StatementFailed");
    expect(life.progress).toEqual(expect.arrayContaining([expect.stringMatching(/PauseWarehouseAfterFailure: done$/)]));
    await life.settle('paused');
  });

  test('a cluster that was already available is left running: the run did not resume it', async () => {
    // Resumed by hand, as an operator would before working on it.
    await life.redshift().send(new ResumeClusterCommand({ ClusterIdentifier: CLUSTER }));
    await life.settle('available');
    life.progress.length = 0;
    succeeded(await life.runner.run({ mode: 'incremental', date: '2018-11-01' }));
    expect(ensureLines(life.progress)).toEqual([expect.stringMatching(/EnsureWarehouse: warehouse available$/)]);
    expect(life.progress.some((line) => line.includes('PauseWarehouse'))).toBe(false);
    expect(await life.status()).toBe('available');
  });

  test('a pause that fails is reported as PauseFailed, naming the cluster and how the run ended', async () => {
    await life.redshift().send(new PauseClusterCommand({ ClusterIdentifier: CLUSTER }));
    await life.settle('paused');
    const pause = await loadHandler(path.resolve(__dirname, '../../functions/pauseWarehouse'), 'handler');
    const failed = { Error: 'LoadsFailed', Cause: '1 of 1 load(s) failed' };
    await expect(invokeLambda(pause, 'pauseWarehouse', { runError: failed })).rejects.toMatchObject({
      name: 'PauseFailed',
      message: expect.stringContaining('Could not pause cluster sparkify-offline after the failed run (LoadsFailed: 1 of 1 load(s) failed): InvalidClusterStateFault: You can only pause an ACTIVE Cluster'),
    });
  });
});
