/**
 * PostgreSQL features that Redshift does not have ("Unsupported PostgreSQL features" in the Developer
 * Guide, and syntax absent from Redshift's commands). PostgreSQL would run them, so SQL that works offline
 * would then fail on AWS: the emulator rejects them instead. The wording is the emulator's own, since
 * Redshift's exact text for each is not documented.
 */
import { SqlError } from './errors';
import type { Token } from '../../sql/tokenizer';
import { isPunct, isSignificant, isWord } from './token-cursor';

export function unsupported(feature: string): SqlError {
  return new SqlError(`${feature} is not supported by Amazon Redshift`);
}

const UNSUPPORTED_CREATE = new Map([
  ['index', 'CREATE INDEX'],
  ['sequence', 'CREATE SEQUENCE'],
  ['trigger', 'CREATE TRIGGER'],
  ['rule', 'CREATE RULE'],
  ['tablespace', 'CREATE TABLESPACE'],
  ['domain', 'CREATE DOMAIN'],
  ['type', 'CREATE TYPE'],
]);

/** Throws SqlError for the first unsupported feature in one statement's tokens. */
export function rejectUnsupported(tokens: Token[]): void {
  const significant = tokens.filter(isSignificant);
  if (isWord(significant[0], 'create')) {
    let k = 1;
    if (isWord(significant[k], 'or') && isWord(significant[k + 1], 'replace')) k += 2;
    if (isWord(significant[k], 'unique')) k++;
    const created = significant[k]?.kind === 'word' ? UNSUPPORTED_CREATE.get(significant[k].value!) : undefined;
    if (created) throw unsupported(created);
  }
  for (let k = 0; k < significant.length; k++) {
    const token = significant[k];
    const next = significant[k + 1];
    if (isWord(token, 'distinct') && isWord(next, 'on')) throw unsupported('SELECT DISTINCT ON');
    if (isWord(token, 'on') && isWord(next, 'conflict')) throw unsupported('INSERT … ON CONFLICT');
    if (isWord(token, 'returning')) throw unsupported('RETURNING');
    if (isPunct(token, '(') && isWord(next, 'values')) throw unsupported('A VALUES list used as a table');
    if (isWord(token, 'array') && isPunct(next, '[')) throw unsupported('An array constructor');
  }
}
