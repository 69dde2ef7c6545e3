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

      // Progress came from the real stages and polls, with the rows each statement reported; the load's
      // lines carry its day. A staging batch shows the rows its COPY loaded (stageSongs' batch reports 211
      // in all: the 71 songs COPY loaded, then the catalogue's 71 songs and 69 artists).
      expect(progress).toEqual(expect.arrayContaining([
        expect.stringMatching(/PlanRun: done$/),
        expect.stringMatching(/CreateTables: createTables submitted statement [0-9a-f]{8}$/),
        expect.stringMatching(/PollStageSongs: stageSongs statement [0-9a-f]{8} FINISHED, 71 rows copied$/),
        expect.stringMatching(/StageEvents \[all days\]: stageEvents submitted statement [0-9a-f]{8}$/),
        expect.stringMatching(/PollStageEvents \[all days\]: stageEvents statement [0-9a-f]{8} FINISHED, 8056 rows copied$/),
        expect.stringMatching(/PollCheckLoad \[all days\]: checkLoad statement [0-9a-f]{8} FINISHED/),
        expect.stringMatching(/ReviewLoad \[all days\]: done$/),
        expect.stringMatching(/PollPublishLoad \[all days\]: publishLoad statement [0-9a-f]{8} FINISHED/),
        expect.stringMatching(/PollCountRows: countRows statement [0-9a-f]{8} FINISHED, 6 rows$/),
        expect.stringMatching(/execution succeeded$/),
      ]));
      // The run output: one load of every event, its staged records all accounted for, none unusable.
      expect(outcome.output).toEqual({
        mode: 'full',
        rowCounts: { staging_events: 8056, staging_songs: 71, songplays: 6820, users: 97, songs: 71, artists: 69, time: 6813 },
        songplaysMatched: 1,
        unusable: {},
        loads: [{ day: null, stagedEvents: 8056, stagedSongs: 71, songplays: 6820, unusable: {} }],
      });

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
