import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { formatLoadErrors, formatSummary, gatherSummary, loadErrorsSince, startOfflineRunner } from '../../offline/runner';
import { formatTiming } from '../../offline/runner/summary';
import { LiveProgress, type LogUpdate, type StageUpdate } from '../../offline/runner/progress';
import { EMBEDDED_ENGINE_HELP, ENGINE_HELP, ENGINE_OPTIONS, UsageError, chooseEngine, parseFlags, type ChosenEngine, type EngineFlagValues } from '../args';
import { httpEndpoint } from '../endpoint';
import { STOPPED_EXIT_CODE, onStopSignal, type StopSignal } from '../stop-signals';
import { ensureDefaultDataset, workspace } from '../workspace';

export const RUN_HELP = `Usage: sparkify run [--data DIR] [--json] [--progress auto|live|plain] [--engine pglite|postgres|embedded] [--database-url URL] [--data-dir DIR] [--input JSON] [--paused]
       sparkify run --endpoint URL [--json] [--input JSON]

Runs the whole nightly load offline: the state machine in statemachine/etl.asl.yml with the real
Lambda handlers, against the local Redshift Data API emulator, with DIR standing for s3://udacity-dend/.

  --data DIR                folder laid out like the bucket (song_data/, log_data/, log_json_path.json);
                            default: a generated dataset in .sparkify/data, written on first use
  --json                    print only the row counts, as one JSON object; if the run fails, the failing
                            state, error, cause, the rows each finished stage reported, and the load errors
  --progress MODE           live: one line per stage, redrawn in place; plain: a line per change, for
                            logs; auto (default): live when stderr is a terminal, else plain
  --input JSON              execution input (default {}: a full load; modes in the README, Operations)
  --paused                  start the local cluster paused, so the run resumes it first (as on a paused
                            cluster on AWS); not with --endpoint (start that emulator with --paused)
  --endpoint URL            run against a Data API emulator that is already running (sparkify emulator),
                            which serves its own bucket and warehouse; the run can then be watched,
                            queried and fault-injected from outside
${ENGINE_HELP}
${EMBEDDED_ENGINE_HELP}

Progress goes to stderr, the summary to stdout. Exit status: 0 success, 1 the run failed, 2 bad usage.`;

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('run', args, {
    data: { type: 'string' },
    json: { type: 'boolean' },
    input: { type: 'string' },
    endpoint: { type: 'string' },
    paused: { type: 'boolean' },
    progress: { type: 'string' },
    ...ENGINE_OPTIONS,
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const input = parseInput(values.input);
  const display = values.json ? undefined : await liveDisplay(values.progress);
  /** The command's own messages; on a live display they stay above it. */
  const progress = values.json ? () => undefined : display ? (line: string) => display.log(line) : (line: string) => console.error(line);
  // The live display replaces the runner's plain lines, which stay for logs and pipes.
  const reporting: Reporting = display
    ? { onStageUpdate: (update) => display.update(update) }
    : { onProgress: progress };
  let runner;
  let engine: ChosenEngine | undefined;
  try {
    if (values.endpoint !== undefined) {
      runner = await runnerOnEndpoint(values.endpoint, values, progress, reporting);
    } else {
      engine = await chooseEngine(values, workspace.root, progress);
      runner = await runnerOnLocalWarehouse(engine, values, progress, reporting);
    }
  } catch (error) {
    display?.stop();
    await engine?.stop();
    throw error;
  }
  // Ctrl-C (or SIGTERM) stops the execution and then the warehouse cleanly, so a kept PGlite directory stays whole.
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const release = onStopSignal((signal) => {
    stoppedBy = signal;
    display?.stop();
    console.error('Interrupted: stopping the run and the warehouse…');
    interrupt.abort();
  }, () => console.error('Still stopping: waiting for the warehouse to close…'));
  try {
    const outcome = await runner.run(input, interrupt.signal);
    display?.stop();
    if (stoppedBy) return STOPPED_EXIT_CODE[stoppedBy];
    if (!outcome.succeeded) {
      const { state, error, cause } = outcome.failure;
      console.error(`Run failed in state ${state}: ${error}: ${cause}`);
      // A rejected record fails the COPY; say which file, line and column.
      const loadErrors = await loadErrorsSince(runner.warehouse, outcome.startedAt);
      if (loadErrors.total > 0) console.error(formatLoadErrors(loadErrors));
      if (values.json) console.log(JSON.stringify({ state, error, cause, rowsByStage: outcome.rowsByStage, loadErrors }, null, 2));
      return 1;
    }
    if (values.json) {
      console.log(JSON.stringify(outcome.counts, null, 2));
    } else {
      const summary = await gatherSummary(runner.warehouse, outcome.counts, outcome.startedAt, outcome);
      console.log(formatSummary(summary));
      progress(formatTiming(outcome.durationMs, process.uptime() * 1000));
      if (engine?.clientUrl) {
        progress(`The warehouse is a PostgreSQL database: while \`sparkify emulator --engine embedded\` runs, psql or DBeaver opens ${engine.clientUrl}`);
      }
    }
    return 0;
  } finally {
    display?.stop();
    await runner.stop();
    await engine?.stop();
    release();
  }
}

type Reporting = { onProgress?: (line: string) => void; onStageUpdate?: (update: StageUpdate) => void };

/** The live display when asked for, or by default when stderr is a terminal; undefined for plain lines. */
async function liveDisplay(mode: string | undefined): Promise<LiveProgress | undefined> {
  if (mode !== undefined && !['auto', 'live', 'plain'].includes(mode)) throw new UsageError(`--progress must be auto, live or plain, got ${JSON.stringify(mode)}`);
  // A terminal that reports no size (some pseudo-terminals) would get an empty display.
  const live = mode === 'live' || ((mode ?? 'auto') === 'auto' && process.stderr.isTTY === true && process.stderr.columns > 0);
  if (!live) return undefined;
  // log-update is ESM only: loaded when the display is wanted.
  const { createLogUpdate } = await import('log-update');
  return new LiveProgress(process.stderr, createLogUpdate(process.stderr) as LogUpdate);
}

async function runnerOnLocalWarehouse(engine: ChosenEngine, values: { data?: string; paused?: boolean }, progress: (line: string) => void, reporting: Reporting) {
  if (values.data !== undefined && !(existsSync(values.data) && statSync(values.data).isDirectory())) {
    throw new UsageError(`--data ${values.data}: no such folder`);
  }
  const bucketDir = values.data !== undefined ? path.resolve(values.data) : await ensureDefaultDataset(progress);
  progress(`Starting the local warehouse (${engine.description}) with ${bucketDir} as s3://udacity-dend/`);
  if (values.paused) progress('The cluster starts paused: the run resumes it first');
  const { engine: kind, databaseUrl, warehouseDir } = engine;
  const stagingDir = workspace.staging;
  await mkdir(stagingDir, { recursive: true });
  return startOfflineRunner({ engine: kind, databaseUrl, warehouseDir, bucketDir, stagingDir, startPaused: values.paused, ...reporting });
}

async function runnerOnEndpoint(endpoint: string, values: EngineFlagValues & { data?: string; paused?: boolean }, progress: (line: string) => void, reporting: Reporting) {
  const local = (['data', 'engine', 'database-url', 'data-dir', 'paused'] as const).filter((flag) => values[flag] !== undefined);
  if (local.length > 0) {
    throw new UsageError(`--endpoint runs against an emulator that serves its own bucket and warehouse; drop ${local.map((flag) => `--${flag}`).join(', ')}`);
  }
  httpEndpoint(endpoint);
  progress(`Running against the emulator at ${endpoint}`);
  return startOfflineRunner({ endpoint, ...reporting });
}

/** The execution input: a JSON object, as the state machine's first state expects ({} = a full load). */
function parseInput(text: string | undefined): object {
  if (text === undefined) return {};
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input is not JSON: ${(error as Error).message}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UsageError(`--input must be a JSON object such as {} or {"mode": "incremental", "date": "2018-11-01"}, got ${text}`);
  }
  return input;
}
