/** Table names in statements the dialect reshapes, and the no-op that stands for a statement with no local effect. */
import { SqlError, syntaxErrorAt } from './errors';
import type { Token } from '../../sql/tokenizer';
import { isPunct, skipInsignificant } from './token-cursor';

/** A table name at significant token i: `#name`, or parts (words or quoted identifiers) joined by '.'. Returns the index after it. */
export function readTableName(tokens: Token[], i: number, end: number): number {
  if (tokens[i]?.text === '#' && tokens[i + 1]?.kind === 'word') return i + 2;
  let next = i;
  for (;;) {
    const part = tokens[next];
    if (part?.kind !== 'word' && part?.kind !== 'quoted') throw syntaxErrorAt(part);
    next++;
    const dot = skipInsignificant(tokens, next, end);
    if (!isPunct(tokens[dot], '.')) return next;
    next = skipInsignificant(tokens, dot + 1, end);
  }
}

/** `tableName` (PostgreSQL text made of identifier tokens), checked for use in a DO $$…$$ body, which a `$` could end. */
export function tableNameInDoBlock(tableName: string): string {
  if (tableName.includes('$')) throw new SqlError(`syntax error at or near "${tableName}"`);
  return tableName;
}

/**
 * A statement that changes nothing but fails, as Redshift would, when the table is missing: it stands for
 * statements that only inform Redshift's planner or storage (key constraints, DISTKEY changes, VACUUM).
 * `tableName` is PostgreSQL text made of identifier tokens.
 */
export function checkTableExists(tableName: string): string {
  return `DO $$BEGIN PERFORM FROM ${tableNameInDoBlock(tableName)} LIMIT 0; END$$`;
}

/** A statement that does nothing at all. */
export const NO_OP = 'DO $$BEGIN END$$';
