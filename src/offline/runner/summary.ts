/**
 * The end-of-run summary: row counts and loads (from the execution output), each load's quality checks
 * (reviewLoad's reports), how many plays matched the catalogue, this run's load errors (from
 * sys_load_error_detail) and the analytics answers (sql/analytics/*.sql), all read through the Data API.
 */
import { z } from 'zod';
import { utcTimestampText } from '../copy/pg-text';
import { readSql } from '../../pipeline/sql-files';
import type { LoadReport } from '../../pipeline/report';
import type { Value } from '../../redshift/data-api';
import type { LocalWarehouse } from './warehouse';

const count = z.number().int().nonnegative();

/** What `sparkify run --json` prints, in this key order: the run's staged records, the published tables, its unusable records. */
export interface RunCounts {
  staging_events: number;
  staging_songs: number;
  songplays: number;
  users: number;
  songs: number;
  artists: number;
  time: number;
  songplays_matched: number;
  unusable_records: number;
  unusable_by_reason: Record<string, number>;
}

const executionOutputSchema = z.object({
  rowCounts: z.object({
    staging_events: count, staging_songs: count, songplays: count, users: count, songs: count, artists: count, time: count,
  }),
  songplaysMatched: count,
  unusable: z.record(z.string(), count),
});

/** Reads the counts from the state machine's output, or says what is missing. */
export function countsFromOutput(output: unknown): RunCounts {
  const parsed = executionOutputSchema.safeParse(output);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`The execution output lacks the row counts (${problems}): ${JSON.stringify(output)}`);
  }
  const { rowCounts: c, songplaysMatched, unusable } = parsed.data;
  return {
    staging_events: c.staging_events, staging_songs: c.staging_songs, songplays: c.songplays, users: c.users,
    songs: c.songs, artists: c.artists, time: c.time, songplays_matched: songplaysMatched,
    unusable_records: Object.values(unusable).reduce((sum, n) => sum + n, 0), unusable_by_reason: unusable,
  };
}

/** One published load as the execution output lists it (PublishedLoad). */
export interface LoadSummary {
  day: string | null;
  stagedEvents: number;
  songplays: number;
  unusable: Record<string, number>;
}

const loadsSchema = z.object({
  loads: z.array(z.object({ day: z.string().nullable(), stagedEvents: count, songplays: count, unusable: z.record(z.string(), count) })),
});

/** The loads of the execution output; none when it has no such list (an older definition). */
export function loadsFromOutput(output: unknown): LoadSummary[] {
  const parsed = loadsSchema.safeParse(output);
  return parsed.success ? parsed.data.loads : [];
}

export interface RunSummary {
  counts: RunCounts;
  loadErrors: LoadErrors;
  analytics: { title: string; rows: Record<string, Value>[] }[];
  loads: LoadSummary[];
  /** Each load's checks, in the order reviewLoad reported them; empty when the run did not say. */
  loadReports: LoadReport[];
  /** Users who played at both levels, whom "Free vs paid" counts twice. */
  levelChanges: { usersWithBothLevels: number; usersWhoPlayed: number };
}

export const ANALYTICS = [
  { title: 'Top songs', file: 'analytics/top_songs.sql' },
  { title: 'Plays by hour (UTC)', file: 'analytics/plays_by_hour.sql' },
  { title: 'Free vs paid', file: 'analytics/plays_by_level.sql' },
] as const;

/** Every rejected record is listed, up to this many (MAXERROR can allow 100000 per COPY); the rest are counted. */
const LOAD_ERRORS_SHOWN = 1000;

export interface LoadErrors {
  total: number;
  /** Each rejected record (the first LOAD_ERRORS_SHOWN), with file, line, position, column and reason. */
  first: Record<string, Value>[];
}

/**
 * Rejected records of the COPYs since `since`, from sys_load_error_detail: a kept warehouse still
 * holds those of earlier runs.
 */
export async function loadErrorsSince(warehouse: LocalWarehouse, since: Date): Promise<LoadErrors> {
  const sinceParameter = { since: utcTimestampText(since) };
  const total = await warehouse.query('SELECT COUNT(*) AS load_errors FROM sys_load_error_detail WHERE start_time >= :since', sinceParameter);
  const first = await warehouse.query(
    `SELECT file_name, line_number, position, column_name, error_code, error_message FROM sys_load_error_detail
     WHERE start_time >= :since ORDER BY start_time, file_name, line_number LIMIT ${LOAD_ERRORS_SHOWN}`,
    sinceParameter,
  );
  return { total: Number(total.rows[0]?.load_errors ?? 0), first: first.rows };
}

export async function gatherSummary(
  warehouse: LocalWarehouse, counts: RunCounts, since: Date, run: { output?: unknown; loadReports?: LoadReport[] } = {},
): Promise<RunSummary> {
  const loadErrors = await loadErrorsSince(warehouse, since);
  const analytics = [];
  for (const { title, file } of ANALYTICS) analytics.push({ title, rows: (await warehouse.query(readSql(file))).rows });
  const [changed] = (await warehouse.query(readSql('analytics/users_changing_level.sql'))).rows;
  const levelChanges = { usersWithBothLevels: Number(changed?.users_with_both_levels ?? 0), usersWhoPlayed: Number(changed?.users_who_played ?? 0) };
  return { counts, loadErrors, analytics, loads: loadsFromOutput(run.output), loadReports: run.loadReports ?? [], levelChanges };
}

