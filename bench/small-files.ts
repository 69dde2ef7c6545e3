/**
 * `npm run bench:small-files`: the small-files problem, measured offline. Generates about 15,000 song
 * objects (the size of the real song_data, most of them one song each), then on each engine:
 * - COPY of the song prefix: every small object, as StageSongs reads it without compaction;
 * - compactSongs: the stage's own time (list, read with 32 GETs at a time, write the parts and the
 *   manifest), through the emulator's S3 API over HTTP with the real @aws-sdk/client-s3;
 * - COPY of the manifest: the same songs in a few large objects.
 * Each COPY is the stage's own COPY statement alone (its table created before the clock starts), submitted
 * through the Data API and timed from submit to FINISHED. Prints a markdown table; asserts nothing but that
 * both COPYs loaded the same number of rows.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { generateDataset } from '../src/datagen';
import { startEmulator, type RunningEmulator } from '../src/offline/emulator';
import type { EngineKind } from '../src/offline/engines';
import { startThrowawayPostgres } from '../src/offline/engines/embedded-postgres';
import { OFFLINE_CREDENTIALS, OFFLINE_REGION, OFFLINE_TARGET } from '../src/offline/runner/warehouse';
import { compactSongs } from '../src/pipeline/compact-songs';
import { loadConfig, type PipelineConfig } from '../src/pipeline/config';
import { planRun, type RunPlan } from '../src/pipeline/run-input';
import { stageSubmission } from '../src/pipeline/stages';
import { describeStatement, submitStatement } from '../src/redshift/data-api';

const USAGE = `Usage: npm run bench:small-files -- [--songs N] [--database-url URL | --postgres] [--slices N] [--repeat N]

  --songs N            song records to generate (default 15000; most files hold one song)
  --database-url URL   also measure on this PostgreSQL server (a fresh database is not made: use a scratch one)
  --postgres           also measure on a throwaway PostgreSQL server (embedded-postgres), removed afterwards
  --slices N           COMPACT_SLICES: the compacted object count is a multiple of it (default 2)
  --repeat N           time each COPY N times and report the fastest (default 3)
  --help               this text`;

interface Figures {
  engine: EngineKind;
  objects: number;
  songs: number;
  plainCopyMs: number;
  compactionMs: number;
  parts: number;
  compactedCopyMs: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      songs: { type: 'string', default: '15000' },
      'database-url': { type: 'string' },
      postgres: { type: 'boolean', default: false },
      slices: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const songs = Number(values.songs);
  const repeat = Number(values.repeat);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-small-files-'));
  const throwaway = values.postgres && !values['database-url'] ? await startThrowawayPostgres('sparkify-small-files-pg-') : undefined;
  try {
    const bucket = path.join(tmp, 'bucket');
    const started = Date.now();
    const dataset = await generateDataset({ outDir: bucket, songs, users: 5, days: 1, eventsPerDay: 10, seed: 'small-files' });
    console.error(`Generated ${dataset.expected.staging_songs} songs in ${dataset.songFiles} objects in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const engines: { kind: EngineKind; databaseUrl?: string }[] = [{ kind: 'pglite' }];
    const databaseUrl = values['database-url'] ?? throwaway?.url;
    if (databaseUrl) engines.push({ kind: 'postgres', databaseUrl });

    const rows: Figures[] = [];
    for (const engine of engines) {
      const staging = path.join(tmp, `staging-${engine.kind}`);
      await mkdir(staging);
      rows.push(await measure(engine.kind, engine.databaseUrl, bucket, staging, values.slices, repeat, dataset.songFiles));
    }
    console.log(markdown(rows, repeat));
    return 0;
  } finally {
    await throwaway?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

async function measure(kind: EngineKind, databaseUrl: string | undefined, bucket: string, staging: string, slices: string, repeat: number, objects: number): Promise<Figures> {
  const emulator: RunningEmulator = await startEmulator({
    engine: kind, databaseUrl, buckets: { 'udacity-dend': bucket, 'sparkify-staging': staging }, clusterId: OFFLINE_TARGET.clusterId,
  });
  const clientOptions = { endpoint: emulator.endpoint, region: OFFLINE_REGION, credentials: OFFLINE_CREDENTIALS };
  const dataApi = new RedshiftDataClient(clientOptions);
  const s3 = new S3Client(clientOptions);
  try {
    const config = loadConfig({
      REDSHIFT_CLUSTER_ID: OFFLINE_TARGET.clusterId, REDSHIFT_DB_USER: OFFLINE_TARGET.dbUser, REDSHIFT_DATABASE: OFFLINE_TARGET.database,
      S3_COMPACTED_SONGS: 's3://sparkify-staging/compacted_songs', COMPACT_SLICES: slices,
    });
    const plan = (compact: boolean, execution: string) => planRun({ compactSongs: compact }, execution, { compactionConfigured: true }).plan;
    await run(dataApi, config, stageSubmission('createTables', config, { plan: plan(false, 'bench') }).sqls);

    console.error(`[${kind}] COPY of the ${objects} small objects…`);
    const plain = await fastestCopy(dataApi, config, (i) => plan(false, `bench-plain-${i}`), repeat);

    console.error(`[${kind}] compactSongs…`);
    const compactedPlan = plan(true, 'bench-compacted');
    const compactionStarted = performance.now();
    const compaction = await compactSongs(s3, config, compactedPlan.runId);
    const compactionMs = performance.now() - compactionStarted;

    console.error(`[${kind}] COPY of the ${compaction.parts} compacted objects…`);
    // Every repetition COPYs the one manifest written above (its plan has that run id), into a fresh table.
    const compacted = await fastestCopy(dataApi, config, () => compactedPlan, repeat);
    if (compacted.rows !== plain.rows) throw new Error(`The COPYs loaded different row counts: ${plain.rows} from the prefix, ${compacted.rows} from the manifest`);
    return { engine: kind, objects, songs: plain.rows, plainCopyMs: plain.ms, compactionMs, parts: compaction.parts, compactedCopyMs: compacted.ms };
  } finally {
    dataApi.destroy();
    s3.destroy();
    await emulator.stop();
  }
}

/** stageSongs' own statements, split into what precedes the COPY (its fresh table), the COPY, and the rest. */
function songsCopy(config: PipelineConfig, plan: RunPlan) {
  const sqls = stageSubmission('stageSongs', config, { plan }).sqls;
  const copyAt = sqls.findIndex((sql) => /^\s*COPY /m.test(sql.replace(/^--.*$/gm, '')));
  return { before: sqls.slice(0, copyAt), copy: sqls[copyAt] };
}

