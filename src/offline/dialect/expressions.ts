/**
 * Rewrites the expression-level parts of Redshift SQL that PostgreSQL spells differently: Redshift-only
 * functions (GETDATE, SYSDATE, NVL, NVL2, DECODE, DATEADD, DATEDIFF, LISTAGG, MEDIAN, CONVERT,
 * CONVERT_TIMEZONE, LEN, CHARINDEX, APPROXIMATE COUNT) and those that behave differently (AVG, ROUND,
 * REGEXP_REPLACE),
 * SELECT TOP n, date part names
 * (EXTRACT, DATE_PART, DATE_TRUNC), character types in casts, `#name` temp tables, and the lower-casing
 * of quoted identifiers. Every other token is copied as it is.
 */
import { datePart, type DatePart } from './date-parts';
import { quoteIdentifier } from '../../sql/quote';
import { SqlError } from './errors';
import type { Token } from '../../sql/tokenizer';
import {
  findTopLevelWord,
  isPunct,
  isSignificant,
  isWord,
  matchingParen,
  previousSignificant,
  skipInsignificant,
  splitOnCommas,
  textOf,
  type TokenRange,
} from './token-cursor';
import { mapType } from './types';

interface Rewritten {
  text: string;
  /** Index of the first token after what was rewritten. */
  next: number;
}

/** Rewrites tokens [from, to) into PostgreSQL text. */
export function rewriteRange(tokens: Token[], from: number, to: number): string {
  let out = '';
  // Text to insert before a token index: the LIMIT that a SELECT TOP n becomes.
  const insertions = new Map<number, string>();
  let i = from;
  while (i < to) {
    out += insertions.get(i) ?? '';
    const top = isWord(tokens[i], 'select') ? selectTop(tokens, i, to) : undefined;
    if (top) {
      insertions.set(top.scopeEnd, ` LIMIT ${top.count}`);
      out += textOf(tokens, i, top.topStart);
      i = top.next;
      continue;
    }
    const rewritten = rewriteAt(tokens, i, from, to);
    if (rewritten) {
      out += rewritten.text;
      i = rewritten.next;
    } else {
      out += tokens[i].text;
      i++;
    }
  }
  return out + (insertions.get(to) ?? '');
}

/**
 * `SELECT [DISTINCT|ALL] TOP n …` is Redshift's `SELECT … LIMIT n`: where TOP n is, and where that SELECT
 * ends (its closing parenthesis, or the end of the range). Undefined when the SELECT has no TOP, or also
 * has a LIMIT or a set operation, which PostgreSQL is then left to reject.
 */
function selectTop(tokens: Token[], select: number, to: number): { count: string; topStart: number; next: number; scopeEnd: number } | undefined {
  let top = skipInsignificant(tokens, select + 1, to);
  if (isWord(tokens[top], 'distinct', 'all')) top = skipInsignificant(tokens, top + 1, to);
  const count = skipInsignificant(tokens, top + 1, to);
  if (!isWord(tokens[top], 'top') || tokens[count]?.kind !== 'number' || !/^\d+$/.test(tokens[count].text)) return undefined;
  let depth = 0;
  let scopeEnd = to;
  for (let k = count + 1; k < to; k++) {
    if (isPunct(tokens[k], '(')) depth++;
    else if (isPunct(tokens[k], ')') && depth-- === 0) {
      scopeEnd = k;
      break;
    } else if (depth === 0 && isWord(tokens[k], 'limit', 'union', 'intersect', 'except')) return undefined;
  }
  return { count: tokens[count].text, topStart: top, next: skipInsignificant(tokens, count + 1, to), scopeEnd };
}

function rewriteAt(tokens: Token[], i: number, from: number, to: number): Rewritten | undefined {
  const token = tokens[i];
  switch (token.kind) {
    case 'quoted':
      // Redshift folds quoted identifiers to lower case (unless enable_case_sensitive_identifier is on); PostgreSQL keeps their case.
      return { text: quoteIdentifier(token.value!.toLowerCase()), next: i + 1 };
    case 'string':
      // PostgreSQL reads backslash escapes only in E'…' (standard_conforming_strings), Redshift in every '…'.
      return token.text.startsWith("'") && token.text.includes('\\') ? { text: `E${token.text}`, next: i + 1 } : undefined;
    case 'op':
      if (token.text === '::') return rewriteCastType(tokens, i, to);
      if (token.text === '#') return rewriteTempTableName(tokens, i, from, to);
      return undefined;
    case 'word':
      return rewriteWord(tokens, i, from, to);
    default:
      return undefined;
  }
}