/** Rows as an aligned text table; numbers right-aligned. */
export function formatTable(rows: Record<string, Value>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]);
  const text = (value: Value) => (value === null ? 'NULL' : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]).length)));
  const numeric = columns.map((column) => rows.every((row) => typeof row[column] === 'number' || row[column] === null));
  const cell = (value: string, i: number) => (numeric[i] ? value.padStart(widths[i]) : value.padEnd(widths[i]));
  const lines = [
    columns.map((column, i) => cell(column, i)).join('  '),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map((row) => columns.map((column, i) => cell(text(row[column]), i)).join('  ')),
  ];
  return lines.map((line) => line.trimEnd()).join('\n');
}

/** Below this share of matched plays, the summary says that song answers cover few plays. */
const LOW_MATCH_RATE = 0.5;

const thousands = (n: number) => n.toLocaleString('en-US');
const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

export function formatMatchRate(matched: number, songplays: number): string {
  if (songplays === 0) return 'Matched plays: no songplays to match';
  const rate = (100 * matched) / songplays;
  // Two decimals when one would round a real match down to 0.0%.
  const percent = rate > 0 && rate < 0.1 ? rate.toFixed(2) : rate.toFixed(1);
  const line = `Matched plays: ${thousands(matched)} of ${thousands(songplays)} songplays (${percent}%) matched a song and artist in the catalogue`;
  if (matched / songplays >= LOW_MATCH_RATE) return line;
  return `${line}.\n${thousands(songplays - matched)} plays name a song the catalogue does not hold: they count everywhere but in "Top songs", which shows only matched plays.`;
}

/** Per check, how many loads ran it and their failing rows: all zero on a published run. */
export function formatChecks(reports: LoadReport[]): string {
  if (reports.length === 0) return 'Quality checks: not reported by this run';
  const byCheck = new Map<string, { loads: number; failures: number }>();
  for (const { checks } of reports) {
    for (const { check, failures } of checks) {
      const row = byCheck.get(check) ?? { loads: 0, failures: 0 };
      byCheck.set(check, { loads: row.loads + 1, failures: row.failures + failures });
    }
  }
  const rows = [...byCheck].map(([check, { loads, failures }]) => ({ check, loads, failures, result: failures === 0 ? 'passed' : 'FAILED' }));
  const passed = rows.filter((row) => row.failures === 0).length;
  return `Quality checks: ${passed} of ${rows.length} passed, over ${reports.length} load(s)\n${formatTable(rows)}`;
}

function formatLoads(loads: LoadSummary[]): string {
  const rows = loads.map((load) => ({ day: load.day ?? 'all days', staged_events: load.stagedEvents, songplays: load.songplays, unusable: sumOf(load.unusable) }));
  return `Loads: ${loads.length}\n${formatTable(rows)}`;
}

function formatLevelChanges({ usersWithBothLevels, usersWhoPlayed }: RunSummary['levelChanges']): string {
  if (usersWithBothLevels === 0) return `Level changes: none; each of the ${thousands(usersWhoPlayed)} users who played did so at one level`;
  return `Level changes: ${thousands(usersWithBothLevels)} of the ${thousands(usersWhoPlayed)} users who played did so at both levels (they moved between free and paid), ` +
    `so the users above add up to ${thousands(usersWhoPlayed + usersWithBothLevels)}, counting each of them under both`;
}

export function formatSummary(summary: RunSummary): string {
  const { unusable_records, unusable_by_reason, ...tables } = summary.counts;
  const counts = Object.entries(tables).map(([table, rows]) => ({ table, rows }));
  const analytics = summary.analytics.map(({ title, rows }) => {
    const section = `${title}\n${formatTable(rows)}`;
    return title === 'Free vs paid' ? `${section}\n${formatLevelChanges(summary.levelChanges)}` : section;
  });
  const sections = [
    `Row counts\n${formatTable(counts)}`,
    formatMatchRate(summary.counts.songplays_matched, summary.counts.songplays),
    ...(summary.loads.length > 0 ? [formatLoads(summary.loads)] : []),
    formatChecks(summary.loadReports),
    formatLoadErrors(summary.loadErrors),
    unusable_records === 0
      ? 'Unusable records: none'
      : `Unusable records: ${unusable_records} (not published)\n${formatTable(Object.entries(unusable_by_reason).map(([reason, records]) => ({ reason, records })))}`,
    ...analytics,
  ];
  return sections.join('\n\n');
}

/** The run's own time and the command's, from process start: start-up and the summary's queries count too. */
export function formatTiming(runMs: number, commandMs: number): string {
  return `Run finished in ${(runMs / 1000).toFixed(1)}s; the command took ${(commandMs / 1000).toFixed(1)}s in all (start-up, warehouse, run and summary)`;
}

export function formatLoadErrors(loadErrors: LoadErrors): string {
  if (loadErrors.total === 0) return 'Load errors: none';
  const more = loadErrors.total - loadErrors.first.length;
  return `Load errors: ${loadErrors.total} record(s) rejected by COPY (sys_load_error_detail)\n${formatTable(loadErrors.first)}${more > 0 ? `\n… and ${more} more in sys_load_error_detail` : ''}`;
}
