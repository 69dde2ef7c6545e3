/**
 * The offline run: the real ASL file run in-process by aws-local-stepfunctions, each Task state calling
 * the real handler module in-process, the handlers talking over HTTP to the Data API emulator, and a
 * local folder mounted as the bucket. Waits are shortened, not skipped, so poll loops really loop.
 */
import './promise-polyfill';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { loadStateMachine, type OfflineStateMachine } from './definition';
import { invokeLambda, loadHandler, type LambdaHandler } from './lambda';
import { ProgressReporter, isStatementProgress, type StageUpdate, type StateFailure } from './progress';
import { countsFromOutput, type RunCounts } from './summary';
import type { LoadReport } from '../../pipeline/report';
import {
  OFFLINE_BUCKET, OFFLINE_COMPACTED_SONGS, OFFLINE_REGION, connectToWarehouse, offlineClientEnvironment, startLocalWarehouse, type LocalWarehouse, type WarehouseOptions,
} from './warehouse';

export const PROJECT_ROOT = path.resolve(__dirname, '../../..');

export interface OfflineRunnerOptions extends WarehouseOptions {
  /** Where serverless.yml and statemachine/ are; the repository by default. */
  projectRoot?: string;
  /** How long each Wait state really waits, in ms. */
  waitMs?: number;
  /** How long before each retry, in ms. */
  retryMs?: number;
  /** Overrides of the handlers' configuration variables (S3_LOG_DATA, …) over the offline defaults. */
  handlerEnv?: Record<string, string>;
  /** Receives each progress line; nothing is printed without it. */
  onProgress?: (line: string) => void;
  /** Receives each stage's state as it changes, for a live display. */
  onStageUpdate?: (update: StageUpdate) => void;
  /**
   * A Data API emulator that is already running (`sparkify emulator`), to run against instead of starting
   * one: it serves its own warehouse and bucket, and can be watched, queried and fault-injected meanwhile.
   */
  endpoint?: string;
}

const OFFLINE_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:sparkify-etl-offline';

/** The interpreter's JSON type, which the package does not export. */
type JsonValue = Parameters<StateMachine['run']>[0];

export type RunOutcome =
  | { succeeded: true; counts: RunCounts; output: unknown; loadReports: LoadReport[]; startedAt: Date; durationMs: number }
  | { succeeded: false; failure: StateFailure; executionError: string; rowsByStage: Record<string, number>; startedAt: Date; durationMs: number };

export interface OfflineRunner {
  warehouse: LocalWarehouse;
  /** Runs one execution; aborting `signal` stops it between states (the outcome is then a failure). */
  run(input?: unknown, signal?: AbortSignal): Promise<RunOutcome>;
  stop(): Promise<void>;
}

/** The handlers read their configuration from these variables, and create their SDK client from them. */
function handlerEnvironment(endpoint: string, overrides: Record<string, string>): Record<string, string> {
  const bucket = `s3://${OFFLINE_BUCKET}`;
  return {
    ...offlineClientEnvironment(endpoint),
    S3_LOG_DATA: `${bucket}/log_data`,
    S3_SONG_DATA: `${bucket}/song_data`,
    S3_LOG_JSONPATH: `${bucket}/log_json_path.json`,
    S3_REGION: OFFLINE_REGION,
    // Compaction is available offline (a run still asks for it with "compactSongs": true).
    S3_COMPACTED_SONGS: OFFLINE_COMPACTED_SONGS,
    COPY_ROLE_ARN: 'arn:aws:iam::000000000000:role/sparkify-offline-copy',
    // The handlers' structured JSON logs would repeat the runner's progress lines; POWERTOOLS_LOG_LEVEL=INFO shows them.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    // On stderr, whatever the level: stdout is for the run's results.
    SPARKIFY_LOGS_TO_STDERR: 'true',
    ...overrides,
  };
}

/** Variables that would point the handlers at a real account or mix with the dummy credentials. */
const CLEARED_VARIABLES = ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'REDSHIFT_WORKGROUP', 'REDSHIFT_SECRET_ARN'];

/**
 * The endpoint the handler modules were first loaded against. They keep their Data API client for the
 * life of the process, as a Lambda container does, so one process serves one emulator.
 */
let handlersBoundTo: string | undefined;

