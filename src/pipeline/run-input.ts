/**
 * The execution input and the stage handlers' input, validated with zod. `{}` is the default nightly
 * load: every staged event, all time, the star schema rebuilt from staging. A window limits the events
 * loaded into the star schema (and the facts replaced) to [start, end) and merges the dimensions; it
 * travels into the star SQL as Data API named parameters.
 */
import { z } from 'zod';

const isoTimestamp = z.iso.datetime({
  offset: true,
  error: (issue) => (issue.input === undefined ? 'is missing' : 'must be an ISO 8601 timestamp with a zone, e.g. 2018-11-01T00:00:00Z'),
});

export const runInputSchema = z.strictObject({
  window: z.strictObject({ start: isoTimestamp, end: isoTimestamp })
    .refine((w) => Date.parse(w.start) < Date.parse(w.end), { message: 'start must be before end', path: ['end'] })
    .optional(),
});
export type RunInput = z.infer<typeof runInputSchema>;

/** What a stage handler is given: the run (from the state machine), and `wait` for a single-stage invoke. */
export const stageEventSchema = z.strictObject({
  run: runInputSchema.default({}),
  wait: z.boolean().default(false),
});
export type StageEvent = z.input<typeof stageEventSchema>;

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

// Without a window the load covers all time; these bounds are beyond any event the app can produce.
const ALL_TIME = { start: '1900-01-01 00:00:00', end: '3000-01-01 00:00:00' };

/** The star SQL's named parameters (Data API values are strings; Redshift casts them). */
export interface StarParameters {
  /** The load window as UTC timestamps in Redshift's literal format, end exclusive. */
  window_start: string;
  window_end: string;
  /**
   * 'true' without a window: the staged data is then the whole truth, so every star table is rebuilt
   * from it. 'false' with a window: dimensions are merged, only the staged ids are replaced.
   */
  full_refresh: 'true' | 'false';
}

export function starParameters(run: RunInput): StarParameters {
  if (!run.window) return { window_start: ALL_TIME.start, window_end: ALL_TIME.end, full_refresh: 'true' };
  const asUtc = (iso: string) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
  return { window_start: asUtc(run.window.start), window_end: asUtc(run.window.end), full_refresh: 'false' };
}
