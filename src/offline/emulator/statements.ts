/**
 * The statements the emulator has accepted, and how each one runs: asynchronously, on an engine
 * session of its own (or its Data API session's), inside one SERIALIZABLE transaction (BEGIN … COMMIT,
 * ROLLBACK on failure), moving through SUBMITTED → PICKED → STARTED → FINISHED | FAILED | ABORTED while
 * clients poll.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultParseWorkers, executeCopy, recordLoadErrors, CopyFailedError, type LoadErrorRow } from '../copy';
import { bindNamedParameters, toRedshiftError, translate, SqlError, type FailedTransaction } from '../dialect';
import type { Engine, EngineSession } from '../engines';
import type { ObjectStore } from '../s3/object-store';
import { isSignificant, tokenize } from '../../sql/tokenizer';
import type { Faults } from './faults';
import { DataApiFailure, ResultPages, RESULT_PAGE_ROWS, type KeptResults } from './results';
import type { DataSession } from './sessions';

export type StatementStatus = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

const TERMINAL: ReadonlySet<StatementStatus> = new Set(['FINISHED', 'FAILED', 'ABORTED']);

export const isTerminal = (status: StatementStatus) => TERMINAL.has(status);

export interface SqlParameter {
  name: string;
  value: string;
}

/** Who asked and where, echoed back by Describe/List as the Data API does. */
export interface SubmissionContext {
  database: string;
  dbUser?: string;
  clusterIdentifier?: string;
  workgroupName?: string;
  secretArn?: string;
  statementName?: string;
  parameters?: SqlParameter[];
  /** TRANSACTION (one transaction for the whole batch) or AUTO_COMMIT (one per statement). */
  executionMode: 'TRANSACTION' | 'AUTO_COMMIT';
}

/** One SQL text the client submitted: a whole ExecuteStatement, or one sub-statement of a batch. */
export class Statement {
  status: StatementStatus = 'SUBMITTED';
  readonly createdAt = Date.now();
  updatedAt = this.createdAt;
  error?: string;
  /** Rows returned, or affected, or loaded by COPY. */
  resultRows = 0;
  result?: ResultPages;
  /** Set when the statement runs; stays 0 on a batch's parent, which runs no SQL of its own. */
  redshiftQueryId = 0;
  private startedNs?: bigint;
  private endedNs?: bigint;

  constructor(
    readonly id: string,
    readonly queryString: string,
  ) {}

  get hasResultSet(): boolean {
    return this.result !== undefined;
  }

  /** Nanoseconds the statement has run (so far, while it runs). */
  get durationNs(): number {
    if (this.startedNs === undefined) return 0;
    return Number((this.endedNs ?? process.hrtime.bigint()) - this.startedNs);
  }

  /** Moves the status on; a terminal status is final (a cancel may have got there first). */
  moveTo(status: StatementStatus, error?: string): void {
    if (isTerminal(this.status)) return;
    this.status = status;
    this.updatedAt = Date.now();
    if (status === 'STARTED') this.startedNs ??= process.hrtime.bigint();
    if (isTerminal(status)) {
      this.startedNs ??= process.hrtime.bigint();
      this.endedNs = process.hrtime.bigint();
      this.error = error;
    }
  }
}

/** What a client submitted with one call: ExecuteStatement (one statement) or BatchExecuteStatement. */
export class Submission {
  readonly top: Statement;
  /** The statements that run: the top one itself for ExecuteStatement, `<id>:1…N` for a batch. */
  readonly units: Statement[];
  readonly aborter = new AbortController();
  redshiftPid = 0;
  /** The engine session while the submission runs (for CancelStatement). */
  session?: EngineSession;
  readonly settled: Promise<void>;
  private settle!: () => void;

  constructor(
    readonly context: SubmissionContext,
    sqls: string[],
    readonly isBatch: boolean,
    /** Set when the call ran in a Data API session (SessionId or SessionKeepAliveSeconds). */
    readonly dataSession?: DataSession,
  ) {
    const id = randomUUID();
    this.top = new Statement(id, sqls.join('; '));
    this.units = isBatch ? sqls.map((sql, index) => new Statement(`${id}:${index + 1}`, sql)) : [this.top];
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  get id(): string {
    return this.top.id;
  }

  /** For a batch, the sum over its sub-statements. */
  get resultRows(): number {
    return this.isBatch ? this.units.reduce((sum, unit) => sum + unit.resultRows, 0) : this.top.resultRows;
  }

  /** Marks the statement that was running (or the first) FAILED with `message`, the rest ABORTED, the top one FAILED. */
  markFailed(message: string): void {
    const failing = this.units.find((unit) => !isTerminal(unit.status) && unit.status !== 'SUBMITTED') ?? this.units[0];
    failing.moveTo('FAILED', message);
    // ⚠ Redshift's status for the batch statements after a failed one is unconfirmed; they never ran.
    for (const unit of this.units) if (unit !== failing) unit.moveTo('ABORTED');
    this.top.moveTo('FAILED', message);
  }

  /** Ends every statement not yet ended as ABORTED, the top one too. */
  markAborted(): void {
    for (const unit of this.units) unit.moveTo('ABORTED');
    this.top.moveTo('ABORTED');
  }

  /** @internal */
  markSettled(): void {
    this.settle();
  }
}

class StatementAborted extends Error {}

/**
 * The engine transaction statements run in. SERIALIZABLE, so that concurrent runs conflict as on Redshift
 * (PostgreSQL's serialization failures become Redshift's 1023 errors).
 */
class EngineTransaction implements FailedTransaction {
  xid?: string;

