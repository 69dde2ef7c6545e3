/**
 * The execution input, validated with zod, and the run plan made from it.
 *
 * Run modes:
 * - `{}` or `{"mode":"full"}`: stage every event and song, rebuild the star schema.
 * - `{"mode":"incremental","date":"YYYY-MM-DD"}`: load one UTC day's partition; `"dayBefore":"<time>"`
 *   instead of `date` loads the day before that time (what the nightly schedule sends).
 * - `{"mode":"backfill","from":"YYYY-MM-DD","to":"YYYY-MM-DD"}`: every day of the range, each one an
 *   incremental load, `concurrency` of them at a time.
 * Songs are staged in a full run; in the other modes only with `"songs": true`. `maxUnusable` is how many
 * unusable records a load may hold and still be published (default 0). `"compactSongs": true` (default
 * false) has the compactSongs stage fold the many small song objects into a few large ones before they are
 * COPYed; it needs songs staged and the compacted-songs location configured (S3_COMPACTED_SONGS).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A year and a day: the loads' outcomes must fit Step Functions' 256 KB state; run longer ranges in parts. */
export const MAX_BACKFILL_DAYS = 366;
export const DEFAULT_BACKFILL_CONCURRENCY = 4;
const MAX_BACKFILL_CONCURRENCY = 40;

const isoDay = z.string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be a date YYYY-MM-DD') })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((day) => {
    const parsed = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(day);
  }, 'is not a calendar date');

const isoTimestamp = z.iso.datetime({
  offset: true,
  error: (issue) => (issue.input === undefined ? 'is missing' : 'must be an ISO 8601 timestamp with a zone, e.g. 2018-11-02T03:00:00Z'),
});

const maxUnusable = z.number().int().nonnegative().optional();
const songs = z.boolean().optional();
const compactSongs = z.boolean().optional();

const fullInput = z.strictObject({ mode: z.literal('full'), maxUnusable, compactSongs });

const incrementalInput = z.strictObject({
  mode: z.literal('incremental'), date: isoDay.optional(), dayBefore: isoTimestamp.optional(), songs, maxUnusable, compactSongs,
})
  .refine((input) => (input.date === undefined) !== (input.dayBefore === undefined), {
    message: 'give exactly one of date (the day to load) and dayBefore (a time; the UTC day before it is loaded)',
    path: ['date'],
  });

const backfillInput = z.strictObject({
  mode: z.literal('backfill'),
  from: isoDay,
  to: isoDay,
  songs,
  maxUnusable,
  compactSongs,
  concurrency: z.number().int().min(1).max(MAX_BACKFILL_CONCURRENCY).optional(),
})
  .refine((input) => input.from <= input.to, { message: 'must not be before from', path: ['to'] })
  .refine((input) => daysBetween(input.from, input.to) <= MAX_BACKFILL_DAYS, {
    message: `the range may hold at most ${MAX_BACKFILL_DAYS} days`, path: ['to'],
  });

const MODES = ['full', 'incremental', 'backfill'] as const;

/** `{}` is the full load: the mode defaults to full before the modes are told apart. */
export const runInputSchema = z.preprocess(
  (input) => (typeof input === 'object' && input !== null && !Array.isArray(input) && !('mode' in input) ? { ...input, mode: 'full' } : input),
  z.object({ mode: z.enum(MODES, { error: `must be one of ${MODES.join(', ')}` }) }).passthrough()
    .pipe(z.discriminatedUnion('mode', [fullInput, incrementalInput, backfillInput])),
);
export type RunInput = z.input<typeof runInputSchema>;

/** What every stage of one execution shares; the state machine keeps it at $.plan. */
export const runPlanSchema = z.strictObject({
  mode: z.enum(MODES),
  /** Names the run's own tables: 12 hex digits of the execution id, or "manual" for a stage run by hand. */
  runId: z.string().regex(/^([0-9a-f]{12}|manual)$/),
  songs: z.boolean(),
  /** The song objects are compacted (compactSongs) and StageSongs COPYs them through the run's manifest. */
  compactSongs: z.boolean(),
  /** Full: the run's data is the whole truth, so every star table is rebuilt from it. */
  fullRefresh: z.boolean(),
  maxUnusable: z.number().int().nonnegative(),
  concurrency: z.number().int().min(1).max(MAX_BACKFILL_CONCURRENCY),
});
export type RunPlan = z.infer<typeof runPlanSchema>;

