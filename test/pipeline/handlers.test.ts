/**
 * The real Lambda handlers against the emulator, through the real SDK over HTTP: planRun, submit-and-return,
 * {"wait": true}, a whole generated dataset loaded stage by stage by hand (checked, reviewed, published,
 * counted and reported), a load refused before publishing, clean-up, input validation, and pollStatement's
 * mapping of every status, with a real serialization conflict (1023) resubmitted (the unknown status and
 * transient errors faked at the SDK boundary only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BatchExecuteStatementCommand, CancelStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import type { GeneratedDataset } from '../../src/datagen';
import { ENGINE_KINDS, runSql, startTestEmulator, waitForStatement, type TestEmulator } from '../support/engines';
import { conflictBackoffSeconds, MAX_STATEMENT_ATTEMPTS, nextWaitSeconds } from '../../src/pipeline/poll';
import { planRun, runIdOf, type RunPlan } from '../../src/pipeline/run-input';
import { loadHandlers, setHandlerEnvironment, testContext, type Handlers } from './support/handlers';
import { OFFLINE_ENV, sqlValue } from './support/pipeline-sql';
import { writeTestDataset } from '../support/dataset';

const TARGET = { ClusterIdentifier: OFFLINE_ENV.REDSHIFT_CLUSTER_ID, DbUser: OFFLINE_ENV.REDSHIFT_DB_USER, Database: 'dev' };
const EXECUTION_ID = 'arn:aws:states:us-west-2:123456789012:execution:sparkify-etl-test:handlers';

/** The plan a stage run by hand makes from {} (runId "manual"): a full run, one load of every event. */
const MANUAL: RunPlan = planRun({}).plan;
const ALL_DAYS = { day: null };

/** The folder standing for S3, with the test dataset as the bucket udacity-dend. */
let s3Root: string;
let dataset: GeneratedDataset;
beforeAll(async () => {
  s3Root = await mkdtemp(path.join(os.tmpdir(), 'sparkify-handlers-'));
  dataset = await writeTestDataset(path.join(s3Root, 'udacity-dend'));
});
afterAll(() => rm(s3Root, { recursive: true, force: true }));

/** A staged event row (staging_events' column order) with a NextSong play. */
const play = (user: number | null, ts: string, level: string) => [
  'Nobody', 'Logged In', 'Zed', 'M', 0, 'Zee', 100, level, 'Town, ST', 'PUT', 'NextSong', 1540919166796, 99999, 'No Such Song', 200, ts, 'x', user,
].map(sqlValue).join(', ');

