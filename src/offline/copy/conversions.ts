/**
 * Turns a JSON value into the text PostgreSQL's COPY takes for a column, the way Redshift's COPY
 * converts JSON: or rejects it with Redshift's load-error code and message.
 */
import { parseTimestamp, type TimeFormat } from './time-formats';

/** A target column, read from the catalog. */
export interface TargetColumn {
  name: string;
  /** pg_type.typname: int4, varchar, timestamp, … */
  typeName: string;
  /** Declared length of varchar/char, in bytes as in Redshift; undefined when unlimited. */
  length?: number;
  precision?: number;
  scale?: number;
  notNull: boolean;
}

export interface ConversionOptions {
  timeFormat: TimeFormat;
  /** DATEFORMAT; its time fields, if any, are dropped. */
  dateFormat: TimeFormat;
  /** ROUNDEC: round numeric values to the column's scale instead of cutting the extra digits. */
  roundDecimals: boolean;
  blanksAsNull: boolean;
  emptyAsNull: boolean;
  truncateColumns: boolean;
  /** Replacement for each invalid UTF-8 byte, or null to reject the record. */
  acceptInvChars: string | null;
}

/** A value Redshift would reject; becomes one load-error row. */
export class FieldError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly position = 0,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * undefined = no such key in the record. `plain`: the record's text was valid UTF-8 without a backslash,
 * so no value can hold a character to reject (a lone surrogate, NUL) or one COPY text must escape.
 */
export type Converter = (value: JsonValue | undefined, plain: boolean) => string | null;

/** The field's value as it appeared, for raw_field_value. */
export function rawFieldText(value: JsonValue | undefined): string {
  return value === undefined || value === null ? '' : scalarText(value);
}

/**
 * Invalid UTF-8 bytes reach us as lone low surrogates U+DC80–U+DCFF (see decodeRecord); a lone surrogate
 * from a JSON escape is just as unloadable.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

interface IntegerRange {
  label: string;
  min: bigint;
  max: bigint;
  /** The range as doubles, for the fast path's comparison. */
  minNumber: number;
  maxNumber: number;
}

const integerRange = (label: string, bits: bigint): IntegerRange => {
  const min = -(2n ** (bits - 1n));
  const max = 2n ** (bits - 1n) - 1n;
  return { label, min, max, minNumber: Number(min), maxNumber: Number(max) };
};

const INTEGER_RANGES: Record<string, IntegerRange> = {
  int2: integerRange('Short', 16n),
  int4: integerRange('Integer', 32n),
  int8: integerRange('Long', 64n),
};

const CHARACTER_TYPES = new Set(['varchar', 'bpchar', 'text']);

export function makeConverter(column: TargetColumn, options: ConversionOptions): Converter {
  const convert = valueConverter(column, options);
  const character = CHARACTER_TYPES.has(column.typeName);
  return (value, plain) => {
    let result: string | null;
    if (value === undefined || value === null) result = null;
    // Empty or blank strings into non-character columns always load NULL.
    else if (!character && typeof value === 'string' && value.trim() === '') result = null;
    else result = convert(value, plain);
    if (result === null && column.notNull) throw new FieldError(1213, 'Missing data for not-null field');
    return result;
  };
}

function valueConverter(column: TargetColumn, options: ConversionOptions): (value: JsonValue, plain: boolean) => string | null {
  const integer = INTEGER_RANGES[column.typeName];
  if (integer) return (value) => toInteger(value, integer);
  switch (column.typeName) {
    case 'varchar':
    case 'bpchar':
    case 'text':
      return (value, plain) => toCharacter(value, column, options, plain);
    case 'float4':
    case 'float8':
      return (value) => toFloat(value, column.typeName === 'float4' ? 'Real' : 'Double Precision');
    case 'numeric':
      return (value) => toDecimal(value, column.precision, column.scale ?? 0, options.roundDecimals);
    case 'bool':
      return toBoolean;
    case 'timestamp':
    case 'timestamptz':
      return (value) => {
        const text = scalarText(value);
        const parsed = parseTimestamp(text, options.timeFormat);
        if (parsed === null) throw new FieldError(1206, `Invalid timestamp format or value [${options.timeFormat.description}]`);
        return column.typeName === 'timestamptz' ? `${parsed}+00` : parsed;
      };
    case 'date':
      return (value) => {
        const parsed = parseTimestamp(scalarText(value), options.dateFormat);
        if (parsed === null) throw new FieldError(1205, `Invalid date format or value [${options.dateFormat.description}]`);
        return parsed.slice(0, 10);
      };
    default:
      // Other types (json, time, …): PostgreSQL judges the value's text; a failure there fails the COPY.
      return (value) => checkedText(scalarText(value), options);
  }
}

