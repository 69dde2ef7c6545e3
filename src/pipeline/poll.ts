/**
 * Turns a DescribeStatement answer into the state machine's next step: still running → wait longer
 * (growing, capped), FINISHED → go on, FAILED / ABORTED / anything else → a named error the ASL Catches.
 */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { cancelStatement, describeStatement, type StatementDescription } from '../redshift/data-api';
import { isSignificant, tokenize } from '../sql/tokenizer';

/**
 * Waits between polls: start short, triple, cap at 10 minutes. A 50-minute COPY then costs 9 polls and a
 * whole run under 100 state transitions (`npm run bench:orchestration`); a statement is seen finished at
 * most three times its duration after it started, which a nightly load can afford.
 */
export const POLL_WAIT = { initialSeconds: 5, factor: 3, maxSeconds: 600 } as const;

/** Waits before resubmitting after a conflict: short, because the conflicting transaction is usually done. */
export const CONFLICT_BACKOFF = { initialSeconds: 5, factor: 2, maxSeconds: 120 } as const;

export function nextWaitSeconds(previousSeconds: number): number {
  return Math.min(POLL_WAIT.maxSeconds, Math.max(POLL_WAIT.initialSeconds, Math.ceil(previousSeconds * POLL_WAIT.factor)));
}

export const RUNNING_STATUSES = ['SUBMITTED', 'PICKED', 'STARTED'] as const;

/** What a stage submission and every poll return; the state machine keeps it at $.statement. */
export interface StatementProgress {
  stage: string;
  statementId: string;
  status: string;
  /** Rows returned or affected (for COPY: loaded); for a batch, the sum over its statements. Null while running. */
  resultRows: number | null;
  /**
   * Rows loaded by the statement's COPYs, once FINISHED; null when it has none. A staging batch's
   * resultRows also counts the rows its other statements build, which says little about the load.
   */
  copiedRows: number | null;
  /** Seconds the state machine waits before the next poll. */
  waitSeconds: number;
  /** 1 for the first submission; each resubmission after a serialization conflict adds one. */
  attempt: number;
  /** When this submission was made (epoch ms): its statement budget counts from here. */
  submittedAt: number;
}

/** A stage's progress right after it submitted its statement. */
export function submitted(stage: string, statementId: string, attempt = 1, waitSeconds: number = POLL_WAIT.initialSeconds): StatementProgress {
  return { stage, statementId, status: 'SUBMITTED', resultRows: null, copiedRows: null, waitSeconds, attempt, submittedAt: Date.now() };
}

export class StatementFailedError extends Error {
  override name = 'StatementFailed';
}
export class StatementAbortedError extends Error {
  override name = 'StatementAborted';
}
export class UnknownStatementStatusError extends Error {
  override name = 'UnknownStatementStatus';
}
/** Still running when its budget was spent, so it was cancelled. */
export class StatementTimedOutError extends Error {
  override name = 'StatementTimedOut';
}

/** FAILED with an error that a new identical submission may not get (Redshift's 1023, a lost connection). */
export class StatementConflictError extends Error {
  override name = 'StatementConflict';
}

/**
 * Redshift's serializable-isolation violation (1023) and the connection-level failures that say nothing
 * about the SQL itself (a lost connection, a restarting warehouse): the textbook transient errors, worth
 * a resubmission.
 */
const TRANSIENT_STATEMENT_ERROR = /^ERROR: 1023 |Serializable isolation violation|conflict with concurrent transaction|could not serialize access|connection (was )?(lost|terminated|reset)|terminating connection|server closed the connection/i;

export const isTransientStatementError = (error: string) => TRANSIENT_STATEMENT_ERROR.test(error);

const SQL_EXCERPT_CHARS = 400;

/** The SQL that failed: the failing sub-statement of a batch, else the statement itself (shortened). */
function failingSql(description: StatementDescription): string {
  const failedSub = description.SubStatements?.find((sub) => sub.Status === 'FAILED' || sub.Error);
  const sql = (failedSub?.QueryString ?? description.QueryString ?? '(SQL not reported)').replace(/\s+/g, ' ').trim();
  return sql.length > SQL_EXCERPT_CHARS ? `${sql.slice(0, SQL_EXCERPT_CHARS)}…` : sql;
}

/** Whether the SQL's first word, after any comments, is COPY. */
function isCopy(sql: string): boolean {
  const first = tokenize(sql).find(isSignificant);
  return first?.kind === 'word' && first.value === 'copy';
}