describe.each(ENGINE_KINDS)('Lambda handlers on %s', (kind) => {
  let emulator: TestEmulator;
  let handlers: Handlers;

  beforeAll(async () => {
    emulator = await startTestEmulator(kind, { s3Root });
    setHandlerEnvironment(emulator.endpoint);
    handlers = await loadHandlers();
  });
  afterAll(async () => {
    handlers?.client().destroy();
    await emulator?.stop();
  });

  const sql = async (text: string) => {
    const run = await runSql(emulator.client, text);
    expect(run.error).toBeUndefined();
    return run.rows;
  };

  /** The state machine's loop, without the waits: poll until the statement is no longer running. */
  async function pollUntilDone(progress: { stage: string; statementId: string; waitSeconds: number }, plan: RunPlan = MANUAL, load?: { day: string | null }) {
    let current = progress;
    for (;;) {
      const next = await handlers.pollStatement({ statement: current, plan, load }, testContext);
      if (next.status === 'FINISHED') return next;
      expect(['SUBMITTED', 'PICKED', 'STARTED']).toContain(next.status);
      expect(next.waitSeconds).toBe(nextWaitSeconds(current.waitSeconds));
      current = next;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test('planRun makes the plan and the loads: the day before dayBefore, every day of a backfill', async () => {
    const runId = runIdOf(EXECUTION_ID);
    expect(await handlers.planRun({ input: { mode: 'incremental', dayBefore: '2018-11-02T03:00:00Z' }, executionId: EXECUTION_ID }, testContext)).toEqual({
      plan: { mode: 'incremental', runId, songs: false, compactSongs: false, fullRefresh: false, maxUnusable: 0, concurrency: 4 },
      loads: [{ day: '2018-11-01' }],
      warehouse: null,
    });
    const backfill = await handlers.planRun({ input: { mode: 'backfill', from: '2018-11-29', to: '2018-12-02' }, executionId: EXECUTION_ID }, testContext);
    expect(backfill.loads).toEqual([{ day: '2018-11-29' }, { day: '2018-11-30' }, { day: '2018-12-01' }, { day: '2018-12-02' }]);
    expect(backfill.plan).toMatchObject({ mode: 'backfill', runId, concurrency: 4 });
    expect(runId).toMatch(/^[0-9a-f]{12}$/);
  });

  test('a stage submits and returns the statement id at once; pollStatement follows it to FINISHED', async () => {
    const before = Date.now();
    const submitted = await handlers.createTables({}, testContext);
    expect(submitted).toEqual({
      stage: 'createTables', statementId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'SUBMITTED', resultRows: null, copiedRows: null,
      waitSeconds: 5, attempt: 1, submittedAt: expect.any(Number),
    });
    expect(submitted.submittedAt).toBeGreaterThanOrEqual(before);
    const done = await pollUntilDone(submitted);
    expect(done).toMatchObject({ stage: 'createTables', statementId: submitted.statementId, status: 'FINISHED', waitSeconds: 0, attempt: 1, submittedAt: submitted.submittedAt });
  });

  test('a dataset loads stage by stage, is reviewed before it is published, and reports the counts it predicts', async () => {
    const { songplays_matched: songplaysMatched, ...rowCounts } = dataset.expected;
    const [songs, events] = await Promise.all([
      handlers.stageSongs({ wait: true }, testContext),
      handlers.stageEvents({ wait: true }, testContext),
    ]);
    // A batch reports the rows of all its statements: the songs COPY loaded, then the catalogue's songs and artists.
    expect(songs).toMatchObject({
      stage: 'stageSongs', status: 'FINISHED', resultRows: rowCounts.staging_songs + rowCounts.songs + rowCounts.artists, copiedRows: rowCounts.staging_songs,
    });
    expect(events).toMatchObject({ stage: 'stageEvents', status: 'FINISHED', resultRows: rowCounts.staging_events, copiedRows: rowCounts.staging_events });

    // Run by hand, checkLoad's outcome carries the load's report.
    const checked = await handlers.checkLoad({ wait: true }, testContext);
    expect(checked).toMatchObject({ stage: 'checkLoad', status: 'FINISHED', report: { day: null, unusable: {} } });
    expect(checked.report.accounting).toMatchObject({ staged_events: rowCounts.staging_events, songplays: rowCounts.songplays, staged_songs: rowCounts.staging_songs, catalogue_songs: rowCounts.songs });
    // reviewLoad reads the same report, and reconciles the staged events with what COPY reported.
    const review = { plan: MANUAL, load: ALL_DAYS, checkStatementId: checked.statementId };
    const reviewed = await handlers.reviewLoad({ ...review, copiedEvents: events.resultRows }, testContext);
    expect(reviewed.checks).toEqual([...checked.report.checks, { check: 'staged_events_equal_copied', failures: 0 }].sort((a, b) => a.check.localeCompare(b.check)));
    expect(reviewed.accounting).toEqual(checked.report.accounting);
    await expect(handlers.reviewLoad({ ...review, copiedEvents: events.resultRows + 1 }, testContext)).rejects.toMatchObject({
      name: 'QualityCheckFailed', message: 'Quality checks failed for all days: staged_events_equal_copied (1 failing row)',
    });

    expect(await handlers.publishLoad({ wait: true }, testContext)).toMatchObject({ stage: 'publishLoad', status: 'FINISHED' });
    const counted = await handlers.countRows({ wait: true }, testContext);
    const published = { day: null, stagedEvents: reviewed.accounting.staged_events, stagedSongs: reviewed.accounting.staged_songs, songplays: reviewed.accounting.songplays, unusable: reviewed.unusable };
    const report = await handlers.reportResults({ plan: MANUAL, loads: [published], countStatementId: counted.statementId }, testContext);
    expect(report).toEqual({ mode: 'full', rowCounts, songplaysMatched, unusable: {}, loads: [published] });

    // A load that failed is named, with its cause, and the run fails.
    const failedLoad = { day: '2018-11-02', error: { Error: 'StatementFailed', Cause: JSON.stringify({ errorMessage: 'Stage stageEvents: statement x failed: no such prefix' }) } };
    await expect(handlers.reportResults({ plan: MANUAL, loads: [published, failedLoad], countStatementId: counted.statementId }, testContext)).rejects.toMatchObject({
      name: 'LoadsFailed',
      message: '1 of 2 load(s) failed and were not published; the others were. 2018-11-02: StatementFailed: Stage stageEvents: statement x failed: no such prefix',
    });
  }, 120_000);

  test('a load that fails its checks or holds unusable records is refused by checkLoad run by hand, and nothing is published', async () => {
    const counts = () => sql('SELECT (SELECT COUNT(*) FROM songplays) AS songplays, (SELECT COUNT(*) FROM users) AS users');
    const before = await counts();
    expect(before).toEqual([{ songplays: dataset.expected.songplays, users: dataset.expected.users }]);
    await handlers.stageEvents({ wait: true }, testContext);
    await sql(`INSERT INTO staging_events_manual_all VALUES (${play(999, '2018-11-30 23:00:00', 'premium')})`);
    await expect(handlers.checkLoad({ wait: true }, testContext)).rejects.toMatchObject({
      name: 'QualityCheckFailed',
      message: 'Quality checks failed for all days: songplays_level_free_or_paid (1 failing row), users_level_free_or_paid (1 failing row)',
    });

    await sql('DELETE FROM staging_events_manual_all WHERE user_id = 999');
    await sql(`INSERT INTO staging_events_manual_all VALUES (${play(null, '2018-11-30 23:00:00', 'free')})`);
    await expect(handlers.checkLoad({ wait: true }, testContext)).rejects.toMatchObject({
      name: 'UnusableRecords', message: '1 unusable record(s) in all days (play_without_user: 1), more than maxUnusable 0; nothing was published',
    });
    expect(await counts()).toEqual(before);

    // Allowed one unusable record, the same load is published without it: the same counts again.
    const allowOne = { run: { maxUnusable: 1 }, wait: true };
    const checked = await handlers.checkLoad(allowOne, testContext);
    expect(checked.report.unusable).toEqual({ play_without_user: 1 });
    await handlers.publishLoad(allowOne, testContext);
    expect(await counts()).toEqual(before);
  }, 120_000);

  test("cleanUp drops a load's tables or the run's own, and does nothing without a plan", async () => {
    const manualTables = () => sql("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%\\_manual%' ORDER BY table_name");
    await handlers.stageEvents({ wait: true }, testContext);
    expect(await manualTables()).toEqual(['load_artists_manual', 'load_songs_manual', 'staging_events_manual_all', 'staging_songs_manual'].map((table_name) => ({ table_name })));
    expect(await handlers.cleanUp({ plan: null }, testContext)).toEqual({ statementId: null });
    const load = await handlers.cleanUp({ plan: MANUAL, load: ALL_DAYS }, testContext);
    expect((await waitForStatement(emulator.client, load.statementId)).Status).toBe('FINISHED');
    expect(await manualTables()).toEqual(['load_artists_manual', 'load_songs_manual', 'staging_songs_manual'].map((table_name) => ({ table_name })));
    const run = await handlers.cleanUp({ plan: MANUAL }, testContext);
    expect((await waitForStatement(emulator.client, run.statementId)).Status).toBe('FINISHED');
    expect(await manualTables()).toEqual([]);
  });

  test('bad input is rejected with an error naming the field', async () => {
    await expect(handlers.planRun({ input: { mode: 'incremental', date: '2018-11-01', dayBefore: '2018-11-02T03:00:00Z' }, executionId: EXECUTION_ID }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid execution input: date: give exactly one of date (the day to load) and dayBefore') });
    await expect(handlers.planRun({ input: { mode: 'backfill', from: '2018-12-02', to: '2018-11-29' }, executionId: EXECUTION_ID }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: 'Invalid execution input: to: must not be before from' });
    await expect(handlers.planRun({ input: {} }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid planRun input: executionId:') });
    await expect(handlers.checkLoad({ run: { mode: 'incremental', date: '2018-02-30' } }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: 'Invalid execution input: date: is not a calendar date' });
    await expect(handlers.stageEvents({ wiat: true }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: 'Invalid stageEvents input: (input): Unrecognized key: "wiat"' });
    await expect(handlers.pollStatement({ statementId: 'x' }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid pollStatement input: statement:') });
    await expect(handlers.pollStatement({ statement: { stage: 'loadStar', statementId: 'x', submittedAt: 0 }, plan: MANUAL }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid pollStatement input: statement.stage:') });
    await expect(handlers.reviewLoad({ plan: MANUAL, load: ALL_DAYS, checkStatementId: 'x' }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid reviewLoad input: copiedEvents:') });
    await expect(handlers.reportResults({}, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid reportResults input: plan:') });
  });

  test('FAILED becomes StatementFailed naming the stage, the error and the failing SQL of a batch', async () => {
    const { Id } = await emulator.client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: ['SELECT 1', 'SELECT * FROM no_such_table'] }));
    await waitForStatement(emulator.client, Id!);
    const failure = handlers.pollStatement({ statement: { stage: 'checkLoad', statementId: Id, waitSeconds: 5, submittedAt: Date.now() }, plan: MANUAL }, testContext);
    await expect(failure).rejects.toMatchObject({ name: 'StatementFailed' });
    await expect(failure).rejects.toThrow(new RegExp(`^Stage checkLoad: statement ${Id} failed: ERROR: .*no_such_table.* \\| SQL: SELECT \\* FROM no_such_table$`));
  });

  test('ABORTED becomes StatementAborted', async () => {
    // Cancelled on both engines: the postgres server interrupts the sleep while it runs; PGlite (one
    // connection) cancels it while it still queues behind the blocker.
    const blocker = await emulator.client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT COUNT(*) FROM generate_series(1, 1000000)' }));
    const sleepSql = 'SELECT pg_sleep(10)';
    const { Id } = await emulator.client.send(new ExecuteStatementCommand({ ...TARGET, Sql: sleepSql }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await emulator.client.send(new CancelStatementCommand({ Id }));
    expect((await waitForStatement(emulator.client, Id!)).Status).toBe('ABORTED');
    await expect(handlers.pollStatement({ statement: { stage: 'stageSongs', statementId: Id, waitSeconds: 5, submittedAt: Date.now() }, plan: MANUAL }, testContext))
      .rejects.toMatchObject({ name: 'StatementAborted', message: `Stage stageSongs: statement ${Id} was aborted | SQL: ${sleepSql}` });
    await waitForStatement(emulator.client, blocker.Id!);
  });

  // PGlite runs one transaction at a time, so only a server can put two in a serialization cycle.
  (kind === 'postgres' ? test : test.skip)('a real 1023 conflict is resubmitted with the next attempt, until the last attempt fails the stage', async () => {
    await sql('CREATE TABLE cycled_ledger (id INT, total INT)');
    const writer = (id: number) => ['SELECT sum(total) FROM cycled_ledger', 'SELECT pg_sleep(0.4)', `INSERT INTO cycled_ledger VALUES (${id}, 10)`];
    const ids = await Promise.all([1, 2].map(async (id) => (await emulator.client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: writer(id) }))).Id!));
    const done = await Promise.all(ids.map((id) => waitForStatement(emulator.client, id)));
    const conflicted = done.find((statement) => statement.Status === 'FAILED')!;
    expect(conflicted.Error).toMatch(/^ERROR: 1023 DETAIL: Serializable isolation violation/);

    // The conflicted statement stands for createTables' first submission: its own SQL is submitted again.
    const statement = { stage: 'createTables', statementId: conflicted.Id, waitSeconds: 5, attempt: 1, submittedAt: Date.now() };
    const resubmitted = await handlers.pollStatement({ statement, plan: MANUAL }, testContext);
    expect(resubmitted).toEqual({
      stage: 'createTables', statementId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'SUBMITTED', resultRows: null, copiedRows: null,
      waitSeconds: conflictBackoffSeconds(2), attempt: 2, submittedAt: expect.any(Number),
    });
    expect(resubmitted.waitSeconds).toBe(5);
    expect(resubmitted.statementId).not.toBe(conflicted.Id);
    expect(await pollUntilDone(resubmitted)).toMatchObject({ stage: 'createTables', status: 'FINISHED', attempt: 2 });
    const third = await handlers.pollStatement({ statement: { ...statement, attempt: 3 }, plan: MANUAL }, testContext);
    expect(third).toMatchObject({ status: 'SUBMITTED', attempt: 4, waitSeconds: 20 });
    await pollUntilDone(third);

    await expect(handlers.pollStatement({ statement: { ...statement, attempt: MAX_STATEMENT_ATTEMPTS }, plan: MANUAL }, testContext)).rejects.toMatchObject({
      name: 'StatementConflict',
      message: expect.stringMatching(new RegExp(`^Stage createTables: statement ${conflicted.Id} failed: ERROR: 1023 DETAIL: Serializable isolation violation`)),
    });
  });

  describe('faults only AWS can produce, injected at the SDK boundary', () => {
    const FAULT = 'injected-fault';
    afterEach(() => handlers.client().middlewareStack.remove(FAULT));

    test('an unknown status becomes UnknownStatementStatus, never another wait', async () => {
      const { Id } = await emulator.client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT 1' }));
      handlers.client().middlewareStack.add((next) => async (args) => {
        const result = await next(args);
        (result.output as { Status?: string }).Status = 'QUEUED';
        return result;
      }, { step: 'initialize', name: FAULT });
      await expect(handlers.pollStatement({ statement: { stage: 'publishLoad', statementId: Id, waitSeconds: 5, submittedAt: Date.now() }, plan: MANUAL, load: ALL_DAYS }, testContext))
        .rejects.toMatchObject({ name: 'UnknownStatementStatus', message: `Stage publishLoad: statement ${Id} has unknown status QUEUED | SQL: SELECT 1` });
    });

    test.each([
      ['ThrottlingException', 400],
      ['ActiveStatementsExceededException', 400],
      ['InternalServerException', 500],
    ])('%s (HTTP %d) surfaces as the one retryable TransientDataApiError', async (errorName, httpStatusCode) => {
      handlers.client().middlewareStack.add(() => async () => {
        throw Object.assign(new Error('injected'), { name: errorName, $metadata: { httpStatusCode }, $fault: httpStatusCode >= 500 ? 'server' : 'client' });
      }, { step: 'finalizeRequest', name: FAULT });
      await expect(handlers.checkLoad({}, testContext))
        .rejects.toMatchObject({ name: 'TransientDataApiError', message: `BatchExecuteStatement: ${errorName}: injected` });
    });

    test('a client error such as ValidationException is not retryable: it propagates as itself', async () => {
      await expect(handlers.pollStatement({ statement: { stage: 'checkLoad', statementId: 'not-an-id', waitSeconds: 5, submittedAt: Date.now() }, plan: MANUAL }, testContext))
        .rejects.toMatchObject({ name: 'ValidationException' });
    });
  });
});

describe('configuration errors', () => {
  test('a bad environment variable fails the invocation with a message naming it', async () => {
    setHandlerEnvironment('http://127.0.0.1:9', { S3_SONG_DATA: 'file:///etc' });
    const handlers = await loadHandlers();
    await expect(handlers.stageSongs({}, testContext))
      .rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('Environment variable S3_SONG_DATA is invalid: "file:///etc"') });
  });
});