/** One load: the events of one UTC day's partition, or (day null) of the whole log prefix. */
export const loadSchema = z.strictObject({ day: isoDay.nullable() });
export type Load = z.infer<typeof loadSchema>;

export class InvalidInputError extends Error {
  override name = 'InvalidInput';
}

/**
 * Parses with a schema; a bad input becomes an InvalidInputError naming every bad field. No input at all
 * is {}: `serverless invoke local -f <stage>` without -d passes an empty string.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input === undefined || input === null || input === '' ? {} : input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
  throw new InvalidInputError(`Invalid ${what}: ${problems.join('; ')}`);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The run's table-name tag: a hash of the execution id, so two executions never share a table. */
export function runIdOf(executionId: string | undefined): string {
  return executionId === undefined ? 'manual' : createHash('sha256').update(executionId).digest('hex').slice(0, 12);
}

/** What the deployment offers beyond the input: compaction needs a place to write (S3_COMPACTED_SONGS). */
export interface PlanOptions {
  compactionConfigured?: boolean;
}

/** The plan and the loads of one execution; `executionId` is absent for a stage run by hand. */
export function planRun(input: unknown, executionId?: string, options: PlanOptions = {}): { plan: RunPlan; loads: Load[] } {
  const run = parseInput(runInputSchema, input, 'execution input');
  const songs = run.mode === 'full' ? true : (run.songs ?? false);
  const compactSongs = run.compactSongs ?? false;
  if (compactSongs && !songs) {
    throw new InvalidInputError('Invalid execution input: compactSongs: applies only when the run stages songs; add "songs": true');
  }
  if (compactSongs && !options.compactionConfigured) {
    throw new InvalidInputError(
      'Invalid execution input: compactSongs: compaction is not configured in this deployment (set the compactedSongs parameter, S3_COMPACTED_SONGS)');
  }
  const common = { runId: runIdOf(executionId), maxUnusable: run.maxUnusable ?? 0, concurrency: DEFAULT_BACKFILL_CONCURRENCY, songs, compactSongs };
  switch (run.mode) {
    case 'full':
      return { plan: { ...common, mode: 'full', fullRefresh: true }, loads: [{ day: null }] };
    case 'incremental': {
      const day = run.date ?? dayOf(Date.parse(run.dayBefore!) - DAY_MS);
      return { plan: { ...common, mode: 'incremental', fullRefresh: false }, loads: [{ day }] };
    }
    case 'backfill': {
      const start = Date.parse(`${run.from}T00:00:00Z`);
      const loads = Array.from({ length: daysBetween(run.from, run.to) }, (_, i) => ({ day: dayOf(start + i * DAY_MS) }));
      const concurrency = run.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
      return { plan: { ...common, mode: 'backfill', fullRefresh: false, concurrency }, loads };
    }
  }
}

/** The load SQL's named parameters (Data API values are strings; Redshift casts them). */
export interface LoadParameters {
  /** The load's window as UTC timestamps in Redshift's literal format, end exclusive. */
  window_start: string;
  window_end: string;
  full_refresh: 'true' | 'false';
}

// A load without a day covers all time; these bounds are beyond any event the app can produce.
const ALL_TIME = { start: '1900-01-01 00:00:00', end: '3000-01-01 00:00:00' };

export function loadParameters(plan: RunPlan, load: Load): LoadParameters {
  const full_refresh = plan.fullRefresh ? 'true' : 'false';
  if (!load.day) return { window_start: ALL_TIME.start, window_end: ALL_TIME.end, full_refresh };
  const start = Date.parse(`${load.day}T00:00:00Z`);
  return { window_start: `${load.day} 00:00:00`, window_end: `${dayOf(start + DAY_MS)} 00:00:00`, full_refresh };
}
