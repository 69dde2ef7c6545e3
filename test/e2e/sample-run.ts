/**
 * The end-to-end offline run on the real sample, shared by one test file per engine: a process holds
 * one offline runner (the handlers keep their Data API client), and jest gives each file its own.
 */
import type { EngineKind } from '../../src/offline/engines';
import { gatherSummary, startOfflineRunner, type OfflineRunner, type RunOutcome } from '../../src/offline/runner';
import { createTestWarehouse, type TestWarehouse } from '../support/engines';
import { SAMPLE, SAMPLE_COUNTS, describeWithSample } from '../support/sample';

function succeeded(outcome: RunOutcome) {
  if (!outcome.succeeded) throw new Error(`The run failed in ${outcome.failure.state}: ${outcome.failure.error}: ${outcome.failure.cause}`);
  return outcome;
}

export function describeSampleRun(kind: EngineKind): void {
  describeWithSample(`offline run of the sample on ${kind}`, () => {
    let warehouse: TestWarehouse;
    let runner: OfflineRunner;
    const progress: string[] = [];

    beforeAll(async () => {
      warehouse = await createTestWarehouse(kind);
      runner = await startOfflineRunner({ engine: kind, databaseUrl: warehouse.databaseUrl, bucketDir: SAMPLE, onProgress: (line) => progress.push(line) });
    });
    afterAll(async () => {
      await runner?.stop();
      await warehouse?.dispose();
    });

    test('loads exactly the counts of the sample README, and the summary answers the analytics', async () => {
      const outcome = succeeded(await runner.run({}));
      expect(outcome.counts).toEqual(SAMPLE_COUNTS);

      // Progress came from the real stages and polls, with the rows each statement reported.
      expect(progress).toEqual(expect.arrayContaining([
        expect.stringMatching(/CreateTables: createTables submitted statement [0-9a-f]{8}$/),
        expect.stringMatching(/PollStageEvents: stageEvents statement [0-9a-f]{8} FINISHED, 8056 rows$/),
        expect.stringMatching(/PollStageSongs: stageSongs statement [0-9a-f]{8} FINISHED, 71 rows$/),
        expect.stringMatching(/PollCheckQuality: checkQuality statement [0-9a-f]{8} FINISHED/),
        expect.stringMatching(/execution succeeded$/),
      ]));

      const summary = await gatherSummary(runner.warehouse, outcome.counts, outcome.startedAt);
      expect(summary.loadErrors.total).toBe(0);
      const [topSongs, byHour, byLevel] = summary.analytics;
      expect(topSongs.rows).toEqual([{ title: 'Setanta matins', artist: 'Elena', plays: 1 }]);
      expect(byHour.rows).toHaveLength(24);
      expect(byHour.rows.reduce((sum, row) => sum + Number(row.plays), 0)).toBe(6820);
      expect(byLevel.rows.map((row) => row.level)).toEqual(['free', 'paid']);
      expect(byLevel.rows.reduce((sum, row) => sum + Number(row.plays), 0)).toBe(6820);
    });

    test('a second run on the same warehouse gives the same counts', async () => {
      const outcome = succeeded(await runner.run({}));
      expect(outcome.counts).toEqual(SAMPLE_COUNTS);
      const { rows } = await runner.warehouse.query('SELECT COUNT(*) AS n FROM songplays');
      expect(rows).toEqual([{ n: 6820 }]);
    });
  });
}