/** Numbers keep JavaScript's shortest round-trip form; objects and arrays become their JSON text. */
function scalarText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  // String() is JSON's text for a finite number, and quicker.
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

function toInteger(value: JsonValue, range: IntegerRange): string {
  // Fast path for the common case: a JSON integer well inside the range.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= range.minNumber && value <= range.maxNumber) {
    return String(value);
  }
  const text = scalarText(value);
  const bad = /^[+-]?\d+$/.test(text) ? -1 : firstNonDigit(text);
  if (bad >= 0) throw new FieldError(1207, `Invalid digit, Value '${text[bad]}', Pos ${bad}, Type: ${range.label}`, bad);
  const n = BigInt(text);
  if (n < range.min || n > range.max) {
    throw new FieldError(1222, `Overflow (${range.label} valid range ${range.min} to ${range.max})`);
  }
  return n.toString();
}

function firstNonDigit(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!(c >= '0' && c <= '9') && !(i === 0 && (c === '-' || c === '+'))) return i;
  }
  return text.length === 0 ? 0 : text.length - 1; // a lone sign
}

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The largest finite REAL; a DOUBLE PRECISION beyond Number.MAX_VALUE parses to Infinity. */
const MAX_REAL = 3.4028234663852886e38;
/** The smallest positive REAL (subnormal); below half of it a non-zero value rounds to 0. */
const MIN_REAL = 1.401298464324817e-45;

function toFloat(value: JsonValue, label: string): string {
  const isReal = label === 'Real';
  // Fast path: a JSON number that is finite and in range needs no text checks (String gives valid digits).
  if (typeof value === 'number' && Number.isFinite(value)) {
    const magnitude = Math.abs(value);
    if (!isReal || magnitude === 0 || (magnitude <= MAX_REAL && magnitude >= MIN_REAL / 2)) return String(value);
  }
  const text = scalarText(value).trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(text)) return text;
  if (!DECIMAL_TEXT.test(text)) throw new FieldError(1208, `Invalid float number, Value '${text}', Type: ${label}`);
  // Checked here, as the engine's COPY would otherwise fail the whole load on this one value.
  const magnitude = Math.abs(Number(text));
  const overflows = magnitude === Infinity || (isReal && magnitude > MAX_REAL);
  const underflows = /[1-9]/.test(text.replace(/[eE].*$/, '')) && (magnitude === 0 || (isReal && magnitude < MIN_REAL / 2));
  if (overflows || underflows) throw new FieldError(1208, `Value out of range, Value '${text}', Type: ${label}`);
  return text;
}

/** Digits beyond the scale are cut, as Redshift does without ROUNDEC, or rounded half up with it. An unconstrained numeric keeps every digit. */
function toDecimal(value: JsonValue, precision: number | undefined, declaredScale: number, round: boolean): string {
  const text = scalarText(value).trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match) {
    const bad = firstNonDigit(text.replace('.', '0'));
    throw new FieldError(1207, `Invalid digit, Value '${text[bad] ?? text}', Pos ${bad}, Type: Decimal`, bad);
  }
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [mantissa, exponentText] = unsigned.split(/[eE]/);
  const [intDigits, fracDigits = ''] = mantissa.split('.');
  const exponent = Number(exponentText ?? 0);
  // Shift the point by the exponent on the digit string, so no precision is lost to floating point.
  const digits = intDigits + fracDigits;
  const point = intDigits.length + exponent;
  const padded = point < 0 ? '0'.repeat(-point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 0);
  const scale = precision === undefined ? Math.max(padded.length - at, 0) : declaredScale;
  let kept = padded.slice(0, at) + padded.slice(at, at + scale).padEnd(scale, '0');
  if (round && (padded[at + scale] ?? '0') >= '5') kept = (BigInt(kept) + 1n).toString().padStart(kept.length, '0');
  const whole = kept.slice(0, kept.length - scale).replace(/^0+/, '') || '0';
  const fraction = kept.slice(kept.length - scale);
  if (precision !== undefined && (whole === '0' ? 0 : whole.length) > precision - scale) {
    throw new FieldError(1204, `Numeric data overflow (result precision), Value '${text}', Type: Decimal(${precision},${scale})`);
  }
  const isZero = /^0*$/.test(whole + fraction);
  return (negative && !isZero ? '-' : '') + whole + (scale > 0 ? '.' + fraction : '');
}

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', '0']);

function toBoolean(value: JsonValue): string {
  const text = scalarText(value).trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return 't';
  if (FALSE_WORDS.has(text)) return 'f';
  throw new FieldError(1210, `Invalid boolean format, Value '${scalarText(value)}'`);
}