async function fastestCopy(client: RedshiftDataClient, config: PipelineConfig, planOf: (i: number) => RunPlan, repeat: number) {
  let best = { ms: Infinity, rows: 0 };
  for (let i = 0; i < repeat; i++) {
    const { before, copy } = songsCopy(config, planOf(i));
    await run(client, config, before);
    const started = performance.now();
    const rows = await run(client, config, [copy]);
    const ms = performance.now() - started;
    if (ms < best.ms) best = { ms, rows: rows ?? 0 };
  }
  return best;
}

/** Submits and polls every 20 ms (not the pipeline's backoff: the figure is the statement's time); its rows. */
async function run(client: RedshiftDataClient, config: PipelineConfig, sqls: readonly string[]): Promise<number | null> {
  const statementId = await submitStatement(client, config.target, { name: 'bench-small-files', sqls });
  for (;;) {
    const description = await describeStatement(client, statementId);
    if (description.Status === 'FINISHED') return description.ResultRows ?? null;
    if (description.Status === 'FAILED' || description.Status === 'ABORTED') throw new Error(`Statement ${description.Status}: ${description.Error}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sec = (ms: number) => (ms / 1000).toFixed(2);

function markdown(rows: Figures[], repeat: number): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return [
    `Machine: ${os.cpus().length} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    '| engine | song objects | songs | COPY of the small objects (s) | compactSongs (s) | compacted objects | COPY of the manifest (s) | COPY speed-up | compactSongs + COPY (s) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.engine} | ${r.objects.toLocaleString('en-US')} | ${r.songs.toLocaleString('en-US')} | ${sec(r.plainCopyMs)} | ${sec(r.compactionMs)} | ${r.parts} | ${sec(r.compactedCopyMs)} | ${(r.plainCopyMs / r.compactedCopyMs).toFixed(1)}× | ${sec(r.compactionMs + r.compactedCopyMs)} |`),
    '',
    `Each COPY: the fastest of ${repeat}, submit to FINISHED through the Data API emulator. compactSongs: once, list + GET (32 at a time) + PUT through the emulator's S3 API over HTTP on 127.0.0.1.`,
  ].join('\n');
}

main().then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(1);
});
