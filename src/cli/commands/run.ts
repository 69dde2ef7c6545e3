import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatLoadErrors, formatSummary, gatherSummary, loadErrorsSince, startOfflineRunner } from '../../offline/runner';
import { formatTiming } from '../../offline/runner/summary';
import { ENGINE_HELP, ENGINE_OPTIONS, UsageError, engineFlags, parseFlags, type EngineFlagValues } from '../args';
import { STOPPED_EXIT_CODE, onStopSignal, type StopSignal } from '../stop-signals';
import { ensureDefaultDataset, workspace } from '../workspace';

export const RUN_HELP = `Usage: sparkify run [--data DIR] [--json] [--engine pglite|postgres] [--database-url URL] [--data-dir DIR] [--input JSON] [--paused]
       sparkify run --endpoint URL [--json] [--input JSON]

Runs the whole nightly load offline: the state machine in statemachine/etl.asl.yml with the real
Lambda handlers, against the local Redshift Data API emulator, with DIR standing for s3://udacity-dend/.

  --data DIR                folder laid out like the bucket (song_data/, log_data/, log_json_path.json);
                            default: a generated dataset in .sparkify/data, written on first use
  --json                    print only the row counts, as one JSON object; if the run fails, the failing
                            state, error, cause, the rows each finished stage reported, and the load errors
  --input JSON              execution input (default {}: a full load; modes in the README, Operations)
  --paused                  start the local cluster paused, so the run resumes it first (as on a paused
                            cluster on AWS); not with --endpoint (start that emulator with --paused)
  --endpoint URL            run against a Data API emulator that is already running (sparkify emulator),
                            which serves its own bucket and warehouse; the run can then be watched,
                            queried and fault-injected from outside
${ENGINE_HELP}

Progress goes to stderr, the summary to stdout. Exit status: 0 success, 1 the run failed, 2 bad usage.`;

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('run', args, {
    data: { type: 'string' },
    json: { type: 'boolean' },
    input: { type: 'string' },
    endpoint: { type: 'string' },
    paused: { type: 'boolean' },
    ...ENGINE_OPTIONS,
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const input = parseInput(values.input);
  const progress = values.json ? () => undefined : (line: string) => console.error(line);
  const runner = values.endpoint !== undefined
    ? await runnerOnEndpoint(values.endpoint, values, progress)
    : await runnerOnLocalWarehouse(values, progress);
  // Ctrl-C (or SIGTERM) stops the execution and then the warehouse cleanly, so a kept PGlite directory stays whole.
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const release = onStopSignal((signal) => {
    stoppedBy = signal;
    console.error('Interrupted: stopping the run and the warehouse…');
    interrupt.abort();
  }, () => console.error('Still stopping: waiting for the warehouse to close…'));
  try {
    const outcome = await runner.run(input, interrupt.signal);
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
    }
    return 0;
  } finally {
    await runner.stop();
    release();
  }
}

async function runnerOnLocalWarehouse(values: EngineFlagValues & { data?: string; paused?: boolean }, progress: (line: string) => void) {
  const engine = engineFlags(values, workspace.warehouse);
  if (values.data !== undefined && !(existsSync(values.data) && statSync(values.data).isDirectory())) {
    throw new UsageError(`--data ${values.data}: no such folder`);
  }
  const bucketDir = values.data !== undefined ? path.resolve(values.data) : await ensureDefaultDataset(progress);
  progress(`Starting the local warehouse (${engine.engine}${engine.warehouseDir ? `, ${engine.warehouseDir}` : ''}) with ${bucketDir} as s3://udacity-dend/`);
  if (values.paused) progress('The cluster starts paused: the run resumes it first');
  return startOfflineRunner({ ...engine, bucketDir, startPaused: values.paused, onProgress: progress });
}

async function runnerOnEndpoint(endpoint: string, values: EngineFlagValues & { data?: string; paused?: boolean }, progress: (line: string) => void) {
  const local = (['data', 'engine', 'database-url', 'data-dir', 'paused'] as const).filter((flag) => values[flag] !== undefined);
  if (local.length > 0) {
    throw new UsageError(`--endpoint runs against an emulator that serves its own bucket and warehouse; drop ${local.map((flag) => `--${flag}`).join(', ')}`);
  }
  if (!/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) throw new UsageError(`--endpoint must be an http URL such as http://127.0.0.1:5439, got ${JSON.stringify(endpoint)}`);
  progress(`Running against the emulator at ${endpoint}`);
  return startOfflineRunner({ endpoint, onProgress: progress });
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
