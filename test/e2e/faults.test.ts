/**
 * The whole state machine under each fault class the emulator injects: 5xx after the work was done,
 * throttling, too many active statements, serialization conflicts (1023), the warehouse restarting
 * mid-run. Each run recovers or fails as designed, no statement runs twice, and the tables are right.
 * The runner works against an emulator this test starts itself (`endpoint`), so faults can be injected
 * and the emulator restarted from outside, as `sparkify run --endpoint` allows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListStatementsCommand } from '@aws-sdk/client-redshift-data';
import { generateDataset, type GeneratedDataset } from '../../src/datagen';
import type { FaultPlan, RunningEmulator } from '../../src/offline/emulator';
import { startOfflineEmulator, startOfflineRunner, type OfflineRunner, type RunOutcome } from '../../src/offline/runner';

const CONFLICT = 'ERROR: 1023 DETAIL: Serializable isolation violation on table - 0, transactions forming the cycle are: 0 (pid:0)';

describe('the run under injected faults', () => {
  let tmp: string;
  let dataset: GeneratedDataset;
  let emulator: RunningEmulator;
  let runner: OfflineRunner;
  const progress: string[] = [];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-faults-'));
    const bucket = path.join(tmp, 'bucket');
    dataset = await generateDataset({ outDir: bucket, songs: 30, users: 8, days: 2, eventsPerDay: 60, seed: 'faults' });
    emulator = await startOfflineEmulator({ bucketDir: bucket, warehouseDir: path.join(tmp, 'warehouse') });
    // Retries 0.6 s apart, so five outlast the emulator's restart (as 5 s, doubling, do on AWS).
    runner = await startOfflineRunner({ endpoint: emulator.endpoint, waitMs: 20, retryMs: 600, onProgress: (line) => progress.push(line) });
  }, 120_000);
  afterAll(async () => {
    await runner?.stop();
    await emulator?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** How many statements each stage has submitted so far, from the Data API's own ListStatements. */
  async function submissionsByName(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    let NextToken: string | undefined;
    do {
      const page = await runner.warehouse.client.send(new ListStatementsCommand({ Status: 'ALL', MaxResults: 100, NextToken }));
      for (const statement of page.Statements ?? []) counts[statement.StatementName ?? ''] = (counts[statement.StatementName ?? ''] ?? 0) + 1;
      NextToken = page.NextToken;
    } while (NextToken);
    return counts;
  }

  /** Runs a full load under `faults`; returns the outcome and the statements each stage submitted for it. */
  async function runUnder(faults: FaultPlan, input: unknown = {}) {
    const before = await submissionsByName();
    emulator.faults.add(faults);
    progress.length = 0;
    try {
      const outcome = await runner.run(input);
      const after = await submissionsByName();
      const submitted = Object.fromEntries(Object.entries(after).map(([name, n]) => [name, n - (before[name] ?? 0)]).filter(([, n]) => n !== 0));
      return { outcome, submitted };
    } finally {
      emulator.faults.clear();
    }
  }

  const ONCE_EACH = {
    'sparkify-createTables': 1, 'sparkify-stageSongs': 1, 'sparkify-stageEvents': 1, 'sparkify-checkLoad': 1,
    'sparkify-publishLoad': 1, 'sparkify-cleanUp': 1, 'sparkify-countRows': 1,
  };

  async function expectRightTables(outcome: RunOutcome) {
    if (!outcome.succeeded) throw new Error(`The run failed in ${outcome.failure.state}: ${outcome.failure.error}: ${outcome.failure.cause}`);
    expect(outcome.counts).toMatchObject({ songplays: dataset.expected.songplays, users: dataset.expected.users, time: dataset.expected.time });
    const { rows } = await runner.warehouse.query('SELECT COUNT(*) AS plays, COUNT(DISTINCT songplay_id) AS ids FROM songplays');
    expect(rows).toEqual([{ plays: dataset.expected.songplays, ids: dataset.expected.songplays }]);
  }

  test('a clean run submits each stage once', async () => {
    const { outcome, submitted } = await runUnder([]);
    await expectRightTables(outcome);
    expect(submitted).toEqual(ONCE_EACH);
  });

  test('a submission that reached the warehouse but answered 500, past the SDK and into the Retry, runs once', async () => {
    // Four answers of 500: the SDK's three attempts, then the state machine's Retry of the Lambda.
    const { outcome, submitted } = await runUnder([{ operation: 'BatchExecuteStatement', error: 'InternalServerException', afterWork: true, times: 4 }]);
    await expectRightTables(outcome);
    expect(submitted).toEqual(ONCE_EACH);
    expect(progress).toEqual(expect.arrayContaining([expect.stringMatching(/^\[\s*[\d.]+s\] CreateTables: retrying, attempt 2$/)]));
  });

  test('throttled polls and too many active statements are retried, and nothing runs twice', async () => {
    const { outcome, submitted } = await runUnder([
      { operation: 'DescribeStatement', error: 'ThrottlingException', times: 4 },
      { operation: 'ExecuteStatement', error: 'ActiveStatementsExceededException', times: 4 },
    ]);
    await expectRightTables(outcome);
    expect(submitted).toEqual(ONCE_EACH);
  });

  test('a 1023 serialization conflict is submitted again, with a new token, and the run recovers', async () => {
    const { outcome, submitted } = await runUnder([{ sql: 'LOCK songplays', fail: CONFLICT, times: 2 }]);
    await expectRightTables(outcome);
    expect(submitted).toEqual({ ...ONCE_EACH, 'sparkify-publishLoad': 3 });
    expect(progress).toEqual(expect.arrayContaining([
      expect.stringMatching(/PollPublishLoad \[all days\]: publishLoad statement failed with a transient error \(1023, lost connection\), submitted again as [0-9a-f]{8}, attempt 3$/),
    ]));
  });

  test('a conflict that keeps coming fails the load naming the stage, and a rerun puts the tables right', async () => {
    const { outcome } = await runUnder([{ sql: 'LOCK songplays', fail: CONFLICT, times: 5 }]);
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure).toMatchObject({ state: 'PollPublishLoad [all days]', error: 'StatementConflict' });
    expect(outcome.failure.cause).toMatch(/^Stage publishLoad: statement [0-9a-f-]{36} failed: ERROR: 1023 DETAIL: Serializable isolation violation/);
    expect(outcome.executionError).toContain('LoadsFailed: 1 of 1 load(s) failed and were not published');
    await expectRightTables((await runUnder([])).outcome);
  });

  test('the warehouse restarting in the middle of a COPY: the statement is submitted again and the run recovers', async () => {
    emulator.faults.add([{ sql: 'COPY staging_events', delayMs: 1500 }]);
    progress.length = 0;
    const run = runner.run({});
    while (!progress.some((line) => /StageEvents \[all days\]: stageEvents submitted/.test(line))) await new Promise((r) => setTimeout(r, 20));
    await emulator.restart();
    const outcome = await run;
    emulator.faults.clear();
    await expectRightTables(outcome);
    expect(progress).toEqual(expect.arrayContaining([
      expect.stringMatching(/PollStageEvents \[all days\]: stageEvents statement failed with a transient error \(1023, lost connection\), submitted again/),
    ]));
  }, 60_000);
});
