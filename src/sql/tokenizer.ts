/**
 * A lossless lexer for Redshift/PostgreSQL SQL text, shared by the pipeline (splitting its SQL files) and
 * the offline dialect and COPY parser. Every character of the input belongs to exactly one
 * token, so joining the tokens' text gives the input back: rewriters change only the tokens they mean to
 * and everything else (literals, quoted identifiers, comments, spacing) survives byte for byte.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'punct' | 'space' | 'comment';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offsets into the tokenized text: text === sql.slice(start, end). */
  start: number;
  end: number;
  /** 'string' and 'quoted': the unquoted, unescaped content. 'word': the word lower-cased. 'param': the name without ':' (or the digits after '$'). */
  value?: string;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const SPACE = /\s/;
/** A Data API parameter name, as the API's model allows it: ^[0-9a-zA-Z_]+$. */
const PARAM_NAME_PART = /[0-9A-Za-z_]/;
// Sticky patterns that read a whole run from a given position.
const SPACE_RUN = /\s+/y;
const WORD_RUN = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const PARAM_NAME_RUN = /[0-9A-Za-z_]+/y;
const OPERATOR_CHAR = /[+\-*/<>=~!@#%^&|`?]/;
const PUNCT = new Set(['(', ')', ',', ';', '[', ']', '.']);

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const push = (kind: TokenKind, end: number, value?: string) => {
    const token: Token = { kind, text: sql.slice(pos, end), start: pos, end };
    if (value !== undefined) token.value = value;
    tokens.push(token);
    pos = end;
  };

  while (pos < sql.length) {
    const ch = sql[pos];
    const next = sql[pos + 1] ?? '';

    if (SPACE.test(ch)) {
      push('space', runEnd(SPACE_RUN, sql, pos));
    } else if (ch === '-' && next === '-') {
      const newline = sql.indexOf('\n', pos);
      push('comment', newline === -1 ? sql.length : newline);
    } else if (ch === '/' && next === '*') {
      push('comment', blockCommentEnd(sql, pos));
    } else if (ch === "'") {
      const { end, value } = readString(sql, pos + 1);
      push('string', end, value);
    } else if (/[EeNnBbXx]/.test(ch) && next === "'") {
      // E'…' escape, N'…' national, B'…' bit, X'…' hex strings: the prefix belongs to the literal.
      const { end, value } = readString(sql, pos + 2);
      push('string', end, value);
    } else if (ch === '"') {
      const { end, value } = readQuotedIdentifier(sql, pos + 1);
      push('quoted', end, value);
    } else if (ch === '$') {
      const dollar = readDollar(sql, pos);
      if (dollar) push(dollar.kind, dollar.end, dollar.value);
      else push('op', pos + 1);
    } else if (ch === ':' && next === ':') {
      push('op', pos + 2);
    } else if (ch === ':' && PARAM_NAME_PART.test(next)) {
      const end = runEnd(PARAM_NAME_RUN, sql, pos + 1);
      push('param', end, sql.slice(pos + 1, end));
    } else if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(next))) {
      push('number', numberEnd(sql, pos));
    } else if (IDENT_START.test(ch)) {
      const end = runEnd(WORD_RUN, sql, pos);
      push('word', end, sql.slice(pos, end).toLowerCase());
    } else if (PUNCT.has(ch)) {
      push('punct', pos + 1);
    } else if (OPERATOR_CHAR.test(ch)) {
      push('op', operatorEnd(sql, pos));
    } else {
      push('op', pos + 1);
    }
  }
  return tokens;
}

/** End of the run `pattern` matches at `pos` (the pattern must match there). */
function runEnd(pattern: RegExp, sql: string, pos: number): number {
  pattern.lastIndex = pos;
  pattern.test(sql);
  return pattern.lastIndex;
}

/** Block comments nest in PostgreSQL (and Redshift): `/* a /* b *\/ c *\/` is one comment. An unclosed one runs to the end. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let pos = start;
  while (pos < sql.length) {
    if (sql.startsWith('/*', pos)) {
      depth++;
      pos += 2;
    } else if (sql.startsWith('*/', pos)) {
      depth--;
      pos += 2;
      if (depth === 0) return pos;
    } else {
      pos++;
    }
  }
  return sql.length;
}