/** The rows the statement's COPYs loaded (a batch's COPY sub-statements, or the statement itself), or null. */
function copiedRows(description: StatementDescription): number | null {
  const statements = description.SubStatements?.length ? description.SubStatements : [description];
  const copies = statements.filter((statement) => isCopy(statement.QueryString ?? ''));
  return copies.length === 0 ? null : copies.reduce((sum, copy) => sum + Math.max(copy.ResultRows ?? 0, 0), 0);
}

/** Maps a description to progress, or throws the named error for a statement that will never finish. */
export function progressOf(stage: string, description: StatementDescription, previous: Pick<StatementProgress, 'waitSeconds' | 'attempt' | 'submittedAt'>): StatementProgress {
  const { attempt, submittedAt } = previous;
  const statementId = description.Id ?? '(unknown id)';
  const status = description.Status ?? '(none)';
  const resultRows = description.ResultRows === undefined || description.ResultRows < 0 ? null : description.ResultRows;
  switch (status) {
    case 'FINISHED':
      return { stage, statementId, status, resultRows, copiedRows: copiedRows(description), waitSeconds: 0, attempt, submittedAt };
    case 'SUBMITTED':
    case 'PICKED':
    case 'STARTED':
      return {
        stage, statementId, status, resultRows: null, copiedRows: null, waitSeconds: nextWaitSeconds(previous.waitSeconds), attempt, submittedAt,
      };
    case 'FAILED': {
      const error = description.Error ?? '(no error text)';
      const message = `Stage ${stage}: statement ${statementId} failed: ${error} | SQL: ${failingSql(description)}`;
      throw isTransientStatementError(error) ? new StatementConflictError(message) : new StatementFailedError(message);
    }
    case 'ABORTED':
      throw new StatementAbortedError(`Stage ${stage}: statement ${statementId} was aborted | SQL: ${failingSql(description)}`);
    default:
      throw new UnknownStatementStatusError(`Stage ${stage}: statement ${statementId} has unknown status ${status} | SQL: ${failingSql(description)}`);
  }
}

/** A statement budget: its seconds, and the setting that gives them (named when it is spent). */
export interface Budget {
  seconds: number;
  setting: string;
}

/**
 * Describes the statement and returns its progress. A statement still running past its budget is
 * cancelled, and the stage fails with StatementTimedOut naming it: on AWS a statement blocked by a lock
 * would otherwise be polled every 10 minutes for as long as the lock is held.
 */
export async function pollStatement(client: RedshiftDataClient, previous: StatementProgress, budget: Budget): Promise<StatementProgress> {
  const progress = progressOf(previous.stage, await describeStatement(client, previous.statementId), previous);
  const ranSeconds = (Date.now() - progress.submittedAt) / 1000;
  if (progress.status === 'FINISHED' || ranSeconds <= budget.seconds) return progress;
  const cancelled = await cancelStatement(client, progress.statementId);
  throw new StatementTimedOutError(
    `Stage ${progress.stage}: statement ${progress.statementId} was still ${progress.status} after ${Math.round(ranSeconds)} s, ` +
    `over its budget of ${budget.seconds} s (${budget.setting}); ${cancelled ? 'it was cancelled' : 'the cancel found it no longer running'}`);
}

/** Submissions of one stage after a conflict, the first included: then the conflict fails the stage. */
export const MAX_STATEMENT_ATTEMPTS = 5;

/** The wait before resubmission `attempt` (2, 3, …): 5 s, 10 s, 20 s, 40 s. */
export function conflictBackoffSeconds(attempt: number): number {
  return Math.min(CONFLICT_BACKOFF.maxSeconds, CONFLICT_BACKOFF.initialSeconds * CONFLICT_BACKOFF.factor ** (attempt - 2));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * For a single-stage invoke with {"wait": true}, and offline for `sparkify query` and the bench: polls
 * in-process until the statement ends. Waits start at 250 ms and double up to 5 s, because a person is
 * watching; the state machine never uses this.
 */
export async function waitForStatement(client: RedshiftDataClient, stage: string, statementId: string, budget: Budget = NO_BUDGET): Promise<StatementProgress> {
  let progress = submitted(stage, statementId);
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
    progress = await pollStatement(client, progress, budget);
    if (progress.status === 'FINISHED') return progress;
    await sleep(delayMs);
  }
}

/** For a person's own query (`sparkify query`): they stop it themselves. */
const NO_BUDGET: Budget = { seconds: Number.POSITIVE_INFINITY, setting: 'none' };
