/**
 * Reads the checkQuality batch's two results (quality checks, row counts) and turns them into the run
 * output, or into a QualityCheckFailed error naming every failed check and its count.
 */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { fetchResultRows, type Value } from '../redshift/data-api';

export const COUNTED_TABLES = ['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

export interface RunReport {
  rowCounts: Record<CountedTable, number>;
  /** Songplays whose song and artist were found in the catalogue. */
  songplaysMatched: number;
  checks: { check: string; failures: number }[];
}

export class QualityCheckFailedError extends Error {
  override name = 'QualityCheckFailed';
}

function asCount(value: Value, what: string): number {
  const count = typeof value === 'string' ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count)) throw new Error(`${what} is not a count: ${JSON.stringify(value)}`);
  return count;
}

export function buildReport(checkRows: Record<string, Value>[], countRows: Record<string, Value>[]): RunReport {
  const checks = checkRows.map((row) => ({ check: String(row.check_name), failures: asCount(row.failures, `check ${String(row.check_name)}`) }));
  const counts = new Map(countRows.map((row) => [String(row.table_name), asCount(row.row_count, `row count of ${String(row.table_name)}`)]));
  const countOf = (name: string) => {
    const count = counts.get(name);
    if (count === undefined) throw new Error(`Row counts have no entry for ${name}`);
    return count;
  };
  const rowCounts = Object.fromEntries(COUNTED_TABLES.map((table) => [table, countOf(table)])) as Record<CountedTable, number>;
  return { rowCounts, songplaysMatched: countOf('songplays_matched'), checks };
}

/** A failed check as the error names it: the *_not_empty checks of quality_checks.sql count 1 for an empty table. */
function describeFailure({ check, failures }: RunReport['checks'][number]): string {
  if (check.endsWith('_not_empty')) return `${check} (the table is empty)`;
  return `${check} (${failures} failing row${failures === 1 ? '' : 's'})`;
}

/** Fails when any check found offending rows; the message names each failed check and its count. */
export function assertChecksPassed(report: RunReport): void {
  const failed = report.checks.filter((c) => c.failures > 0);
  if (failed.length > 0) throw new QualityCheckFailedError(`Quality checks failed: ${failed.map(describeFailure).join(', ')}`);
}

/** checkQuality submits one batch: sub-statement 1 holds the checks, sub-statement 2 the row counts. */
export async function readRunReport(client: RedshiftDataClient, checkStatementId: string): Promise<RunReport> {
  const [checkRows, countRows] = await Promise.all([
    fetchResultRows(client, `${checkStatementId}:1`),
    fetchResultRows(client, `${checkStatementId}:2`),
  ]);
  return buildReport(checkRows, countRows);
}