function rewriteCastType(tokens: Token[], i: number, to: number): Rewritten | undefined {
  const typeStart = skipInsignificant(tokens, i + 1, to);
  const type = mapType(tokens, typeStart, to);
  if (!type) return undefined;
  return { text: textOf(tokens, i, typeStart) + type.pg, next: type.end };
}

/** Keywords after which `#name` is a table name rather than the XOR operator `#`. */
const BEFORE_TABLE_NAME = new Set([
  'table', 'from', 'join', 'into', 'update', 'using', 'truncate', 'exists', 'only', 'select', 'where',
  'and', 'or', 'on', 'by', 'set', 'delete', 'drop', 'analyze', 'vacuum', 'lock', 'merge', 'temp', 'temporary',
]);

/** Redshift's `#name` is a session temporary table; PostgreSQL gets the quoted name "#name" (created TEMPORARY by the CREATE TABLE rule). */
function rewriteTempTableName(tokens: Token[], i: number, from: number, to: number): Rewritten | undefined {
  const name = tokens[i + 1];
  if (i + 1 >= to || name.kind !== 'word') return undefined;
  // Binary `#` needs a value on its left; after a keyword, an operator, '(' or ',' there is none.
  const beforeIndex = previousSignificant(tokens, i, from);
  const before = tokens[beforeIndex];
  const endsValue =
    before !== undefined &&
    (['number', 'string', 'quoted', 'param'].includes(before.kind) ||
      isPunct(before, ')') ||
      (before.kind === 'word' && !BEFORE_TABLE_NAME.has(before.value!)));
  if (endsValue) return undefined;
  // SELECT … INTO #name creates the table, which PostgreSQL must be told is temporary (INSERT INTO and MERGE INTO do not create one).
  const createsTable = isWord(before, 'into') && !isWord(tokens[previousSignificant(tokens, beforeIndex, from)], 'insert', 'merge');
  return { text: `${createsTable ? 'TEMPORARY ' : ''}${quoteIdentifier(`#${name.value}`)}`, next: i + 2 };
}

interface Call {
  tokens: Token[];
  name: string;
  open: number;
  close: number;
  args: TokenRange[];
  to: number;
}

type CallRewriter = (call: Call) => Rewritten | undefined;

function rewriteWord(tokens: Token[], i: number, from: number, to: number): Rewritten | undefined {
  const name = tokens[i].value!;
  // A qualified name's later part (schema.nvl, t.sysdate) is not the built-in.
  if (isPunct(tokens[previousSignificant(tokens, i, from)], '.')) return undefined;
  const open = skipInsignificant(tokens, i + 1, to);
  if (isPunct(tokens[open], '(')) {
    const rewriter = CALL_REWRITERS.get(name);
    const close = rewriter ? matchingParen(tokens, open, to) : -1;
    if (!rewriter || close === -1) return undefined;
    const args = close === open + 1 ? [] : splitOnCommas(tokens, open + 1, close);
    return rewriter({ tokens, name, open, close, args, to });
  }
  if (name === 'sysdate') return { text: SYSDATE, next: i + 1 };
  // APPROXIMATE COUNT(DISTINCT …) and APPROXIMATE PERCENTILE_DISC: PostgreSQL's exact answers are within Redshift's error bounds.
  if (name === 'approximate' && isWord(tokens[open], 'count', 'percentile_disc')) return { text: '', next: open };
  return undefined;
}

/** Redshift's GETDATE(): the statement's start, UTC, in whole seconds. */
const GETDATE = "date_trunc('second', statement_timestamp() AT TIME ZONE 'UTC')";
/** Redshift's SYSDATE: the transaction's start, UTC, with microseconds. */
const SYSDATE = "(transaction_timestamp() AT TIME ZONE 'UTC')";

function argText(call: Call, index: number): string {
  const range = call.args[index];
  return rewriteRange(call.tokens, range.from, range.to).trim();
}

function argTexts(call: Call): string[] {
  return call.args.map((_, index) => argText(call, index));
}

/** True when the argument is one string literal or one parameter, which PostgreSQL cannot type without context. */
function isUntypedLiteral(call: Call, index: number): boolean {
  const significant = tokensOf(call, index).filter(isSignificant);
  return significant.length === 1 && (significant[0].kind === 'string' || significant[0].kind === 'param');
}

function tokensOf(call: Call, index: number): Token[] {
  const range = call.args[index];
  return call.tokens.slice(range.from, range.to);
}

/** A date part argument: an identifier (`day`) or a string ('day'). */
function datePartArg(call: Call, index: number): DatePart {
  return readDatePart(tokensOf(call, index), (spelling) => `${call.name.toUpperCase()}: date part "${spelling}" is not recognized`);
}

function readDatePart(tokens: Token[], unrecognized: (spelling: string) => string): DatePart {
  const significant = tokens.filter(isSignificant);
  const spelling = significant.length === 1 ? (significant[0].value ?? significant[0].text) : significant.map((t) => t.text).join(' ');
  const part = significant.length === 1 ? datePart(spelling) : undefined;
  if (!part) throw new SqlError(unrecognized(spelling));
  return part;
}

const after = (call: Call, text: string): Rewritten => ({ text, next: call.close + 1 });

const CALL_REWRITERS = new Map<string, CallRewriter>(Object.entries({
  getdate: (call) => (call.args.length === 0 ? after(call, GETDATE) : undefined),
  nvl: (call) => after(call, `COALESCE(${argTexts(call).join(', ')})`),
  nvl2: (call) => {
    if (call.args.length !== 3) return undefined;
    const [value, whenNotNull, whenNull] = argTexts(call);
    return after(call, `(CASE WHEN (${value}) IS NOT NULL THEN (${whenNotNull}) ELSE (${whenNull}) END)`);
  },
  cast: rewriteCast,
  convert: (call) => {
    if (call.args.length !== 2) return undefined;
    const typeRange = call.args[0];
    const typeStart = skipInsignificant(call.tokens, typeRange.from, typeRange.to);
    const type = mapType(call.tokens, typeStart, typeRange.to);
    const typeText = type ? type.pg : argText(call, 0);
    return after(call, `CAST(${argText(call, 1)} AS ${typeText})`);
  },
  extract: rewriteExtract,
  date_part: rewriteDatePart,
  pgdate_part: rewriteDatePart,
  date_trunc: (call) => {
    if (call.args.length !== 2) return undefined;
    // Redshift's DATE_TRUNC returns TIMESTAMP; PostgreSQL's turns a DATE into TIMESTAMPTZ.
    return after(call, `date_trunc('${datePartArg(call, 0)}', (${argText(call, 1)})::timestamp)`);
  },
  avg: rewriteAvg,
  median: (call) =>
    call.args.length === 1 && !isWindowCall(call) ? after(call, `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${argText(call, 0)})`) : undefined,
  round: rewriteRound,
  regexp_replace: rewriteRegexpReplace,
  len: (call) => (call.args.length === 1 ? after(call, `length(${argText(call, 0)})`) : undefined),
  charindex: (call) => (call.args.length === 2 ? after(call, `strpos(${argText(call, 1)}, ${argText(call, 0)})`) : undefined),
  decode: rewriteDecode,
  convert_timezone: rewriteConvertTimezone,
  dateadd: rewriteDateAdd,
  datediff: rewriteDateDiff,
  listagg: rewriteListagg,
}));

function rewriteCast(call: Call): Rewritten | undefined {
  const as = findTopLevelWord(call.tokens, call.open + 1, call.close, 'as');
  if (as === -1) return undefined;
  const typeStart = skipInsignificant(call.tokens, as + 1, call.close);
  const type = mapType(call.tokens, typeStart, call.close);
  if (!type || skipInsignificant(call.tokens, type.end, call.close) !== call.close) return undefined;
  return after(call, `CAST(${rewriteRange(call.tokens, call.open + 1, as).trim()} AS ${type.pg})`);
}

/**
 * EXTRACT returns INTEGER in Redshift (PostgreSQL 14+ returns numeric, which the Data API would send as a
 * string) and gives only the named part: seconds without their fraction, milliseconds without the
 * seconds, microseconds without the milliseconds.
 */
function rewriteExtract(call: Call): Rewritten | undefined {
  const { tokens, open, close } = call;
  const from = findTopLevelWord(tokens, open + 1, close, 'from');
  if (from === -1) return undefined;
  const part = readDatePart(tokens.slice(open + 1, from), (spelling) => `timestamp units "${spelling}" not recognized`);
  const source = rewriteRange(tokens, from + 1, close).trim();
  const extract = (pgPart: string) => `EXTRACT(${pgPart} FROM ${source})`;
  switch (part) {
    case 'second':
      return after(call, `floor(${extract('second')})::integer`);
    case 'milliseconds':
      return after(call, `(floor(${extract('microseconds')} / 1000)::integer % 1000)`);
    case 'microseconds':
      return after(call, `(floor(${extract('microseconds')})::integer % 1000)`);
    case 'epoch':
      return after(call, `floor(${extract('epoch')})::bigint`);
    default:
      return after(call, `${extract(part)}::integer`);
  }
}

/** DATE_PART keeps PostgreSQL's meaning (DOUBLE PRECISION, seconds with their fraction); only the part names differ. */
function rewriteDatePart(call: Call): Rewritten | undefined {
  if (call.args.length !== 2) return undefined;
  return after(call, `date_part('${datePartArg(call, 0)}', ${argText(call, 1)})`);
}

/**
 * Redshift's DECODE(expression, search, result [, search, result]… [, default]) is a CASE in which a NULL
 * search matches a NULL expression. (PostgreSQL's own two-argument decode(text, format) is left alone.)
 */
function rewriteDecode(call: Call): Rewritten | undefined {
  if (call.args.length < 3) return undefined;
  const [expression, ...rest] = argTexts(call);
  const fallback = rest.length % 2 === 1 ? rest.pop() : undefined;
  let text = 'CASE';
  for (let k = 0; k < rest.length; k += 2) text += ` WHEN (${expression}) IS NOT DISTINCT FROM (${rest[k]}) THEN (${rest[k + 1]})`;
  if (fallback !== undefined) text += ` ELSE (${fallback})`;
  return after(call, `(${text} END)`);
}

/** True when the call is a window function: an OVER clause follows it. */
function isWindowCall(call: Call): boolean {
  return isWord(call.tokens[skipInsignificant(call.tokens, call.close + 1, call.to)], 'over');
}

/**
 * AVG of an integer type is a BIGINT in Redshift, the truncated mean; PostgreSQL's is NUMERIC. SUM / COUNT
 * gives Redshift's type for SMALLINT and INTEGER (integer division), DOUBLE and DECIMAL, and NULL for no
 * rows; not for BIGINT, whose SUM is NUMERIC. Left alone as a window function, where the OVER clause
 * would have to be doubled.
 */
function rewriteAvg(call: Call): Rewritten | undefined {
  if (call.args.length !== 1 || isWindowCall(call)) return undefined;
  const value = argText(call, 0);
  return after(call, `(sum(${value}) / count(${value}))`);
}

/**
 * ROUND(x, digits): PostgreSQL has it for NUMERIC only, Redshift for DOUBLE PRECISION too, returning the
 * input's type. Adding 0 * x gives the numeric result x's type back (DOUBLE stays DOUBLE, so the Data API
 * still sends a doubleValue); a bare literal or parameter has no type to keep.
 */
function rewriteRound(call: Call): Rewritten | undefined {
  if (call.args.length !== 2) return undefined;
  const [value, digits] = argTexts(call);
  const rounded = `round((${value})::numeric, ${digits})`;
  return after(call, isUntypedLiteral(call, 0) ? rounded : `(${rounded} + 0 * (${value}))`);
}

/** REGEXP_REPLACE(source, pattern [, replacement [, position]]): Redshift replaces every match, PostgreSQL the first unless asked for all. */
function rewriteRegexpReplace(call: Call): Rewritten | undefined {
  if (call.args.length < 2 || call.args.length > 4) return undefined;
  const [source, pattern, replacement = "''", position] = argTexts(call);
  const everyMatch = position === undefined ? "'g'" : `${position}, 0`;
  return after(call, `regexp_replace(${source}, ${pattern}, ${replacement}, ${everyMatch})`);
}

/** CONVERT_TIMEZONE([source,] target, timestamp): the source zone defaults to UTC; the result is a TIMESTAMP. */
function rewriteConvertTimezone(call: Call): Rewritten | undefined {
  if (call.args.length !== 2 && call.args.length !== 3) return undefined;
  const timestamp = timestampArg(call, call.args.length - 1);
  const target = argText(call, call.args.length - 2);
  const source = call.args.length === 3 ? argText(call, 0) : "'UTC'";
  return after(call, `((${timestamp} AT TIME ZONE ${source}) AT TIME ZONE ${target})`);
}

const INTERVAL_BY_PART: Partial<Record<DatePart, string>> = {
  millennium: '1000 years',
  century: '100 years',
  decade: '10 years',
  year: '1 year',
  quarter: '3 months',
  month: '1 month',
  week: '1 week',
  day: '1 day',
  hour: '1 hour',
  minute: '1 minute',
  second: '1 second',
  milliseconds: '1 millisecond',
  microseconds: '1 microsecond',
};

/** A date/time argument; a bare literal or parameter is read as TIMESTAMP, as Redshift does. */
function timestampArg(call: Call, index: number): string {
  const text = argText(call, index);
  return isUntypedLiteral(call, index) ? `(${text})::timestamp` : `(${text})`;
}

function rewriteDateAdd(call: Call): Rewritten | undefined {
  if (call.args.length !== 3) return undefined;
  const part = datePartArg(call, 0);
  const interval = INTERVAL_BY_PART[part];
  if (!interval) throw new SqlError(`DATEADD: date part "${part}" is not supported`);
  return after(call, `(${timestampArg(call, 2)} + (${argText(call, 1)})::integer * interval '${interval}')`);
}

const SECONDS_BY_PART: Partial<Record<DatePart, string>> = {
  week: '604800',
  day: '86400',
  hour: '3600',
  minute: '60',
  second: '1',
  milliseconds: '0.001',
  microseconds: '0.000001',
};

/** DATEDIFF counts the part boundaries crossed between the two values, as a BIGINT. */
function rewriteDateDiff(call: Call): Rewritten | undefined {
  if (call.args.length !== 3) return undefined;
  const part = datePartArg(call, 0);
  const start = `(${argText(call, 1)})::timestamp`;
  const end = `(${argText(call, 2)})::timestamp`;
  const months = (ts: string) => `(EXTRACT(year FROM ${ts}) * 12 + EXTRACT(month FROM ${ts}))`;
  const quarters = (ts: string) => `(EXTRACT(year FROM ${ts}) * 4 + EXTRACT(quarter FROM ${ts}))`;
  switch (part) {
    case 'year':
      return after(call, `(EXTRACT(year FROM ${end}) - EXTRACT(year FROM ${start}))::bigint`);
    case 'quarter':
      return after(call, `(${quarters(end)} - ${quarters(start)})::bigint`);
    case 'month':
      return after(call, `(${months(end)} - ${months(start)})::bigint`);
  }
  const seconds = SECONDS_BY_PART[part];
  if (!seconds) throw new SqlError(`DATEDIFF: date part "${part}" is not supported`);
  const epoch = (ts: string) => `EXTRACT(epoch FROM date_trunc('${part}', ${ts}))`;
  return after(call, `floor((${epoch(end)} - ${epoch(start)}) / ${seconds})::bigint`);
}

/**
 * LISTAGG([DISTINCT] e [, delimiter]) [WITHIN GROUP (ORDER BY …)] → string_agg. Redshift skips NULLs
 * and empty strings and accepts non-text values; string_agg skips only NULLs and wants text.
 */
function rewriteListagg(call: Call): Rewritten | undefined {
  const { tokens, to } = call;
  if (call.args.length < 1 || call.args.length > 2) return undefined;
  const valueRange = call.args[0];
  const firstWord = skipInsignificant(tokens, valueRange.from, valueRange.to);
  const distinct = isWord(tokens[firstWord], 'distinct');
  const valueText = rewriteRange(tokens, distinct ? firstWord + 1 : valueRange.from, valueRange.to).trim();
  const value = `NULLIF((${valueText})::text, '')`;
  const delimiter = call.args.length === 2 ? argText(call, 1) : "''";

  let next = call.close + 1;
  let orderBy = '';
  const within = skipInsignificant(tokens, next, to);
  if (isWord(tokens[within], 'within')) {
    const group = skipInsignificant(tokens, within + 1, to);
    const open = skipInsignificant(tokens, group + 1, to);
    const close = isWord(tokens[group], 'group') && isPunct(tokens[open], '(') ? matchingParen(tokens, open, to) : -1;
    if (close === -1) throw new SqlError('syntax error at or near "WITHIN"');
    orderBy = rewriteRange(tokens, open + 1, close).trim();
    if (distinct) orderBy = orderByDistinctValue(orderBy, valueText, value);
    next = close + 1;
  }
  const text = `string_agg(${distinct ? 'DISTINCT ' : ''}${value}, ${delimiter}${orderBy ? ` ${orderBy}` : ''})`;
  return { text, next };
}

/** With DISTINCT, PostgreSQL wants the ORDER BY key to be the aggregated expression itself: `ORDER BY e [ASC|DESC]` orders by our wrapped e. */
function orderByDistinctValue(orderBy: string, valueText: string, value: string): string {
  const match = /^order\s+by\s+(.*?)(\s+(?:asc|desc))?$/is.exec(orderBy);
  if (!match || match[1].trim() !== valueText) return orderBy;
  return `ORDER BY ${value}${match[2] ?? ''}`;
}
