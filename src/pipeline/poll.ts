/**
 * Turns a DescribeStatement answer into the state machine's next step: still running → wait longer
 * (growing, capped), FINISHED → go on, FAILED / ABORTED / anything else → a named error the ASL Catches.
 */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { describeStatement, type StatementDescription } from '../redshift/data-api';

/** Waits between polls: start short, double, cap, so a 50-minute COPY costs tens of polls, not hundreds. */
export const POLL_WAIT = { initialSeconds: 5, factor: 2, maxSeconds: 120 } as const;

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
  /** Seconds the state machine waits before the next poll. */
  waitSeconds: number;
  /** 1 for the first submission; each resubmission after a serialization conflict adds one. */
  attempt: number;
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
/** FAILED with an error that a new identical submission may not get (Redshift's 1023, a lost connection). */
export class StatementConflictError extends Error {
  override name = 'StatementConflict';
}

/**
 * Redshift's serializable-isolation violation (1023) and the connection-level failures that say nothing
 * about the SQL itself: the textbook transient errors, worth a resubmission.
 */
const TRANSIENT_STATEMENT_ERROR = /^ERROR: 1023 |Serializable isolation violation|conflict with concurrent transaction|could not serialize access|connection (was )?(lost|terminated|reset)|server closed the connection/i;

export const isTransientStatementError = (error: string) => TRANSIENT_STATEMENT_ERROR.test(error);

const SQL_EXCERPT_CHARS = 400;

/** The SQL that failed: the failing sub-statement of a batch, else the statement itself (shortened). */
function failingSql(description: StatementDescription): string {
  const failedSub = description.SubStatements?.find((sub) => sub.Status === 'FAILED' || sub.Error);
  const sql = (failedSub?.QueryString ?? description.QueryString ?? '(SQL not reported)').replace(/\s+/g, ' ').trim();
  return sql.length > SQL_EXCERPT_CHARS ? `${sql.slice(0, SQL_EXCERPT_CHARS)}…` : sql;
}

/** Maps a description to progress, or throws the named error for a statement that will never finish. */
export function progressOf(stage: string, description: StatementDescription, previousWaitSeconds: number, attempt = 1): StatementProgress {
  const statementId = description.Id ?? '(unknown id)';
  const status = description.Status ?? '(none)';
  const resultRows = description.ResultRows === undefined || description.ResultRows < 0 ? null : description.ResultRows;
  switch (status) {
    case 'FINISHED':
      return { stage, statementId, status, resultRows, waitSeconds: 0, attempt };
    case 'SUBMITTED':
    case 'PICKED':
    case 'STARTED':
      return { stage, statementId, status, resultRows: null, waitSeconds: nextWaitSeconds(previousWaitSeconds), attempt };
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

export async function pollStatement(client: RedshiftDataClient, stage: string, statementId: string, previousWaitSeconds: number, attempt = 1): Promise<StatementProgress> {
  return progressOf(stage, await describeStatement(client, statementId), previousWaitSeconds, attempt);
}

/** Submissions of one stage after a conflict, the first included: then the conflict fails the stage. */
export const MAX_STATEMENT_ATTEMPTS = 5;

/** The wait before resubmission `attempt` (2, 3, …): 5 s, 10 s, 20 s, … capped as the polls are. */
export function conflictBackoffSeconds(attempt: number): number {
  return Math.min(POLL_WAIT.maxSeconds, POLL_WAIT.initialSeconds * POLL_WAIT.factor ** (attempt - 2));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * For a single-stage invoke with {"wait": true}, and offline for `sparkify query` and the bench: polls
 * in-process until the statement ends. Waits start at 250 ms and double up to 5 s, because a person is
 * watching; the state machine never uses this.
 */
export async function waitForStatement(client: RedshiftDataClient, stage: string, statementId: string): Promise<StatementProgress> {
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
    const progress = await pollStatement(client, stage, statementId, POLL_WAIT.initialSeconds);
    if (progress.status === 'FINISHED') return progress;
    await sleep(delayMs);
  }
}