export async function startOfflineRunner(options: OfflineRunnerOptions): Promise<OfflineRunner> {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  const machine = await loadStateMachine(projectRoot);
  // Without a folder for the staging bucket, a fresh one for this runner, removed when it stops.
  const ownStaging = options.endpoint || options.stagingDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'sparkify-staging-'));
  let warehouse: LocalWarehouse;
  try {
    warehouse = options.endpoint ? connectToWarehouse(options.endpoint) : await startLocalWarehouse({ ...options, stagingDir: options.stagingDir ?? ownStaging });
  } catch (error) {
    if (ownStaging) await rm(ownStaging, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    await warehouse.stop();
    if (ownStaging) await rm(ownStaging, { recursive: true, force: true });
  };
  try {
    if (handlersBoundTo !== undefined && handlersBoundTo !== warehouse.endpoint) {
      throw new Error(`The handlers in this process already talk to ${handlersBoundTo}; start one offline runner per process`);
    }
    for (const name of CLEARED_VARIABLES) delete process.env[name];
    Object.assign(process.env, handlerEnvironment(warehouse.endpoint, options.handlerEnv ?? {}));
    handlersBoundTo = warehouse.endpoint;
    const handlers = await loadHandlers(machine);
    return {
      warehouse,
      run: (input = {}, signal) => runOnce(machine, handlers, input as JsonValue, options, signal),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function loadHandlers(machine: OfflineStateMachine): Promise<Map<string, LambdaHandler>> {
  const handlers = new Map<string, LambdaHandler>();
  for (const [state, target] of machine.tasks) {
    if (target.kind === 'lambda') handlers.set(state, await loadHandler(target.modulePath, target.exportName));
  }
  return handlers;
}

async function runOnce(
  machine: OfflineStateMachine,
  handlers: Map<string, LambdaHandler>,
  input: JsonValue,
  options: OfflineRunnerOptions,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const startedAt = new Date();
  const waitMs = options.waitMs ?? 150;
  const progress = new ProgressReporter(options.onProgress ?? (() => undefined), waitMs, options.onStageUpdate);
  /** The rows each stage's finished statements reported (for COPY: loaded), as far as the run got. */
  const rowsByStage: Record<string, number> = {};
  const overrides: NonNullable<RunOptions['overrides']> = {
    taskResourceLocalHandlers: {},
    waitTimeOverrides: Object.fromEntries(machine.waitStates.map((state) => [state, waitMs])),
    retryIntervalOverrides: Object.fromEntries(machine.retryStates.map((state) => [state, options.retryMs ?? 100])),
  };
  for (const [state, target] of machine.tasks) {
    overrides.taskResourceLocalHandlers![state] = async (taskInput) => {
      if (target.kind === 'sns-publish') {
        // The failure notification: offline there is no topic, so it is shown instead.
        const { Subject, Message } = (taskInput ?? {}) as { Subject?: unknown; Message?: unknown };
        progress.recordTaskNote(state, `notification not sent offline (SNS): ${String(Subject)}, ${String(Message).length} characters`);
        return { MessageId: randomUUID() };
      }
      const result = await invokeLambda(handlers.get(state)!, target.functionKey, taskInput);
      progress.recordTaskResult(state, target.functionKey, result);
      if (isStatementProgress(result) && result.status === 'FINISHED' && result.resultRows !== null) {
        rowsByStage[result.stage] = (rowsByStage[result.stage] ?? 0) + result.resultRows;
      }
      return result as JsonValue;
    };
  }

  // The context object Step Functions gives every execution; PlanRun names the run's tables after its id.
  const executionName = randomUUID();
  const context = {
    Execution: { Id: `${OFFLINE_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executionName}`, Name: executionName, Input: input, StartTime: startedAt.toISOString() },
    StateMachine: { Id: OFFLINE_STATE_MACHINE_ARN, Name: 'sparkify-etl-offline' },
  };
  const execution = new StateMachine(machine.definition).run(input, { overrides, context });
  signal?.addEventListener('abort', () => execution.abort(), { once: true });
  const logged = (async () => {
    for await (const event of execution.eventLogs) progress.onEvent(event);
  })();
  try {
    const output = await execution.result;
    await logged;
    return { succeeded: true, counts: countsFromOutput(output), output, loadReports: progress.loadReports, startedAt, durationMs: Date.now() - startedAt.getTime() };
  } catch (error) {
    await logged;
    const executionError = error instanceof Error ? (error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : error.message) : String(error);
    const failure = error instanceof ExecutionAbortedError
      ? { state: '(execution)', error: 'ExecutionAborted', cause: 'The run was stopped before it finished' }
      : (progress.rootFailure ?? { state: '(execution)', error: 'ExecutionFailed', cause: executionError });
    return { succeeded: false, failure, executionError, rowsByStage, startedAt, durationMs: Date.now() - startedAt.getTime() };
  }
}