function toCharacter(value: JsonValue, column: TargetColumn, options: ConversionOptions, plain: boolean): string | null {
  const text = plain ? scalarText(value) : checkedText(scalarText(value), options);
  if (options.emptyAsNull && text === '') return null;
  if (options.blanksAsNull && text !== '' && text.trim() === '') return null;
  const limit = column.length;
  // A UTF-16 unit is at most 3 bytes of UTF-8: most values need no count.
  if (limit === undefined || text.length * 3 <= limit || Buffer.byteLength(text) <= limit) return text;
  if (!options.truncateColumns) throw new FieldError(1204, 'String length exceeds DDL length', limit);
  return truncateToBytes(text, limit);
}

/** Rejects or replaces invalid characters (invalid UTF-8 bytes, lone surrogates, NUL). */
function checkedText(text: string, options: ConversionOptions): string {
  const invalid = /[\uD800-\uDFFF\u0000]/.test(text);
  if (!invalid) return text;
  const cleaned = text.replace(LONE_SURROGATE, (c) => {
    if (options.acceptInvChars === null) {
      const position = text.indexOf(c);
      const byte = c.charCodeAt(0) >= 0xdc80 && c.charCodeAt(0) <= 0xdcff ? (c.charCodeAt(0) - 0xdc00).toString(16) : c.charCodeAt(0).toString(16);
      throw new FieldError(1220, `String contains invalid or unsupported UTF8 codepoints. Bad UTF8 hex sequence: ${byte}`, position);
    }
    return options.acceptInvChars;
  });
  if (cleaned.includes('\u0000')) {
    // PostgreSQL text cannot hold NUL; Redshift would need NULL AS '\0' handling, which JSON COPY does not offer.
    if (options.acceptInvChars === null) {
      throw new FieldError(1220, 'String contains invalid or unsupported UTF8 codepoints. Bad UTF8 hex sequence: 00', cleaned.indexOf('\u0000'));
    }
    return cleaned.replaceAll('\u0000', options.acceptInvChars);
  }
  return cleaned;
}

/** The longest prefix of `text` that fits in `limit` UTF-8 bytes, never splitting a character. */
export function truncateToBytes(text: string, limit: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > limit) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Decodes a record's bytes. Valid UTF-8 decodes as usual; each invalid byte becomes the lone surrogate
 * U+DC00+byte, which no valid input can produce, so a column converter can find and judge it later.
 */
export function decodeRecord(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!text.includes('\uFFFD')) return text;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const sequence = length > 0 ? bytes.subarray(i, i + length) : null;
    const decoded = sequence && sequence.length === length ? sequence.toString('utf8') : '\uFFFD';
    if (decoded.includes('\uFFFD') && !(length === 3 && decoded === '\uFFFD' && sequence!.equals(REPLACEMENT_BYTES))) {
      out += String.fromCharCode(0xdc00 + b);
      i += 1;
    } else {
      out += decoded;
      i += length;
    }
  }
  return out;
}

const REPLACEMENT_BYTES = Buffer.from('\uFFFD');

/** A JSON string literal, or a JSON number; strings are matched first so digits inside them are left alone. */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
/** Fifteen significant digits always survive a double; more may not. */
const MAX_EXACT_DIGITS = 15;

/**
 * JSON.parse, except that numbers with more digits than a double holds exactly arrive as their text
 * (a JSON string), so a bigint or a long decimal loads exactly as Redshift would load it.
 */
export function parseRecord(text: string): JsonValue {
  if (!hasDigitRun(text, MAX_EXACT_DIGITS + 1)) return JSON.parse(text) as JsonValue;
  const exact = text.replace(STRING_OR_NUMBER, (token) => {
    if (token.startsWith('"')) return token;
    const digits = token.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '');
    return digits.length > MAX_EXACT_DIGITS ? `"${token}"` : token;
  });
  return JSON.parse(exact) as JsonValue;
}

/**
 * Whether `text` holds `length` ASCII digits in a row. It looks at every length-th character and only
 * scans around a digit, so a record with short numbers costs a fraction of a regular expression's pass.
 */
function hasDigitRun(text: string, length: number): boolean {
  // Invariant: no run of `length` digits ends before position `end`.
  let end = length - 1;
  while (end < text.length) {
    if (!isDigit(text.charCodeAt(end))) {
      end += length;
      continue;
    }
    let start = end;
    while (start > end - length + 1 && isDigit(text.charCodeAt(start - 1))) start--;
    if (start === end - length + 1) return true;
    // text[start - 1] is no digit, so the next run can only end at start + length - 1 or later.
    end = start + length - 1;
  }
  return false;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
