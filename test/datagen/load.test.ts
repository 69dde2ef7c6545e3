import { generateDataset, type GeneratedDataset } from '../../src/datagen';
import { gatherSummary } from '../../src/offline/runner';
import { runnerOnScratchBucket } from '../e2e/scratch-runner';

describe('a generated dataset loads offline', () => {
  let dataset: GeneratedDataset;
  const scratch = runnerOnScratchBucket(async (bucket) => {
    dataset = await generateDataset({ outDir: bucket, songs: 80, users: 15, days: 4, eventsPerDay: 250, seed: 'load-test' });
  });

  test('with exactly the counts the generator predicts, matched plays included, and no load errors', async () => {
    const { runner } = scratch;
    const outcome = await runner.run({});
    if (!outcome.succeeded) throw new Error(`run failed in ${outcome.failure.state}: ${outcome.failure.cause}`);
    expect(outcome.counts).toEqual({ ...dataset.expected, unusable_records: 0, unusable_by_reason: {} });
    expect(outcome.counts.songplays_matched).toBeGreaterThan(0);
    expect(outcome.counts.staging_events).toBe(4 * 250);
    const summary = await gatherSummary(runner.warehouse, outcome.counts, outcome.startedAt);
    expect(summary.loadErrors.total).toBe(0);
    // Users who changed level show their latest one; both levels are present.
    const { rows } = await runner.warehouse.query('SELECT DISTINCT level FROM users ORDER BY level');
    expect(rows).toEqual([{ level: 'free' }, { level: 'paid' }]);
  });
});
