/**
 * The real Lambda handlers against the emulator, through the real SDK over HTTP: submit-and-return,
 * {"wait": true}, a whole generated dataset loaded stage by stage, input validation, and pollStatement's mapping
 * of every status (the unknown status and transient errors faked at the SDK boundary only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BatchExecuteStatementCommand, CancelStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import type { GeneratedDataset } from '../../src/datagen';
import { ENGINE_KINDS, startTestEmulator, waitForStatement, type TestEmulator } from '../support/engines';
import { nextWaitSeconds } from '../../src/pipeline/poll';
import { loadHandlers, setHandlerEnvironment, testContext, type Handlers } from './support/handlers';
import { OFFLINE_ENV } from './support/pipeline-sql';
import { writeTestDataset } from '../support/dataset';

const TARGET = { ClusterIdentifier: OFFLINE_ENV.REDSHIFT_CLUSTER_ID, DbUser: OFFLINE_ENV.REDSHIFT_DB_USER, Database: 'dev' };

/** The folder standing for S3, with the test dataset as the bucket udacity-dend. */
let s3Root: string;
let dataset: GeneratedDataset;
beforeAll(async () => {
  s3Root = await mkdtemp(path.join(os.tmpdir(), 'sparkify-handlers-'));
  dataset = await writeTestDataset(path.join(s3Root, 'udacity-dend'));
});
afterAll(() => rm(s3Root, { recursive: true, force: true }));

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

  /** The state machine's loop, without the waits: poll until the statement is no longer running. */
  async function pollUntilDone(progress: { stage: string; statementId: string; waitSeconds: number }) {
    let current = progress;
    const seen: string[] = [];
    for (;;) {
      const next = await handlers.pollStatement(current, testContext);
      seen.push(next.status);
      if (next.status === 'FINISHED') return { ...next, seen };
      expect(['SUBMITTED', 'PICKED', 'STARTED']).toContain(next.status);
      expect(next.waitSeconds).toBe(nextWaitSeconds(current.waitSeconds));
      current = next;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test('a stage submits and returns the statement id at once; pollStatement follows it to FINISHED', async () => {
    const submitted = await handlers.createTables({}, testContext);
    expect(submitted).toEqual({ stage: 'createTables', statementId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'SUBMITTED', resultRows: null, waitSeconds: 5 });
    const done = await pollUntilDone(submitted);
    expect(done).toMatchObject({ stage: 'createTables', statementId: submitted.statementId, status: 'FINISHED', waitSeconds: 0 });
  });

  test('a dataset loads stage by stage with {"wait": true} and reports the counts it predicts', async () => {
    const [events, songs] = await Promise.all([
      handlers.stageEvents({ wait: true }, testContext),
      handlers.stageSongs({ wait: true }, testContext),
    ]);
    const { songplays_matched: songplaysMatched, ...rowCounts } = dataset.expected;
    expect(events).toMatchObject({ stage: 'stageEvents', status: 'FINISHED', resultRows: rowCounts.staging_events });
    expect(songs).toMatchObject({ stage: 'stageSongs', status: 'FINISHED', resultRows: rowCounts.staging_songs });
    expect(await handlers.loadStar({ wait: true }, testContext)).toMatchObject({ stage: 'loadStar', status: 'FINISHED' });
    const checks = await handlers.checkQuality({ wait: true }, testContext);
    const report = await handlers.reportResults({ statementId: checks.statementId }, testContext);
    expect(report.rowCounts).toEqual(rowCounts);
    expect(report.songplaysMatched).toBe(songplaysMatched);
    // Run by hand, checkQuality's outcome carries the verdict, as reportResults gives it.
    expect(checks).toMatchObject({ stage: 'checkQuality', status: 'FINISHED', report });

    // A failing check fails the waited stage itself, naming the check.
    const { Id } = await emulator.client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'INSERT INTO users SELECT * FROM users WHERE user_id = 10' }));
    await waitForStatement(emulator.client, Id!);
    await expect(handlers.checkQuality({ wait: true }, testContext))
      .rejects.toMatchObject({ name: 'QualityCheckFailed', message: 'Quality checks failed: users_duplicate_keys (1 failing row)' });

    // A rerun gives the same counts.
    await handlers.loadStar({ wait: true }, testContext);
    const rerun = await handlers.reportResults({ statementId: (await handlers.checkQuality({ wait: true }, testContext)).statementId }, testContext);
    expect(rerun.rowCounts).toEqual(report.rowCounts);
    expect(rerun.songplaysMatched).toBe(songplaysMatched);
  }, 120_000);

  test('bad input is rejected with an error naming the field', async () => {
    await expect(handlers.loadStar({ run: { window: { start: 'last night', end: '2018-11-02T00:00:00Z' } } }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid loadStar input: run.window.start: must be an ISO 8601 timestamp') });
    await expect(handlers.stageEvents({ wiat: true }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: 'Invalid stageEvents input: (input): Unrecognized key: "wiat"' });
    await expect(handlers.pollStatement({ statementId: 'x' }, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid pollStatement input: stage:') });
    await expect(handlers.reportResults({}, testContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Invalid reportResults input: statementId:') });
  });

  test('FAILED becomes StatementFailed naming the stage, the error and the failing SQL of a batch', async () => {
    const { Id } = await emulator.client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: ['SELECT 1', 'SELECT * FROM no_such_table'] }));
    await waitForStatement(emulator.client, Id!);
    const failure = handlers.pollStatement({ stage: 'loadStar', statementId: Id, waitSeconds: 5 }, testContext);
    await expect(failure).rejects.toMatchObject({ name: 'StatementFailed' });
    await expect(failure).rejects.toThrow(new RegExp(`^Stage loadStar: statement ${Id} failed: ERROR: .*no_such_table.* \\| SQL: SELECT \\* FROM no_such_table$`));
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
    await expect(handlers.pollStatement({ stage: 'stageSongs', statementId: Id, waitSeconds: 5 }, testContext))
      .rejects.toMatchObject({ name: 'StatementAborted', message: `Stage stageSongs: statement ${Id} was aborted | SQL: ${sleepSql}` });
    await waitForStatement(emulator.client, blocker.Id!);
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
      await expect(handlers.pollStatement({ stage: 'checkQuality', statementId: Id, waitSeconds: 5 }, testContext))
        .rejects.toMatchObject({ name: 'UnknownStatementStatus', message: `Stage checkQuality: statement ${Id} has unknown status QUEUED | SQL: SELECT 1` });
    });

    test.each([
      ['ThrottlingException', 400],
      ['ActiveStatementsExceededException', 400],
      ['InternalServerException', 500],
    ])('%s (HTTP %d) surfaces as the one retryable TransientDataApiError', async (errorName, httpStatusCode) => {
      handlers.client().middlewareStack.add(() => async () => {
        throw Object.assign(new Error('injected'), { name: errorName, $metadata: { httpStatusCode }, $fault: httpStatusCode >= 500 ? 'server' : 'client' });
      }, { step: 'finalizeRequest', name: FAULT });
      await expect(handlers.loadStar({}, testContext))
        .rejects.toMatchObject({ name: 'TransientDataApiError', message: `BatchExecuteStatement: ${errorName}: injected` });
    });

    test('a client error such as ValidationException is not retryable: it propagates as itself', async () => {
      await expect(handlers.pollStatement({ stage: 'loadStar', statementId: 'not-an-id', waitSeconds: 5 }, testContext))
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