  constructor(private readonly session: EngineSession) {}

  get pid(): number {
    return this.session.pid;
  }

  async begin(): Promise<void> {
    await this.session.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    this.xid = undefined;
  }

  async commit(): Promise<void> {
    await this.session.query('COMMIT');
  }

  async commitAndBegin(): Promise<void> {
    await this.commit();
    await this.begin();
  }

  /**
   * Reads the transaction id for a 1023 error just before the first statement that takes the snapshot.
   * Not at BEGIN: the query would take the snapshot before a LOCK, which must come first to serialise.
   */
  async beforeStatement(takesSnapshot: boolean): Promise<void> {
    if (!takesSnapshot || this.xid !== undefined) return;
    const outcome = await this.session.query('SELECT txid_current()::text');
    this.xid = outcome.rows[0][0] as string;
  }
}

/** The cursor a query's rows are fetched through, a page at a time. */
const RESULT_CURSOR = 'sparkify_result';
const QUERY_START = new Set(['select', 'with', 'values']);
/** DECLARE refuses SELECT INTO and data-modifying WITH; such statements run without a cursor. */
const CURSOR_REFUSES = new Set(['into', 'insert', 'update', 'delete', 'merge']);

/** Runs submissions against the engine, reading S3 objects for COPY from the object store. */
export class StatementRunner {
  private nextQueryId = 1000;

  constructor(
    private readonly engine: Engine,
    private readonly objectStore: ObjectStore,
    private readonly databaseName: string,
    private readonly faults: Faults,
    private readonly keptResults: KeptResults,
  ) {}

  get engineKind(): Engine['kind'] {
    return this.engine.kind;
  }

  /** Starts the submission in the background; SQL errors end as FAILED statements, never as rejections. */
  start(submission: Submission): void {
    void this.run(submission)
      .catch((error: unknown) => console.error(`Statement ${submission.id}: the engine session could not be released:`, error))
      .finally(() => submission.markSettled());
  }

  private async run(submission: Submission): Promise<void> {
    const { top, units, context, dataSession } = submission;
    const signal = submission.aborter.signal;
    top.moveTo('PICKED');
    if (context.database !== this.databaseName) {
      submission.markFailed(`FATAL: database "${context.database}" does not exist`);
      dataSession?.idle();
      return;
    }
    let session: EngineSession;
    try {
      session = dataSession ? await dataSession.engineSessionFrom(this.engine) : await this.engine.openSession();
    } catch (error) {
      // The engine is unreachable (server down, …): the statement fails, the emulator carries on.
      submission.markFailed(`FATAL: ${error instanceof Error ? error.message : String(error)}`);
      dataSession?.idle();
      return;
    }
    const loadErrors: LoadErrorRow[] = [];
    const transaction = new EngineTransaction(session);
    // The terminal status is set last, once load errors are saved and the session is free, so a client
    // that sees it can query stl_load_errors or reuse its Data API session straight away.
    let settle = (): void => undefined;
    try {
      if (signal.aborted) return; // cancelled while it waited for the engine
      submission.session = session;
      submission.redshiftPid = session.pid;
      top.moveTo('STARTED');
      await transaction.begin();
      for (const unit of units) {
        if (signal.aborted) throw new StatementAborted();
        unit.redshiftQueryId = this.nextQueryId++;
        if (submission.isBatch) unit.moveTo('STARTED');
        await this.runUnit(transaction, session, submission, unit, loadErrors);
        if (signal.aborted) throw new StatementAborted();
        // A lone statement finishes only once its transaction has committed, below.
        if (submission.isBatch) unit.moveTo('FINISHED');
        if (context.executionMode === 'AUTO_COMMIT') await transaction.commitAndBegin();
      }
      if (signal.aborted) throw new StatementAborted();
      await transaction.commit();
      settle = () => top.moveTo('FINISHED');
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      if (error instanceof CopyFailedError) loadErrors.push(...error.loadErrors);
      if (signal.aborted) {
        settle = () => submission.markAborted();
      } else {
        const message = errorText(error, transaction);
        settle = () => submission.markFailed(message);
      }
    } finally {
      submission.session = undefined;
      try {
        await this.saveLoadErrors(session, submission, loadErrors);
        if (dataSession) dataSession.idle();
        else await session.release();
      } finally {
        settle();
        this.keepResults(submission);
      }
    }
  }

