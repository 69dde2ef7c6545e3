/**
 * Redshift's SQL dialect on PostgreSQL: the emulator hands each Data API Sql text to `translate`, binds
 * the Data API's named parameters with `bindNamedParameters`, and words engine errors with `toRedshiftError`.
 * All rewriting works on tokens (see tokenizer.ts), never on the raw text, so literals, quoted
 * identifiers and comments are never touched.
 */
import { tokenize, type Token } from './tokenizer';

export type TranslatedStatement =
  /** commitsTransaction: Redshift's TRUNCATE commits the open transaction; the emulator runs COMMIT, the statement, then BEGIN. */
  | { kind: 'sql'; sql: string; source: string; commitsTransaction: boolean }
  /** A Redshift COPY, handled by the COPY loader. */
  | { kind: 'copy'; source: string };

/** A statement Redshift would reject. The message is Redshift's wording, without the "ERROR: " prefix. */
export class SqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlError';
  }
}

/** One Data API Sql text → its statements, split on top-level ';', empty ones dropped, each translated to PostgreSQL. */
export function translate(redshiftSql: string): TranslatedStatement[] {
  return splitStatements(tokenize(redshiftSql)).map(translateStatement);
}

function translateStatement(tokens: Token[]): TranslatedStatement {
  const source = tokens.map((t) => t.text).join('').trim();
  const words = leadingWords(tokens, 1);
  if (words[0] === 'copy') return { kind: 'copy', source };
  return { kind: 'sql', sql: source, source, commitsTransaction: words[0] === 'truncate' };
}

/** Splits on ';' outside parentheses; a statement of only spaces and comments is dropped. */
function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  const finish = () => {
    if (current.some(isSignificant)) statements.push(trimInsignificant(current));
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === ';' && depth === 0) {
      finish();
      continue;
    }
    if (token.kind === 'punct' && token.text === '(') depth++;
    if (token.kind === 'punct' && token.text === ')' && depth > 0) depth--;
    current.push(token);
  }
  finish();
  return statements;
}

export function isSignificant(token: Token): boolean {
  return token.kind !== 'space' && token.kind !== 'comment';
}

function trimInsignificant(tokens: Token[]): Token[] {
  let from = 0;
  let to = tokens.length;
  while (from < to && tokens[from].kind === 'space') from++;
  while (to > from && tokens[to - 1].kind === 'space') to--;
  return tokens.slice(from, to);
}

function leadingWords(tokens: Token[], count: number): string[] {
  return tokens
    .filter(isSignificant)
    .slice(0, count)
    .map((t) => (t.kind === 'word' ? t.value! : t.text));
}

/**
 * Replaces the Data API's `:name` placeholders with PostgreSQL's `$1, $2, …` (one number per distinct
 * name, in order of first use) outside literals, quoted identifiers, comments and `::` casts.
 * Values stay strings and are sent untyped, so PostgreSQL casts them from context as Redshift does.
 */
export function bindNamedParameters(
  sql: string,
  params: { name: string; value: string }[],
): { sql: string; values: string[] } {
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

/** PostgreSQL's error text → Redshift's, where the two word the same failure differently. */
export function toRedshiftError(pgMessage: string): string {
  if (pgMessage.startsWith('MERGE command cannot affect row a second time')) return 'Found multiple matches to update the same tuple.';
  return pgMessage;
}
