import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset, type GeneratedDataset } from '../../src/datagen';
import { gatherSummary, startOfflineRunner, type OfflineRunner } from '../../src/offline/runner';

describe('a generated dataset loads offline', () => {
  let tmp: string;
  let dataset: GeneratedDataset;
  let runner: OfflineRunner;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-datagen-load-'));
    dataset = await generateDataset({ outDir: path.join(tmp, 'bucket'), songs: 80, users: 15, days: 4, eventsPerDay: 250, seed: 'load-test' });
    runner = await startOfflineRunner({ bucketDir: path.join(tmp, 'bucket') });
  });
  afterAll(async () => {
    await runner?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  test('with exactly the counts the generator predicts, matched plays included, and no load errors', async () => {
    const outcome = await runner.run({});
    if (!outcome.succeeded) throw new Error(`run failed in ${outcome.failure.state}: ${outcome.failure.cause}`);
    expect(outcome.counts).toEqual(dataset.expected);
    expect(outcome.counts.songplays_matched).toBeGreaterThan(0);
    expect(outcome.counts.staging_events).toBe(4 * 250);
    const summary = await gatherSummary(runner.warehouse, outcome.counts, outcome.startedAt);
    expect(summary.loadErrors.total).toBe(0);
    // Users who changed level show their latest one; both levels are present.
    const { rows } = await runner.warehouse.query('SELECT DISTINCT level FROM users ORDER BY level');
    expect(rows).toEqual([{ level: 'free' }, { level: 'paid' }]);
  });
});
