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

/** PostgreSQL's error text → Redshift's, where the two word the same failure differently. */
export function toRedshiftError(pgMessage: string): string {
  for (const [pattern, reword] of REWORDINGS) {
    const match = pattern.exec(pgMessage);
    if (match) return reword(match);
  }
  return pgMessage;
}