  /** Results of statements that finished stay for GetStatementResult, within the total cap; others go. */
  private keepResults(submission: Submission): void {
    for (const unit of submission.units) {
      if (!unit.result) continue;
      if (unit.status === 'FINISHED') this.keptResults.keep(unit.result);
      else unit.result = undefined;
    }
  }

  /** Runs one client statement: its translated statements in order; the last one gives the result. */
  private async runUnit(
    transaction: EngineTransaction,
    session: EngineSession,
    submission: Submission,
    unit: Statement,
    loadErrors: LoadErrorRow[],
  ): Promise<void> {
    const { context } = submission;
    const signal = submission.aborter.signal;
    const fault = this.faults.forStatement(unit.queryString);
    if (fault && 'delayMs' in fault) await sleep(fault.delayMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) throw new StatementAborted();
    if (fault && 'fail' in fault) throw new DataApiFailure(fault.fail);
    for (const statement of translate(unit.queryString)) {
      if (signal.aborted) throw new StatementAborted();
      // Redshift's TRUNCATE commits the transaction it runs in, earlier statements included, and itself.
      const commits = statement.kind === 'sql' && statement.commitsTransaction && context.executionMode === 'TRANSACTION';
      if (commits) await transaction.commitAndBegin();
      await transaction.beforeStatement(statement.kind === 'copy' || statement.takesSnapshot);
      if (statement.kind === 'copy') {
        const outcome = await executeCopy(statement.source, {
          session,
          objectStore: this.objectStore,
          signal,
          queryId: unit.redshiftQueryId,
          database: context.database,
          userName: context.dbUser ?? 'awsuser',
        }, { workers: defaultParseWorkers(this.engine.kind) });
        loadErrors.push(...outcome.loadErrors);
        unit.result = undefined;
        unit.resultRows = outcome.rowsLoaded;
        continue;
      }
      const bound = bindNamedParameters(statement.sql, context.parameters ?? []);
      if (isPlainQuery(bound.sql)) {
        unit.result = await this.fetchThroughCursor(session, bound.sql, bound.values, signal);
        unit.resultRows = unit.result.rows;
        continue;
      }
      const outcome = await session.query(bound.sql, bound.values);
      if (commits) await transaction.commitAndBegin();
      if (outcome.fields.length > 0) {
        unit.result = new ResultPages(outcome.fields);
        unit.result.append(outcome.rows);
        unit.resultRows = outcome.rows.length;
      } else {
        unit.result = undefined;
        // Statements without a row count (DDL, SET) report 0 rows.
        unit.resultRows = outcome.rowCount ?? 0;
      }
    }
  }

  /**
   * A query's rows, read a page at a time so that no result sits whole in memory, and one over the
   * Data API's size cap fails as soon as it gets there.
   */
  private async fetchThroughCursor(session: EngineSession, sql: string, values: unknown[], signal: AbortSignal): Promise<ResultPages> {
    await session.query(`DECLARE ${RESULT_CURSOR} NO SCROLL CURSOR FOR ${sql}`, values);
    let result: ResultPages | undefined;
    let fetched: number;
    do {
      if (signal.aborted) throw new StatementAborted();
      const page = await session.query(`FETCH FORWARD ${RESULT_PAGE_ROWS} FROM ${RESULT_CURSOR}`);
      result ??= new ResultPages(page.fields);
      result.append(page.rows);
      fetched = page.rows.length;
    } while (fetched === RESULT_PAGE_ROWS);
    await session.query(`CLOSE ${RESULT_CURSOR}`);
    return result;
  }

  /** Load errors outlive the COPY's transaction, as Redshift's system tables do: own transaction. */
  private async saveLoadErrors(session: EngineSession, submission: Submission, rows: LoadErrorRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await session.query('BEGIN');
      await recordLoadErrors(session, rows);
      await session.query('COMMIT');
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      console.error(`Could not record ${rows.length} load error row(s) of statement ${submission.id}:`, error);
    }
  }
}

/** A query DECLARE takes: it starts with SELECT, WITH or VALUES and neither creates a table nor writes. */
function isPlainQuery(sql: string): boolean {
  const words = tokenize(sql).filter(isSignificant).map((token) => (token.kind === 'word' ? token.value! : ''));
  return QUERY_START.has(words[0]) && !words.some((word) => CURSOR_REFUSES.has(word));
}

/** A SQL failure as DescribeStatement's Error shows it. */
function errorText(error: unknown, transaction: FailedTransaction): string {
  if (error instanceof DataApiFailure) return error.message;
  if (error instanceof SqlError || error instanceof CopyFailedError) return `ERROR: ${error.message}`;
  const failure = error instanceof Error ? error : { message: String(error) };
  return `ERROR: ${toRedshiftError(failure, transaction)}`;
}