/**
 * Reads a '…' literal body starting after the opening quote; '' is a quote. Redshift, like PostgreSQL
 * before standard_conforming_strings, reads backslash escapes in every '…' literal (\' is a quote, \n a
 * newline), not only in E'…'. Unclosed runs to the end.
 */
function readString(sql: string, bodyStart: number): { end: number; value: string } {
  let value = '';
  let pos = bodyStart;
  while (pos < sql.length) {
    const ch = sql[pos];
    if (ch === '\\' && pos + 1 < sql.length) {
      value += unescapeBackslash(sql[pos + 1]);
      pos += 2;
    } else if (ch === "'") {
      if (sql[pos + 1] === "'") {
        value += "'";
        pos += 2;
      } else {
        return { end: pos + 1, value };
      }
    } else {
      value += ch;
      pos++;
    }
  }
  return { end: sql.length, value };
}

function unescapeBackslash(ch: string): string {
  switch (ch) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    default:
      return ch;
  }
}

/** Reads a "…" identifier body starting after the opening quote; "" is a quote. Unclosed runs to the end. */
function readQuotedIdentifier(sql: string, bodyStart: number): { end: number; value: string } {
  let value = '';
  let pos = bodyStart;
  while (pos < sql.length) {
    if (sql[pos] === '"') {
      if (sql[pos + 1] !== '"') return { end: pos + 1, value };
      value += '"';
      pos += 2;
    } else {
      value += sql[pos];
      pos++;
    }
  }
  return { end: sql.length, value };
}

/** `$1` is a positional parameter; `$$…$$` and `$tag$…$tag$` are dollar-quoted strings. */
function readDollar(sql: string, start: number): { kind: TokenKind; end: number; value: string } | undefined {
  if (DIGIT.test(sql[start + 1] ?? '')) {
    let end = start + 1;
    while (end < sql.length && DIGIT.test(sql[end])) end++;
    return { kind: 'param', end, value: sql.slice(start + 1, end) };
  }
  let tagEnd = start + 1;
  if (IDENT_START.test(sql[tagEnd] ?? '')) {
    while (tagEnd < sql.length && /[A-Za-z0-9_\u0080-\uffff]/.test(sql[tagEnd])) tagEnd++;
  }
  if (sql[tagEnd] !== '$') return undefined;
  const tag = sql.slice(start, tagEnd + 1);
  const close = sql.indexOf(tag, tagEnd + 1);
  if (close === -1) return { kind: 'string', end: sql.length, value: sql.slice(tagEnd + 1) };
  return { kind: 'string', end: close + tag.length, value: sql.slice(tagEnd + 1, close) };
}

function numberEnd(sql: string, start: number): number {
  let pos = start;
  while (pos < sql.length && DIGIT.test(sql[pos])) pos++;
  if (sql[pos] === '.' && sql[pos + 1] !== '.') {
    pos++;
    while (pos < sql.length && DIGIT.test(sql[pos])) pos++;
  }
  const exponent = /^[eE][+-]?[0-9]+/.exec(sql.slice(pos, pos + 32));
  if (exponent) pos += exponent[0].length;
  while (pos < sql.length && DIGIT.test(sql[pos])) pos++;
  return pos;
}

/** A run of operator characters, stopping where a comment starts, as PostgreSQL's lexer does. */
function operatorEnd(sql: string, start: number): number {
  let pos = start + 1;
  while (pos < sql.length && OPERATOR_CHAR.test(sql[pos]) && !sql.startsWith('--', pos) && !sql.startsWith('/*', pos)) pos++;
  return pos;
}

/** Not a space or a comment. */
export function isSignificant(token: Token): boolean {
  return token.kind !== 'space' && token.kind !== 'comment';
}

/**
 * Splits tokens into statements on ';' outside parentheses. A statement of only spaces and comments is
 * dropped; spaces around each statement are trimmed, comments kept.
 */
export function splitStatementTokens(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  const finish = () => {
    if (current.some(isSignificant)) statements.push(trimSpaces(current));
    current = [];
  };
  for (const token of tokens) {
    const punct = token.kind === 'punct' ? token.text : '';
    if (punct === ';' && depth === 0) {
      finish();
      continue;
    }
    if (punct === '(') depth++;
    if (punct === ')' && depth > 0) depth--;
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
