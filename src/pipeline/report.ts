/**
 * The verdicts of a run. A load's verdict comes before it is published: its quality checks, and the
 * accounting of where each staged record went, read from the checkLoad batch (reviewLoad). The run's
 * verdict comes at the end: every load published, and the published row counts (reportResults).
 */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { fetchResultRows, type Value } from '../redshift/data-api';
import type { Load, RunPlan } from './run-input';

export interface CheckResult {
  check: string;
  failures: number;
}

/** The measures of sql/checks/load_accounting.sql. */
const MEASURES = [
  'staged_events', 'other_page_events', 'songplays', 'repeated_events',
  'unusable_no_page', 'unusable_play_without_ts', 'unusable_play_without_user', 'unusable_play_outside_day',
  'staged_songs', 'catalogue_songs', 'repeated_songs', 'unusable_song_without_id',
] as const;
type Measure = (typeof MEASURES)[number];
const UNUSABLE_MEASURES = MEASURES.filter((measure) => measure.startsWith('unusable_'));

export interface LoadReport {
  /** The day loaded; null for the whole log prefix. */
  day: string | null;
  checks: CheckResult[];
  accounting: Record<Measure, number>;
  /** Unusable records by reason (the measure without its unusable_ prefix); only reasons that occurred. */
  unusable: Record<string, number>;
}

export class QualityCheckFailedError extends Error {
  override name = 'QualityCheckFailed';
}
export class UnusableRecordsError extends Error {
  override name = 'UnusableRecords';
}
export class LoadsFailedError extends Error {
  override name = 'LoadsFailed';
}

function asCount(value: Value, what: string): number {
  const count = typeof value === 'string' ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count)) throw new Error(`${what} is not a count: ${JSON.stringify(value)}`);
  return count;
}

const dayName = (day: string | null) => day ?? 'all days';

/**
 * A load's report from its check rows, its accounting rows and the rows its COPY reported (unknown for a
 * stage run by hand). Three checks reconcile the stages with their sources: the staged table holds what
 * COPY read, and every staged event and song is accounted for.
 */
export function buildLoadReport(load: Load, checkRows: Record<string, Value>[], accountingRows: Record<string, Value>[], copiedEvents?: number): LoadReport {
  const measured = new Map(accountingRows.map((row) => [String(row.measure), asCount(row.amount, `measure ${String(row.measure)}`)]));
  const accounting = Object.fromEntries(MEASURES.map((measure) => {
    const amount = measured.get(measure);
    if (amount === undefined) throw new Error(`The load accounting has no measure ${measure}`);
    return [measure, amount];
  })) as Record<Measure, number>;
  const a = accounting;
  const unusableEvents = a.unusable_no_page + a.unusable_play_without_ts + a.unusable_play_without_user + a.unusable_play_outside_day;
  const checks = [
    ...checkRows.map((row) => ({ check: String(row.check_name), failures: asCount(row.failures, `check ${String(row.check_name)}`) })),
    ...(copiedEvents === undefined ? [] : [{ check: 'staged_events_equal_copied', failures: Math.abs(a.staged_events - copiedEvents) }]),
    { check: 'staged_events_accounted_for', failures: Math.abs(a.staged_events - (a.other_page_events + a.songplays + a.repeated_events + unusableEvents)) },
    { check: 'staged_songs_accounted_for', failures: Math.abs(a.staged_songs - (a.catalogue_songs + a.repeated_songs + a.unusable_song_without_id)) },
  ].sort((x, y) => x.check.localeCompare(y.check));
  const unusable = Object.fromEntries(UNUSABLE_MEASURES.filter((m) => a[m] > 0).map((m) => [m.slice('unusable_'.length), a[m]]));
  return { day: load.day, checks, accounting, unusable };
}

