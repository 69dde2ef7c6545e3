/**
 * Turns the interpreter's event log into one readable line per step: a stage starting, each statement
 * status a poll sees, rows, retries, caught errors and failures. It also remembers the first failure
 * that was not retried away, which is the one a failed run is reported by.
 */
import type { StateMachine } from 'aws-local-stepfunctions';
import type { StatementProgress } from '../../pipeline/poll';
import type { LoadReport } from '../../pipeline/report';
import type { WarehouseProgress } from '../../pipeline/warehouse-readiness';

/** The package does not export its event type; take it from run()'s return type. */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

export interface StateFailure {
  state: string;
  error: string;
  cause: string;
}

/** Lambda errors carry Step Functions' Cause, a JSON text; show its message. */
export function causeMessage(cause: unknown): string {
  if (typeof cause !== 'string') return cause instanceof Error ? cause.message : JSON.stringify(cause ?? null);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a Fail state's Cause, or the interpreter's own message.
  }
  return cause;
}

/** Progress lines stay one line; the full cause is in the run's outcome. */
const EXCERPT_CHARS = 240;

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** Whether a Lambda's result, untyped here, is the pipeline's StatementProgress (stages and polls return one). */
export function isStatementProgress(value: unknown): value is StatementProgress {
  const v = value as Partial<StatementProgress> | null;
  return typeof v === 'object' && v !== null && typeof v.stage === 'string' && typeof v.statementId === 'string' && typeof v.status === 'string';
}

/** reviewLoad's result: a load's quality checks and the accounting of its records. */
function isLoadReport(value: unknown): value is LoadReport {
  const v = value as Partial<LoadReport> | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.checks) && typeof v.accounting === 'object' && v.accounting !== null;
}

function isWarehouseProgress(value: unknown): value is WarehouseProgress {
  const v = value as Partial<WarehouseProgress> | null;
  return typeof v === 'object' && v !== null && typeof v.status === 'string' && typeof v.ready === 'boolean' && typeof v.resumedByRun === 'boolean';
}

export class ProgressReporter {
  private readonly startedAt = Date.now();
  private readonly entered = new Set<string>();
  /** States whose error was just caught: their exit carries no result worth a line. */
  private readonly caught = new Set<string>();
  /** Per state, in the order the handlers returned: the Map runs one state for several loads at once. */
  private readonly taskResults = new Map<string, { functionKey: string; result: unknown }[]>();
  /** The day each Map iteration loads, from its first state's input, to label its lines. */
  private readonly iterationDays = new Map<number, string>();
  /** What a Task that is not a Lambda did, shown as its exit line. */
  private readonly taskNotes = new Map<string, string>();
  /** Failures in order; a retry takes its state's failure back off. */
  private readonly failures: StateFailure[] = [];
  /** Each load's checks as reviewLoad reported them; the execution output keeps only counts. */
  readonly loadReports: LoadReport[] = [];

  constructor(
    private readonly write: (line: string) => void,
    /** What each Wait state really waits offline, to show beside what it would wait on AWS. */
    private readonly waitMs: number,
  ) {}

  /** The Task wrapper hands over each handler's result, which the event log shows only after ResultPath. */
  recordTaskResult(state: string, functionKey: string, result: unknown): void {
    const queue = this.taskResults.get(state) ?? [];
    queue.push({ functionKey, result });
    this.taskResults.set(state, queue);
    if (isLoadReport(result)) this.loadReports.push(result);
  }

  /**
   * A line about a Task the runner stands in for (the SNS publish), shown when the event log reaches the
   * Task's exit: the handler runs before the log's own lines for that state are read.
   */
  recordTaskNote(state: string, text: string): void {
    this.taskNotes.set(state, text);
  }

  get rootFailure(): StateFailure | undefined {
    return this.failures[0];
  }

  onEvent(event: EventLog): void {
    const index = 'index' in event ? event.index : undefined;
    if (event.type === 'StateEntered' && index !== undefined && !this.iterationDays.has(index)) {
      const day = (event.state.input as { load?: { day?: unknown } } | null)?.load?.day;
      this.iterationDays.set(index, typeof day === 'string' ? day : 'all days');
    }
    const name = 'state' in event ? this.labelled(event.state.name, index) : '';
    switch (event.type) {
      case 'StateEntered': {
        if ((event.state.type === 'Task' || event.state.type === 'Map') && !this.entered.has(name)) {
          this.entered.add(name);
          this.line(`${name}: started`);
        }
        break;
      }
      case 'StateExited':
        if (this.caught.delete(name)) break;
        if (event.state.type === 'Task') this.line(`${name}: ${this.describeResult(event.state.name)}`);
        break;
      case 'StateFailed': {
        const failure = { state: name, error: event.Error, cause: causeMessage(event.Cause) };
        this.failures.push(failure);
        this.line(`${failure.state}: failed with ${failure.error}: ${excerpt(failure.cause)}`);
        break;
      }
      case 'StateRetried':
        this.failures.pop();
        this.line(`${name}: retrying, attempt ${event.retry.attempt + 1}`);
        break;
      case 'StateCaught':
        this.caught.add(name);
        this.line(`${name}: error caught, continuing at ${event.catch.catcher.Next}`);
        break;
      case 'ExecutionSucceeded':
        this.line('execution succeeded');
        break;
      case 'ExecutionFailed':
        this.line(`execution failed with ${event.Error}: ${excerpt(causeMessage(event.Cause))}`);
        break;
      default:
        break; // Waits, Choices, Passes and branch bookkeeping would only repeat the lines above.
    }
  }

  /** A state's name, with the day its Map iteration loads. */
  private labelled(state: string, index: number | undefined): string {
    return index === undefined ? state : `${state} [${this.iterationDays.get(index) ?? `load ${index}`}]`;
  }

  private describeResult(state: string): string {
    const note = this.taskNotes.get(state);
    if (note !== undefined) return note;
    const { functionKey, result } = this.taskResults.get(state)?.shift() ?? {};
    if (isWarehouseProgress(result)) {
      const { status, ready, resumedByRun, waitSeconds } = result;
      const resumed = resumedByRun ? ', resumed by this run' : '';
      return ready ? `warehouse ${status}${resumed}` : `warehouse ${status}${resumed}, next check in ${waitSeconds}s on AWS, ${this.waitMs} ms here`;
    }
    if (!isStatementProgress(result)) return 'done';
    const { stage, statementId, status, resultRows, waitSeconds } = result;
    const id = statementId.slice(0, 8);
    // A stage's own Lambda (function key = stage) submits; any other Lambda reporting on it polled.
    if (functionKey === stage) return `${stage} submitted statement ${id}`;
    if (status === 'SUBMITTED' && result.attempt > 1) return `${stage} statement failed with a transient error (1023, lost connection), submitted again as ${id}, attempt ${result.attempt}`;
    if (status === 'FINISHED') return `${stage} statement ${id} FINISHED, ${resultRows ?? 0} rows`;
    return `${stage} statement ${id} ${status}, next poll in ${waitSeconds}s on AWS, ${this.waitMs} ms here`;
  }

  private line(text: string): void {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(6);
    this.write(`[${seconds}s] ${text}`);
  }
}
