/**
 * Redshift Data API helpers: submit SQL, describe a statement, read its result. Every SDK error that is
 * worth retrying (throttling, too many active statements or sessions, any 5xx) is rethrown as one
 * TransientDataApiError, the single error name the state machine's Retry lists; everything else
 * propagates unchanged, so it fails the run through the Catch path.
 */
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementCommandOutput,
  type Field,
  type RedshiftDataClient,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import type { WarehouseTarget } from '../pipeline/config';

export class TransientDataApiError extends Error {
  override name = 'TransientDataApiError';
}

const TRANSIENT_ERROR_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
  'ActiveWaitingRequestsExceededException',
]);

/**
 * The endpoint could not be reached or dropped the connection: the service restarting, a network blip.
 * Matched on the text too: the SDK rewraps an error from another realm (a VM context) as a plain Error
 * whose message alone keeps the code.
 */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);
const NETWORK_ERROR_TEXT = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN)\b|socket hang up/;

/** True for SDK errors that a later identical call may not get: throttling, concurrency limits, 5xx, network. */
export function isTransientSdkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string });
  const status = meta.$metadata?.httpStatusCode;
  return TRANSIENT_ERROR_NAMES.has(error.name) || meta.$fault === 'server' || (status !== undefined && status >= 500)
    || (meta.code !== undefined && NETWORK_ERROR_CODES.has(meta.code)) || NETWORK_ERROR_TEXT.test(error.message);
}

/** Runs one AWS call (Data API or control plane); a transient failure becomes TransientDataApiError. */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransientSdkError(error)) {
      const cause = error as Error;
      throw new TransientDataApiError(`${operation}: ${cause.name}: ${cause.message}`, { cause });
    }
    throw error;
  }
}

function targetFields(target: WarehouseTarget) {
  return target.kind === 'cluster'
    ? { ClusterIdentifier: target.clusterId, Database: target.database, DbUser: target.dbUser, SecretArn: target.secretArn }
    : { WorkgroupName: target.workgroup, Database: target.database, SecretArn: target.secretArn };
}

export interface Submission {
  /** One statement runs through ExecuteStatement; several run through BatchExecuteStatement, in one transaction. */
  sqls: readonly string[];
  /** Named parameters (:name), values as strings; Redshift casts them. */
  parameters?: Readonly<Record<string, string>>;
  /** StatementName, to find the statement again in ListStatements. */
  name: string;
  /**
   * Idempotency: a repeated token returns the statement first submitted with it (for 8 hours) instead of
   * running the SQL again. Without one the SDK makes a fresh token per call.
   */
  clientToken?: string;
}

/** Submits SQL and returns the statement id at once, without waiting for it to run. */
export async function submitStatement(client: RedshiftDataClient, target: WarehouseTarget, submission: Submission): Promise<string> {
  const { sqls, parameters, name, clientToken } = submission;
  if (sqls.length === 0) throw new Error(`Submission ${name} has no SQL`);
  const Parameters: SqlParameter[] | undefined = parameters
    ? Object.entries(parameters).map(([paramName, value]) => ({ name: paramName, value }))
    : undefined;
  const common = { ...targetFields(target), StatementName: name, Parameters, ClientToken: clientToken };
  const output = sqls.length === 1
    ? await callAws('ExecuteStatement', () => client.send(new ExecuteStatementCommand({ ...common, Sql: sqls[0] })))
    : await callAws('BatchExecuteStatement', () => client.send(new BatchExecuteStatementCommand({ ...common, Sqls: [...sqls] })));
  if (!output.Id) throw new Error(`The Data API returned no statement id for ${name}`);
  return output.Id;
}

export type StatementDescription = DescribeStatementCommandOutput;

export async function describeStatement(client: RedshiftDataClient, statementId: string): Promise<StatementDescription> {
  return callAws('DescribeStatement', () => client.send(new DescribeStatementCommand({ Id: statementId })));
}

/** Asks the warehouse to stop a running statement; false when it was no longer running. */
export async function cancelStatement(client: RedshiftDataClient, statementId: string): Promise<boolean> {
  const output = await callAws('CancelStatement', () => client.send(new CancelStatementCommand({ Id: statementId })));
  return output.Status === true;
}

/** A result cell as a plain value: SQL NULL → null, numbers → number, DECIMAL and text → string. */
export type Value = null | boolean | number | string;

function fieldValue(field: Field): Value {
  if (field.isNull) return null;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.stringValue !== undefined) return field.stringValue;
  throw new Error('Unsupported result field (binary values are not expected here)');
}

/** The whole result of a finished statement, as objects keyed by column name, across every result page. */
export async function fetchResultRows(client: RedshiftDataClient, statementId: string): Promise<Record<string, Value>[]> {
  const rows: Record<string, Value>[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAws('GetStatementResult', () =>
      client.send(new GetStatementResultCommand({ Id: statementId, NextToken: nextToken })));
    const names = (page.ColumnMetadata ?? []).map((column) => column.name ?? column.label ?? '');
    for (const record of page.Records ?? []) {
      rows.push(Object.fromEntries(record.map((field, i) => [names[i], fieldValue(field)])));
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return rows;
}