/** A failed check as the error names it: events_staged counts 1 for a load with no events at all. */
function describeFailure({ check, failures }: CheckResult): string {
  if (check === 'events_staged') return `${check} (no events in the partition)`;
  return `${check} (${failures} failing row${failures === 1 ? '' : 's'})`;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

/** Throws unless the load may be published: every check passed, and no more unusable records than allowed. */
export function assertPublishable(report: LoadReport, plan: RunPlan): void {
  const failed = report.checks.filter((c) => c.failures > 0);
  if (failed.length > 0) {
    throw new QualityCheckFailedError(`Quality checks failed for ${dayName(report.day)}: ${failed.map(describeFailure).join(', ')}`);
  }
  const unusable = total(report.unusable);
  if (unusable > plan.maxUnusable) {
    const reasons = Object.entries(report.unusable).map(([reason, n]) => `${reason}: ${n}`).join(', ');
    throw new UnusableRecordsError(
      `${unusable} unusable record(s) in ${dayName(report.day)} (${reasons}), more than maxUnusable ${plan.maxUnusable}; nothing was published`);
  }
}

/** checkLoad's batch ends with the checks, then the accounting: its last two sub-statements. */
export async function readLoadReport(client: RedshiftDataClient, load: Load, checkStatementId: string, statementCount: number, copiedEvents?: number): Promise<LoadReport> {
  const [checkRows, accountingRows] = await Promise.all([
    fetchResultRows(client, `${checkStatementId}:${statementCount - 1}`),
    fetchResultRows(client, `${checkStatementId}:${statementCount}`),
  ]);
  return buildLoadReport(load, checkRows, accountingRows, copiedEvents);
}

export const COUNTED_TABLES = ['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

/** A published load as the Map keeps it (LoadPublished in the ASL): small, as a year's backfill holds 366. */
export interface PublishedLoad {
  day: string | null;
  stagedEvents: number;
  stagedSongs: number;
  songplays: number;
  unusable: Record<string, number>;
}

/** What a load of the Map ends with: its summary, or the error that stopped it. */
export type LoadOutcome = PublishedLoad | { day: string | null; error: { Error: string; Cause: string } };

export interface RunReport {
  mode: RunPlan['mode'];
  /** Published star tables, and the records this run staged. */
  rowCounts: Record<CountedTable, number>;
  /** Songplays whose song and artist were found in the catalogue. */
  songplaysMatched: number;
  /** This run's unusable records by reason, over all of its loads. */
  unusable: Record<string, number>;
  loads: PublishedLoad[];
}

/** The run's report from its loads and the published row counts; fails naming every load that failed. */
export function buildRunReport(plan: RunPlan, outcomes: LoadOutcome[], countRows: Record<string, Value>[]): RunReport {
  const failed = outcomes.filter((o): o is Extract<LoadOutcome, { error: unknown }> => 'error' in o);
  if (failed.length > 0) {
    const causes = failed.map((o) => `${dayName(o.day)}: ${o.error.Error}: ${causeMessage(o.error.Cause)}`);
    throw new LoadsFailedError(`${failed.length} of ${outcomes.length} load(s) failed and were not published; the others were. ${causes.join(' | ')}`);
  }
  const loads = outcomes as PublishedLoad[];
  const counts = new Map(countRows.map((row) => [String(row.table_name), asCount(row.row_count, `row count of ${String(row.table_name)}`)]));
  const countOf = (name: string) => {
    const count = counts.get(name);
    if (count === undefined) throw new Error(`Row counts have no entry for ${name}`);
    return count;
  };
  // Each load has its own events but sees the run's one catalogue: its song reasons count once.
  const unusable: Record<string, number> = { ...loads[0]?.unusable };
  for (const load of loads.slice(1)) {
    for (const [reason, n] of Object.entries(load.unusable)) if (!reason.startsWith('song_')) unusable[reason] = (unusable[reason] ?? 0) + n;
  }
  return {
    mode: plan.mode,
    rowCounts: {
      staging_events: loads.reduce((sum, load) => sum + load.stagedEvents, 0),
      staging_songs: loads[0]?.stagedSongs ?? 0,
      songplays: countOf('songplays'), users: countOf('users'), songs: countOf('songs'), artists: countOf('artists'), time: countOf('time'),
    },
    songplaysMatched: countOf('songplays_matched'),
    unusable,
    loads,
  };
}

/** A Lambda error's Cause is JSON holding errorMessage; anything else (a Fail state's Cause) is shown as it is. */
export function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause text itself
  }
  return cause;
}
