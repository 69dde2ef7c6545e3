/**
 * Table names in statements the dialect reshapes, the locks that make concurrent DDL of one name wait,
 * and the no-op that stands for a statement with no local effect.
 */
import { createHash } from 'node:crypto';
import { syntaxErrorAt } from './errors';
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

/** Table names separated by commas, from significant token i: each one's relation name, and the index after the last. */
export function readTableNames(tokens: Token[], i: number, end: number): { names: string[]; next: number } {
  const names: string[] = [];
  for (;;) {
    const next = readTableName(tokens, i, end);
    names.push(relationName(tokens, i, next));
    const comma = skipInsignificant(tokens, next, end);
    if (!isPunct(tokens[comma], ',')) return { names, next };
    i = skipInsignificant(tokens, comma + 1, end);
  }
}

/** The table name in [from, to) (as readTableName reads it) without its schema, folded to lower case as Redshift folds it. */
export function relationName(tokens: Token[], from: number, to: number): string {
  if (tokens[from].text === '#') return `#${tokens[from + 1].value}`;
  return tokens[to - 1].value!.toLowerCase();
}

/** The first key of the emulator's advisory locks (PostgreSQL's two-key form), apart from any others. */
const TABLE_NAME_LOCKS = 1023;

/**
 * A statement that waits until no other transaction is creating or dropping a table of one of these names,
 * and holds that until its own transaction ends, as Redshift's catalog lock does. PostgreSQL does not
 * wait: of two transactions creating one new table, the second fails on a catalog index. Keys are sorted so
 * that two statements naming the same tables cannot deadlock on each other.
 */
export function lockTableNames(names: string[]): string {
  const keys = [...new Set(names.map((name) => createHash('sha256').update(name).digest().readInt32BE(0)))].sort((a, b) => a - b);
  return `SELECT ${keys.map((key) => `pg_advisory_xact_lock(${TABLE_NAME_LOCKS}, ${key})`).join(', ')}`;
}

/**
 * A DO block around `body`, dollar-quoted with a tag the body does not hold: names may contain `$`
 * (Redshift allows it after the first character), and a `$$` in one would otherwise end the block.
 */
export function doBlock(body: string): string {
  let tag = '';
  while (body.includes(`$${tag}$`)) tag += 'x';
  return `DO $${tag}$${body}$${tag}$`;
}

/**
 * A statement that changes nothing but fails, as Redshift would, when the table is missing: it stands for
 * statements that only inform Redshift's planner or storage (key constraints, DISTKEY changes, VACUUM).
 * `tableName` is PostgreSQL text made of identifier tokens.
 */
export function checkTableExists(tableName: string): string {
  return doBlock(`BEGIN PERFORM FROM ${tableName} LIMIT 0; END`);
}

/** A statement that does nothing at all. */
export const NO_OP = doBlock('BEGIN END');
