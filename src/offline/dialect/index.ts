/**
 * Redshift's SQL dialect on PostgreSQL: the emulator hands each Data API Sql text to `translate`, binds
 * the Data API's named parameters with `bindNamedParameters`, and words engine errors with `toRedshiftError`.
 * All rewriting works on tokens (see tokenizer.ts), never on the raw text, so literals, quoted
 * identifiers and comments are never touched.
 */
import { translateAddColumn, translateCreateTable } from './create-table';
import { SqlError } from './errors';
import { rewriteRange } from './expressions';
import { translateMerge } from './merge';
import { tokenize, type Token } from './tokenizer';
import { isPunct, isSignificant, isWord, skipInsignificant, significantTexts } from './token-cursor';

export { SqlError, toRedshiftError } from './errors';

export type TranslatedStatement =
  /** commitsTransaction: Redshift's TRUNCATE commits the open transaction; the emulator runs COMMIT, the statement, then BEGIN. */
  | { kind: 'sql'; sql: string; source: string; commitsTransaction: boolean }
  /** A Redshift COPY, handled by the COPY loader. */
  | { kind: 'copy'; source: string };

/**
 * One Data API Sql text → its statements, split on top-level ';', empty ones dropped, each translated to
 * PostgreSQL. Throws SqlError for a statement Redshift would reject. A Redshift statement may become more
 * than one PostgreSQL statement (MERGE … REMOVE DUPLICATES); they then share the same `source`.
 */
export function translate(redshiftSql: string): TranslatedStatement[] {
  return splitStatements(tokenize(redshiftSql)).flatMap(translateStatement);
}

function translateStatement(tokens: Token[]): TranslatedStatement[] {
  const source = tokens.map((t) => t.text).join('');
  const sql = (text: string, commitsTransaction = false): TranslatedStatement => ({ kind: 'sql', sql: text, source, commitsTransaction });
  const [first, second] = significantTexts(tokens, 0, tokens.length);
  switch (first) {
    case 'copy':
      return [{ kind: 'copy', source }];
    case 'truncate':
      return [sql(rewriteRange(tokens, 0, tokens.length), true)];
    case 'merge':
      return translateMerge(tokens).map((text) => sql(text));
    case 'create':
      return [sql(translateCreateTable(tokens) ?? rewriteRange(tokens, 0, tokens.length))];
    case 'alter':
      if (second === 'table') return [sql(translateAlterTable(tokens))];
  }
  return [sql(rewriteRange(tokens, 0, tokens.length))];
}

/**
 * ALTER TABLE t ADD [COLUMN] definition gets the CREATE TABLE column rules. Adding a key constraint, or
 * changing DISTSTYLE, DISTKEY, SORTKEY or a column's ENCODE, only informs Redshift's planner: here it
 * becomes a statement that changes nothing but still fails, as Redshift would, when the table is missing.
 */
function translateAlterTable(tokens: Token[]): string {
  const end = tokens.length;
  const alter = skipInsignificant(tokens, 0, end);
  const table = skipInsignificant(tokens, alter + 1, end);
  let nameEnd = skipInsignificant(tokens, table + 1, end);
  const nameStart = nameEnd;
  nameEnd += tokens[nameEnd]?.text === '#' ? 2 : 1;
  while (isPunct(tokens[skipInsignificant(tokens, nameEnd, end)], '.')) {
    nameEnd = skipInsignificant(tokens, skipInsignificant(tokens, nameEnd, end) + 1, end) + 1;
  }
  const action = skipInsignificant(tokens, nameEnd, end);
  const [verb, object, third] = significantTexts(tokens, action, end);
  const tableName = rewriteRange(tokens, nameStart, nameEnd).trim();

  const addsKeyConstraint = verb === 'add' && (['primary', 'unique', 'foreign'].includes(object) || (object === 'constraint' && third !== 'check'));
  const changesLayout =
    verb === 'alter' && (['diststyle', 'distkey', 'sortkey', 'encode'].includes(object) || (object === 'column' && isAlterColumnEncode(tokens, action, end)));
  if (addsKeyConstraint || changesLayout) return checkTableExists(tableName);

  if (verb === 'add' && object !== 'constraint' && object !== 'check') {
    const definition = skipInsignificant(tokens, action + 1, end);
    return translateAddColumn(tokens, isWord(tokens[definition], 'column') ? definition + 1 : action + 1);
  }
  return rewriteRange(tokens, 0, end);
}

function isAlterColumnEncode(tokens: Token[], action: number, end: number): boolean {
  const texts = significantTexts(tokens, action, end);
  return texts.length === 5 && texts[3] === 'encode';
}

/** A statement with no effect that fails with PostgreSQL's (and Redshift's) `relation "t" does not exist`. */
function checkTableExists(tableName: string): string {
  if (tableName.includes('$')) throw new SqlError(`syntax error at or near "${tableName}"`);
  return `DO $$BEGIN PERFORM FROM ${tableName} LIMIT 0; END$$`;
}

/** Splits on ';' outside parentheses; a statement of only spaces and comments is dropped. */
function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  const finish = () => {
    if (current.some(isSignificant)) statements.push(trimSpaces(current));
    current = [];
  };
  for (const token of tokens) {
    if (isPunct(token, ';') && depth === 0) {
      finish();
      continue;
    }
    if (isPunct(token, '(')) depth++;
    if (isPunct(token, ')') && depth > 0) depth--;
    current.push(token);
  }
  finish();
  return statements;
}

function trimSpaces(tokens: Token[]): Token[] {
  let from = 0;
  let to = tokens.length;
  while (from < to && tokens[from].kind === 'space') from++;
  while (to > from && tokens[to - 1].kind === 'space') to--;
  return tokens.slice(from, to);
}

/**
 * Replaces the Data API's `:name` placeholders with PostgreSQL's `$1, $2, …` (one number per distinct
 * name, in order of first use) outside literals, quoted identifiers, comments and `::` casts.
 * Values stay strings and are sent untyped, so PostgreSQL casts them from context as Redshift does.
 */
export function bindNamedParameters(sql: string, params: { name: string; value: string }[]): { sql: string; values: string[] } {
  const valueByName = new Map(params.map((p) => [p.name, p.value]));
  const numberByName = new Map<string, number>();
  const values: string[] = [];
  const text = tokenize(sql)
    .map((token) => {
      if (token.kind !== 'param' || !token.text.startsWith(':')) return token.text;
      const name = token.value!;
      let number = numberByName.get(name);
      if (number === undefined) {
        const value = valueByName.get(name);
        if (value === undefined) throw new SqlError(`no value was supplied for parameter ":${name}"`);
        values.push(value);
        number = values.length;
        numberByName.set(name, number);
      }
      return `$${number}`;
    })
    .join('');
  return { sql: text, values };
}
