/**
 * Offline performance figures; prints, asserts nothing. `npm run bench -- --help` lists the flags.
 *
 * Measures: generating the dataset; the whole offline run (state machine, handlers, emulator); the
 * COPY stage alone through the Data API (the stageEvents SQL, CREATE TABLE + COPY of log_data/); the
 * engine's own COPY FROM STDIN of the same rows, already converted to text, for comparison; peak RSS.
 */
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EVENT_FIELDS, generateDataset } from '../src/datagen';
import { startOfflineRunner } from '../src/offline/runner';
import { createEngine, type EngineKind } from '../src/offline/engines';
import { encodeRow, inChunks, utcTimestampText } from '../src/offline/copy/pg-text';
import { loadConfig } from '../src/pipeline/config';
import { planRun } from '../src/pipeline/run-input';
import { stageSubmission } from '../src/pipeline/stages';
import { submitStatement } from '../src/redshift/data-api';
import { pollStatement, submitted } from '../src/pipeline/poll';
import { readSql } from '../src/pipeline/sql-files';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npm run bench -- [--events N] [--songs N] [--days N] [--engine pglite|postgres] [--database-url URL] [--copy-only]

Prints offline performance figures and asserts nothing: generating a dataset, the whole offline run, the
COPY stage alone through the Data API, the engine's own COPY FROM STDIN of the same rows, peak RSS.

  --events N            events to generate, at least 10 (default 50000)
  --songs N             songs in the catalogue (default 1000)
  --days N              days of events, one log file each (default 10)
  --engine E            pglite (default, embedded) or postgres
  --database-url URL    the PostgreSQL server for --engine postgres
  --copy-only           skip the end-to-end run, time the COPYs
  --json-out FILE       also write the figures as JSON (used by bench/suite.ts)`;

interface BenchOptions {
  events: number;
  songs: number;
  days: number;
  engine: EngineKind;
  databaseUrl?: string;
  copyOnly: boolean;
  jsonOut?: string;
}

/** One size on one engine, as bench/suite.ts collects it; times in ms, RSS in MB (this process's peak). */
export interface BenchFigures {
  events: number;
  songs: number;
  days: number;
  engine: EngineKind;
  generateMs: number;
  runMs: number | null;
  copyMs: number;
  copiedRows: number;
  rawCopyMs: number;
  rawRows: number;
  peakRssMb: number;
  /** Each stage of the end-to-end run (the live display's stages), first update to done, in ms. */
  stageMs: Record<string, number>;
}

/** The flags; a wrong one is a usage error, reported without a stack trace. */
function parseOptions(args: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: 'string', default: '50000' },
      songs: { type: 'string', default: '1000' },
      days: { type: 'string', default: '10' },
      engine: { type: 'string', default: 'pglite' },
      'database-url': { type: 'string' },
      'copy-only': { type: 'boolean', default: false },
      'json-out': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const events = Number(values.events);
  const songs = Number(values.songs);
  const days = Number(values.days);
  const engine = values.engine as EngineKind;
  if (!Number.isInteger(events) || events < 10 || !Number.isInteger(songs) || songs < 1) throw new Error('--events (≥ 10) and --songs take whole numbers');
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days takes a whole number from 1 to 366');
  if (engine !== 'pglite' && engine !== 'postgres') throw new Error('--engine is pglite or postgres');
  if (engine === 'postgres' && !values['database-url']) throw new Error('--engine postgres needs --database-url');
  return { events, songs, days, engine, databaseUrl: values['database-url'], copyOnly: values['copy-only'], jsonOut: values['json-out'] };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perSecond = (rows: number, ms: number) => `${fmt(rows / (ms / 1000))} rows/s`;
const peakRssMb = () => `${fmt(process.resourceUsage().maxRSS / 1024)} MB`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** The events as COPY text, in staging_events' column order, written to a file so the engine's COPY is timed alone. */
async function eventsAsCopyText(bucket: string, out: string): Promise<number> {
  const file = createWriteStream(out);
  let rows = 0;
  const logDir = path.join(bucket, 'log_data');
  for (const entry of (await readdir(logDir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
    for await (const line of createInterface({ input: createReadStream(path.join(entry.parentPath, entry.name)) })) {
      const event = JSON.parse(line) as Record<string, unknown>;
      const row = EVENT_FIELDS.map((field) => {
        const value = event[field];
        if (value === null || value === '') return null;
        return field === 'ts' ? utcTimestampText(new Date(value as number)) : String(value);
      });
      if (!file.write(encodeRow(row))) await once(file, 'drain');
      rows++;
    }
  }
  file.end();
  await once(file, 'finish');
  return rows;
}

async function main({ events, songs, days, engine, databaseUrl, copyOnly, jsonOut }: BenchOptions): Promise<void> {
  const figures: BenchFigures = { events, songs, days, engine, generateMs: 0, runMs: null, copyMs: 0, copiedRows: 0, rawCopyMs: 0, rawRows: 0, peakRssMb: 0, stageMs: {} };
  const stageStart = new Map<string, number>();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-bench-'));
  const bucket = path.join(tmp, 'bucket');
  try {
    // PGlite keeps its data in a folder, as `sparkify run` does; in memory the table itself would fill the RSS.
    const dataDir = (name: string) => (engine === 'pglite' ? path.join(tmp, name) : undefined);
    console.log(`sparkify bench: ${fmt(events)} events over ${days} days, ${fmt(songs)} songs, engine ${engine}, ${os.cpus().length} CPUs, Node ${process.version}`);

    const [dataset, generateMs] = await timed(() =>
      generateDataset({ outDir: bucket, songs, users: Math.max(10, Math.round(events / 1000)), days, eventsPerDay: Math.ceil(events / days), seed: 'bench' }));
    figures.generateMs = generateMs;
    const bytes = await folderBytes(bucket);
    console.log(`generate:            ${fmt(dataset.expected.staging_events)} events in ${seconds(generateMs)} (${fmt(dataset.expected.staging_events / (generateMs / 1000))} events/s), ${(bytes / 1e6).toFixed(1)} MB on disk; peak RSS ${peakRssMb()}`);

    const runner = await startOfflineRunner({ engine, databaseUrl, warehouseDir: dataDir('warehouse'), bucketDir: bucket,
      onStageUpdate: ({ stage, state }) => {
        const now = performance.now();
        if (!stageStart.has(stage)) stageStart.set(stage, now);
        if (state === 'done') figures.stageMs[stage] = now - stageStart.get(stage)!;
      } });
    try {
      // A stage as its Lambda submits it, waited for in-process.
      const { client } = runner.warehouse;
      const config = loadConfig();
      const scope = { plan: planRun({}).plan, load: { day: null } };
      const runStage = async (stage: 'createTables' | 'stageEvents') => {
        const id = await submitStatement(client, config.target, stageSubmission(stage, config, scope));
        // Polled every 10 ms: waitForStatement's 250 ms → 5 s steps would round the time up to its next poll.
        let progress = submitted(stage, id);
        while ((progress = await pollStatement(client, progress, { seconds: Number.POSITIVE_INFINITY, setting: 'none' })).status !== 'FINISHED') {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return progress;
      };
      if (copyOnly) {
        await runStage('createTables');
      } else {
        const [outcome, runMs] = await timed(() => runner.run({}));
        if (!outcome.succeeded) throw new Error(`The run failed in ${outcome.failure.state}: ${outcome.failure.error}: ${outcome.failure.cause}`);
        figures.runMs = runMs;
        console.log(`end-to-end run:      ${seconds(runMs)} for ${fmt(outcome.counts.staging_events)} events (${perSecond(outcome.counts.staging_events, runMs)}), songplays ${fmt(outcome.counts.songplays)}, matched ${fmt(outcome.counts.songplays_matched)}; peak RSS ${peakRssMb()}`);
      }

      // The stageEvents stage alone, timed from submit to FINISHED.
      const [copied, copyMs] = await timed(() => runStage('stageEvents'));
      figures.copyMs = copyMs;
      figures.copiedRows = copied.resultRows ?? 0;
      console.log(`COPY via Data API:   ${fmt(copied.resultRows ?? 0)} rows in ${seconds(copyMs)} (${perSecond(copied.resultRows ?? 0, copyMs)}), JSON with jsonpaths, CREATE + COPY; peak RSS ${peakRssMb()}`);
    } finally {
      await runner.stop();
    }
    // The run's peak, before the raw COPY below starts an engine of its own in this process.
    figures.peakRssMb = process.resourceUsage().maxRSS / 1024;

    const copyText = path.join(tmp, 'events.copy');
    const rows = await eventsAsCopyText(bucket, copyText);
    const rawEngine = await createEngine({ kind: engine, databaseUrl, dataDir: dataDir('raw-copy') });
    try {
      const session = await rawEngine.openSession();
      try {
        // A regular table, as staging is: a temporary one skips the write-ahead log and would flatter the engine.
        const table = readSql('staging/staging_events.sql').replace(/^[\s\S]*?CREATE TABLE {{staging_events}} \(/m, 'CREATE TABLE bench_raw_copy (').replace(/\)\s*DISTSTYLE[\s\S]*$/, ')');
        await session.query('DROP TABLE IF EXISTS bench_raw_copy');
        await session.query(table);
        const lines = createInterface({ input: createReadStream(copyText) });
        const [loaded, rawMs] = await timed(() => session.copyFrom('COPY bench_raw_copy FROM STDIN', inChunks((async function* () {
          for await (const line of lines) yield `${line}\n`;
        })())));
        figures.rawCopyMs = rawMs;
        figures.rawRows = loaded;
        console.log(`engine COPY (raw):   ${fmt(loaded)} of ${fmt(rows)} rows in ${seconds(rawMs)} (${perSecond(loaded, rawMs)}), text format FROM STDIN, no JSON; peak RSS ${peakRssMb()}`);
      } finally {
        await session.release();
      }
    } finally {
      await rawEngine.close();
    }
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(figures));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function start(args: string[]): void {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  main(options).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

if (require.main === module) start(process.argv.slice(2));
