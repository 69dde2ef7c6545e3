/**
 * Turns the interpreter's event log into one readable line per step: a stage starting, each statement
 * status a poll sees (once: a status the last poll already showed is not repeated), rows, retries, caught
 * errors and failures. It also remembers the first failure that was not retried away, which is the one a
 * failed run is reported by, and hands each stage's state to a live display (LiveProgress) when one is
 * given.
 */
import type { CompactionResult } from '../../pipeline/compact-songs';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { StatementProgress } from '../../pipeline/poll';
import type { LoadReport } from '../../pipeline/report';
import type { WarehouseProgress } from '../../pipeline/warehouse-readiness';
import { causeMessage } from '../../pipeline/report';

/** The package does not export its event type; take it from run()'s return type. */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

export interface StateFailure {
  state: string;
  error: string;
  cause: string;
}

/** A failure event's Cause: Step Functions' text (a Lambda's is JSON), or the interpreter's own error. */
function eventCause(cause: unknown): string {
  if (typeof cause !== 'string') return cause instanceof Error ? cause.message : JSON.stringify(cause ?? null);
  return causeMessage(cause);
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

/** A stage's state, as the live display shows it. */
export type StageState = 'running' | 'done' | 'failed' | 'retrying';

/** One stage of the run (a submit and its polls share one), and in a Map, its day. */
export interface StageUpdate {
  stage: string;
  state: StageState;
  /** What it has done so far (a statement's status, its rows); kept from the last update when absent. */
  detail?: string;
}

/** A Task's exit: its progress line, the key that says whether a poll saw anything new, and its stage state. */
interface Described {
  text: string;
  /** Equal keys on consecutive exits of one state mean nothing changed: the line is not repeated. */
  statusKey?: string;
  state: StageState;
  detail: string;
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
  /** Per state, the status its last exit showed. */
  private readonly lastStatus = new Map<string, string>();
  /** Each load's checks as reviewLoad reported them; the execution output keeps only counts. */
  readonly loadReports: LoadReport[] = [];

  constructor(
    private readonly write: (line: string) => void,
    /** What each Wait state really waits offline, to show beside what it would wait on AWS. */
    private readonly waitMs: number,
    private readonly onStage: (update: StageUpdate) => void = () => undefined,
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
    // A poll state shares its stage's line: PollStageEvents is StageEvents still at work.
    const stage = 'state' in event ? this.labelled(event.state.name.replace(/^Poll(?=[A-Z])/, ''), index) : '';
    switch (event.type) {
      case 'StateEntered': {
        if (event.state.type !== 'Task' && event.state.type !== 'Map') break;
        this.onStage({ stage, state: 'running' });
        if (!this.entered.has(name)) {
          this.entered.add(name);
          this.line(`${name}: started`);
        }
        break;
      }
      case 'StateExited': {
        if (this.caught.delete(name)) break;
        if (event.state.type === 'Map') this.onStage({ stage, state: 'done' });
        if (event.state.type !== 'Task') break;
        const { text, statusKey, state, detail } = this.describeResult(event.state.name);
        this.onStage({ stage, state, detail });
        if (statusKey !== undefined && this.lastStatus.get(name) === statusKey) break;
        if (statusKey === undefined) this.lastStatus.delete(name);
        else this.lastStatus.set(name, statusKey);
        this.line(`${name}: ${text}`);
        break;
      }
      case 'StateFailed': {
        const failure = { state: name, error: event.Error, cause: eventCause(event.Cause) };
        this.failures.push(failure);
        this.onStage({ stage, state: 'failed', detail: `${failure.error}: ${excerpt(failure.cause)}` });
        this.line(`${failure.state}: failed with ${failure.error}: ${excerpt(failure.cause)}`);
        break;
      }
      case 'StateRetried':
        this.failures.pop();
        this.onStage({ stage, state: 'retrying', detail: `attempt ${event.retry.attempt + 1}` });
        this.line(`${name}: retrying, attempt ${event.retry.attempt + 1}`);
        break;
      case 'StateCaught':
        this.caught.add(name);
        this.onStage({ stage, state: 'failed', detail: `error caught, continuing at ${event.catch.catcher.Next}` });
        this.line(`${name}: error caught, continuing at ${event.catch.catcher.Next}`);
        break;
      case 'ExecutionSucceeded':
        this.line('execution succeeded');
        break;
      case 'ExecutionFailed':
        this.line(`execution failed with ${event.Error}: ${excerpt(eventCause(event.Cause))}`);
        break;
      default:
        break; // Waits, Choices, Passes and branch bookkeeping would only repeat the lines above.
    }
  }

  /** A state's name, with the day its Map iteration loads. */
  private labelled(state: string, index: number | undefined): string {
    return index === undefined ? state : `${state} [${this.iterationDays.get(index) ?? `load ${index}`}]`;
  }

  private describeResult(state: string): Described {
    const note = this.taskNotes.get(state);
    if (note !== undefined) return { text: note, state: 'done', detail: note };
    const { functionKey, result } = this.taskResults.get(state)?.shift() ?? {};
    if (isWarehouseProgress(result)) {
      const { status, ready, resumedByRun, waitSeconds } = result;
      const resumed = resumedByRun ? ', resumed by this run' : '';
      const text = `warehouse ${status}${resumed}`;
      if (ready) return { text, statusKey: text, state: 'done', detail: text };
      // A longer wait is news too: the checks back off within the warehouse's time budget.
      return { text: `${text}, next check in ${waitSeconds}s on AWS, ${this.waitMs} ms here`, statusKey: `${text} ${waitSeconds}`, state: 'running', detail: text };
    }
    if (isLoadReport(result)) {
      const passed = result.checks.filter((check) => check.failures === 0).length;
      return { text: 'done', state: 'done', detail: `${passed} of ${result.checks.length} checks passed` };
    }
    if (isCompactionResult(result)) {
      const { sourceObjects, records, parts, leftOut, seconds } = result;
      const kept = leftOut > 0 ? `, ${leftOut} left out (listed as they are)` : '';
      const detail = `${sourceObjects.toLocaleString('en-US')} objects → ${parts} parts${kept}`;
      return { text: `${records} songs from ${detail} in ${seconds.toFixed(1)}s`, state: 'done', detail };
    }
    if (!isStatementProgress(result)) return { text: 'done', state: 'done', detail: 'done' };
    const { stage, statementId, status, resultRows, waitSeconds } = result;
    const id = statementId.slice(0, 8);
    const statusKey = `${statementId} ${status}`;
    // A stage's own Lambda (function key = stage) submits; any other Lambda reporting on it polled.
    if (functionKey === stage) return { text: `${stage} submitted statement ${id}`, statusKey, state: 'running', detail: `statement ${id} submitted` };
    if (status === 'SUBMITTED' && result.attempt > 1) {
      return {
        text: `${stage} statement failed with a transient error (1023, lost connection), submitted again as ${id}, attempt ${result.attempt}`,
        statusKey, state: 'running', detail: `submitted again as ${id}, attempt ${result.attempt}`,
      };
    }
    if (status === 'FINISHED') {
      // A staging batch shows what its COPY loaded; its resultRows also counts the tables built from it.
      const copied = result.copiedRows ?? null;
      const rows = copied ?? resultRows ?? 0;
      const what = copied === null ? 'rows' : 'rows copied';
      return { text: `${stage} statement ${id} FINISHED, ${rows} ${what}`, statusKey, state: 'done', detail: `${rows.toLocaleString('en-US')} ${what}` };
    }
    return { text: `${stage} statement ${id} ${status}, next poll in ${waitSeconds}s on AWS, ${this.waitMs} ms here`, statusKey, state: 'running', detail: `statement ${id} ${status}` };
  }

  private line(text: string): void {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(6);
    this.write(`[${seconds}s] ${text}`);
  }
}

/** What log-update's createLogUpdate returns: redraws its block of lines in place. */
export type LogUpdate = ((text: string) => void) & { clear(): void; done(): void };

/** The part of a terminal stream the live display reads. */
export interface TerminalStream {
  write(text: string): unknown;
  rows?: number;
}

const SYMBOLS: Record<StageState, string> = { running: '…', done: '✔', failed: '✖', retrying: '↻' };
/** How often the elapsed times tick while nothing else changes. */
const TICK_MS = 100;

function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

interface StageLine {
  state: StageState;
  detail: string;
  startedAt: number;
  endedAt?: number;
}

/**
 * The live display on a terminal: one line per stage with its state, elapsed time and what it has done,
 * redrawn in place by log-update. Lines that must stay (messages, failures) are written above it. When
 * the stages outgrow the terminal (a long backfill), finished ones are folded into one count.
 */
export class LiveProgress {
  private readonly stages = new Map<string, StageLine>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly stream: TerminalStream,
    private readonly logUpdate: LogUpdate,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.render(), TICK_MS);
    this.timer.unref();
  }

  update({ stage, state, detail }: StageUpdate): void {
    const line = this.stages.get(stage);
    const at = this.now();
    if (line === undefined) {
      this.stages.set(stage, { state, detail: detail ?? '', startedAt: at, endedAt: state === 'done' || state === 'failed' ? at : undefined });
    } else {
      line.state = state;
      if (detail !== undefined) line.detail = detail;
      line.endedAt = state === 'done' || state === 'failed' ? at : undefined;
    }
    if (state === 'failed') this.log(`${stage}: ${detail ?? 'failed'}`);
    this.render();
  }

  /** A line that stays, above the display. */
  log(text: string): void {
    if (this.stopped) {
      this.stream.write(`${text}\n`);
      return;
    }
    this.logUpdate.clear();
    this.stream.write(`${text}\n`);
    this.render();
  }

  /** Draws the last frame and leaves it on the terminal. */
  stop(): void {
    if (this.stopped) return;
    this.render();
    clearInterval(this.timer);
    this.logUpdate.done();
    this.stopped = true;
  }

  frame(): string {
    const now = this.now();
    const entries = [...this.stages];
    const room = Math.max(3, (this.stream.rows ?? 24) - 2);
    let shown = entries;
    let folded = 0;
    let hidden = 0;
    if (entries.length > room) {
      shown = entries.filter(([, line]) => line.state !== 'done');
      folded = entries.length - shown.length;
      hidden = Math.max(0, shown.length - (room - 2));
      shown = shown.slice(hidden);
    }
    const width = Math.max(0, ...shown.map(([stage]) => stage.length));
    const lines = shown.map(([stage, line]) => {
      const elapsed = formatElapsed((line.endedAt ?? now) - line.startedAt).padStart(7);
      return `${SYMBOLS[line.state]} ${stage.padEnd(width)}  ${line.state.padEnd(8)} ${elapsed}  ${line.detail}`.trimEnd();
    });
    if (hidden > 0) lines.unshift(`… ${hidden} more stage(s) under way, not shown`);
    if (folded > 0) lines.unshift(`✔ ${folded} stage(s) done`);
    return lines.join('\n');
  }

  private render(): void {
    if (!this.stopped && this.stages.size > 0) this.logUpdate(this.frame());
  }
}

/** compactSongs' output (src/pipeline/compact-songs.ts). */
function isCompactionResult(value: unknown): value is CompactionResult {
  return typeof value === 'object' && value !== null && 'manifest' in value && 'parts' in value && 'sourceObjects' in value;
}
