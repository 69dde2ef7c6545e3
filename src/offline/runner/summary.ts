/**
 * The end-of-run summary: row counts (from the execution output), this run's load errors (from
 * sys_load_error_detail) and the analytics answers (sql/analytics/*.sql), all read through the Data API.
 */
import { z } from 'zod';
import { utcTimestampText } from '../copy/pg-text';
import { readSql } from '../../pipeline/sql-files';
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

export interface RunSummary {
  counts: RunCounts;
  loadErrors: LoadErrors;
  analytics: { title: string; rows: Record<string, Value>[] }[];
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

export async function gatherSummary(warehouse: LocalWarehouse, counts: RunCounts, since: Date): Promise<RunSummary> {
  const loadErrors = await loadErrorsSince(warehouse, since);
  const analytics = [];
  for (const { title, file } of ANALYTICS) analytics.push({ title, rows: (await warehouse.query(readSql(file))).rows });
  return { counts, loadErrors, analytics };
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

export function formatSummary(summary: RunSummary): string {
  const { unusable_records, unusable_by_reason, ...tables } = summary.counts;
  const counts = Object.entries(tables).map(([table, rows]) => ({ table, rows }));
  const sections = [
    `Row counts\n${formatTable(counts)}`,
    formatLoadErrors(summary.loadErrors),
    unusable_records === 0
      ? 'Unusable records: none'
      : `Unusable records: ${unusable_records} (not published)\n${formatTable(Object.entries(unusable_by_reason).map(([reason, records]) => ({ reason, records })))}`,
    ...summary.analytics.map(({ title, rows }) => `${title}\n${formatTable(rows)}`),
  ];
  return sections.join('\n\n');
}

export function formatLoadErrors(loadErrors: LoadErrors): string {
  if (loadErrors.total === 0) return 'Load errors: none';
  const more = loadErrors.total - loadErrors.first.length;
  return `Load errors: ${loadErrors.total} record(s) rejected by COPY (sys_load_error_detail)\n${formatTable(loadErrors.first)}${more > 0 ? `\n… and ${more} more in sys_load_error_detail` : ''}`;
}
