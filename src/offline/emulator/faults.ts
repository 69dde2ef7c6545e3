/**
 * Fault injection: what AWS and the warehouse throw at a client now and then (5xx answers, throttling,
 * a statement failing with a transient error, slow statements), on demand, for tests and for people
 * trying the pipeline. A plan is a list of faults, each firing on its next `times` matches (default 1).
 * See docs/emulator.md#fault-injection.
 */
import { z } from 'zod';
import { ApiError, validationError } from './api-error';
import type { Json } from './input';
import { DATA_API_OPERATIONS } from './operations';

type Operation = (input: Json) => Promise<Json>;

/** The API errors a fault can answer with, as AWS sends them. */
const API_ERRORS = {
  InternalServerException: { httpStatus: 500, message: 'Internal server error (fault injected by the emulator).' },
  ThrottlingException: { httpStatus: 400, message: 'Rate exceeded (fault injected by the emulator).' },
  ActiveStatementsExceededException: { httpStatus: 400, message: 'Active statements exceeded the allowed quota (fault injected by the emulator).' },
} as const;

type ApiErrorName = keyof typeof API_ERRORS;

const times = z.number().int().positive().default(1);
const sqlPattern = z.string().min(1).refine((pattern) => {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a regular expression');

const apiFaultSchema = z.strictObject({
  /** A Data API operation name, e.g. ExecuteStatement: a misspelt one would never fire. */
  operation: z.enum(DATA_API_OPERATIONS),
  error: z.enum(Object.keys(API_ERRORS) as [ApiErrorName, ...ApiErrorName[]]),
  /** Answer the error after the operation did its work (a submitted statement runs; the client sees the error). */
  afterWork: z.boolean().default(false),
  times,
});
/** A statement whose SQL matches `sql` (case-insensitive) FAILs with `fail` as its Error, without running. */
const failFaultSchema = z.strictObject({ sql: sqlPattern, fail: z.string().min(1), times });
/** A statement whose SQL matches `sql` stays STARTED for `delayMs` before it runs. */
const delayFaultSchema = z.strictObject({ sql: sqlPattern, delayMs: z.number().int().positive(), times });

const faultSchema = z.union([apiFaultSchema, failFaultSchema, delayFaultSchema]);

/**
 * Each fault is judged by the kind its keys say it is, so an error names the field at fault (a union
 * alone only says that nothing matched).
 */
const faultPlanSchema = z.array(
  z.unknown().transform((fault, context) => {
    const schema = typeof fault !== 'object' || fault === null ? faultSchema
      : 'operation' in fault ? apiFaultSchema
      : 'fail' in fault ? failFaultSchema
      : 'delayMs' in fault ? delayFaultSchema
      : faultSchema;
    const parsed = schema.safeParse(fault);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) context.addIssue(issue as never);
    return z.NEVER;
  }),
);

export type FaultPlan = z.input<typeof faultSchema>[];

type Fault = z.output<typeof faultSchema>;
type ApiFault = Extract<Fault, { operation: string }>;
type SqlFault = Exclude<Fault, ApiFault>;

/** What a matching SQL fault does to a statement. */
export type StatementFault = { fail: string } | { delayMs: number };

export class Faults {
  private apiFaults: ApiFault[] = [];
  private sqlFaults: SqlFault[] = [];

  /** Adds the plan's faults to those still armed; throws naming what is invalid. Returns how many were added. */
  add(plan: unknown): number {
    const faults = parseFaultPlan(plan);
    for (const fault of faults) {
      if ('operation' in fault) this.apiFaults.push(fault);
      else this.sqlFaults.push(fault);
    }
    return faults.length;
  }

  clear(): void {
    this.apiFaults = [];
    this.sqlFaults = [];
  }

  /** The error a call to `operation` answers with at this point of its work, if one is due. */
  apiError(operation: string, afterWork: boolean): ApiError | undefined {
    const fault = take(this.apiFaults, (f) => f.operation === operation && f.afterWork === afterWork);
    if (!fault) return undefined;
    const { httpStatus, message } = API_ERRORS[fault.error];
    return new ApiError(fault.error, httpStatus, message);
  }

  /** What happens to a statement with this SQL, if a fault matches it. */
  forStatement(sql: string): StatementFault | undefined {
    const fault = take(this.sqlFaults, (f) => new RegExp(f.sql, 'i').test(sql));
    if (!fault) return undefined;
    return 'fail' in fault ? { fail: fault.fail } : { delayMs: fault.delayMs };
  }
}

/** A fault plan, checked: throws naming what is invalid. */
export function parseFaultPlan(plan: unknown): Fault[] {
  const parsed = faultPlanSchema.safeParse(plan);
  if (!parsed.success) {
    throw new Error(
      `Invalid fault plan: ${z.prettifyError(parsed.error)}\nA plan is a JSON list of faults, each one of ` +
        `{operation, error: ${Object.keys(API_ERRORS).join(' | ')}, afterWork?, times?}, {sql, fail, times?}, {sql, delayMs, times?}.`,
    );
  }
  return parsed.data;
}

/** The first fault in `faults` that matches, counted down; it is disarmed after its last time. */
function take<T extends { times: number }>(faults: T[], matches: (fault: T) => boolean): T | undefined {
  const index = faults.findIndex(matches);
  if (index < 0) return undefined;
  const fault = faults[index];
  fault.times -= 1;
  if (fault.times === 0) faults.splice(index, 1);
  return fault;
}

/** The Data API operations, answering an injected error before or after their work when one is due. */
export function withFaults(operations: Record<string, Operation>, faults: Faults, targetPrefix: string): Record<string, Operation> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      `${targetPrefix}${name}`,
      async (input: Json) => {
        const before = faults.apiError(name, false);
        if (before) throw before;
        const output = await operation(input);
        const after = faults.apiError(name, true);
        if (after) throw after;
        return output;
      },
    ]),
  );
}

/** The emulator's control calls for faults: `SparkifyEmulator.InjectFaults` {Faults: [...]} and `SparkifyEmulator.ClearFaults`. */
export function faultControlOperations(faults: Faults): Record<string, Operation> {
  return {
    'SparkifyEmulator.InjectFaults': async (input) => {
      try {
        return { Added: faults.add(input.Faults) };
      } catch (error) {
        throw validationError((error as Error).message);
      }
    },
    'SparkifyEmulator.ClearFaults': async () => {
      faults.clear();
      return {};
    },
  };
}
