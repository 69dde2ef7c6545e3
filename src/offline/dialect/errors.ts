/** Redshift's error wording: SqlError for statements the dialect itself rejects, and the engine-error mapping. */
import { createHash } from 'node:crypto';
import { truncateToBytes } from '../copy/conversions';

/** A statement Redshift would reject. The message is Redshift's wording, without the "ERROR: " prefix. */
export class SqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlError';
  }
}

/** PostgreSQL's syntax error at a token, or at the end of the statement when there is none. */
export function syntaxErrorAt(token: { text: string } | undefined): SqlError {
  return new SqlError(`syntax error at or near "${token ? token.text : 'end of input'}"`);
}

/** PostgreSQL's longest identifier, in bytes. */
const MAX_NAME_BYTES = 63;

/**
 * Name of the CHECK constraint that makes a VARCHAR(n) column count bytes, as Redshift does. The length is
 * in the name so that a violation can be reported with Redshift's text. A name over PostgreSQL's 63 bytes
 * is cut and ends with a hash of the column name, so two long column names that start alike still get
 * different constraints (a table's constraint names must differ).
 */
export function varcharBytesConstraintName(bytes: number, column: string): string {
  const name = `varchar${bytes}_bytes_${column}`;
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const hash = createHash('sha256').update(column).digest('hex').slice(0, 8);
  return `${truncateToBytes(name, MAX_NAME_BYTES - hash.length - 1)}_${hash}`;
}

const VARCHAR_BYTES_VIOLATION = /violates check constraint "varchar(\d+)_bytes_/;

const REWORDINGS: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^MERGE command cannot affect row a second time/, () => 'Found multiple matches to update the same tuple.'],
  [VARCHAR_BYTES_VIOLATION, (m) => `value too long for type character varying(${m[1]})`],
  // GENERATED ALWAYS identity, which is what Redshift's IDENTITY(seed, step) becomes.
  [/^cannot insert a non-DEFAULT value into column "/, () => 'cannot set an identity column to a value'],
  [/^column ".*" can only be updated to DEFAULT/, () => 'cannot set an identity column to a value'],
];

/** What an engine reports of a failure: node-postgres' error fields, which PgliteError carries too. */
export interface EngineFailure {
  message: string;
  /** SQLSTATE. */
  code?: string;
  detail?: string;
}

/** The engine transaction a failure ended, for Redshift's 1023 text. */
export interface FailedTransaction {
  pid: number;
  /** Its transaction id, when it was read before the failure. */
  xid?: string;
}

/** serialization_failure and deadlock_detected: where PostgreSQL gives up on a cycle, Redshift raises 1023. */
const SERIALIZATION_FAILURE_CODES = new Set(['40001', '40P01']);
const SERIALIZATION_FAILURE_TEXT = /^(could not serialize access due to |deadlock detected)/;

/** PostgreSQL's error → Redshift's text (without the "ERROR: " prefix), where the two word the same failure differently. */
export function toRedshiftError(failure: EngineFailure, transaction: FailedTransaction): string {
  const isSerializationFailure = failure.code
    ? SERIALIZATION_FAILURE_CODES.has(failure.code)
    : SERIALIZATION_FAILURE_TEXT.test(failure.message);
  if (isSerializationFailure) return serializableIsolationViolation(failure.detail ?? '', transaction);
  for (const [pattern, reword] of REWORDINGS) {
    const match = pattern.exec(failure.message);
    if (match) return reword(match);
  }
  return failure.message;
}

/**
 * Redshift's 1023 text. The table is the relation a deadlock's detail names by oid (0 when none is named:
 * PostgreSQL names none for a serialization failure); the cycle is the failed transaction and any other
 * transaction the detail names (0 when none is known).
 */
function serializableIsolationViolation(detail: string, { pid, xid }: FailedTransaction): string {
  const table = /\brelation (\d+) of database/.exec(detail)?.[1] ?? '0';
  const named = Array.from(detail.matchAll(/\btransaction (\d+)/g), (match) => match[1]);
  const xids = [...new Set([...(xid === undefined ? [] : [xid]), ...named])];
  return (
    `1023 DETAIL: Serializable isolation violation on table - ${table}, ` +
    `transactions forming the cycle are: ${xids.length > 0 ? xids.join(', ') : '0'} (pid:${pid})`
  );
}
