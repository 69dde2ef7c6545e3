/**
 * COPY's TIMEFORMAT: epoch numbers, 'auto', or a Redshift format string, parsed into PostgreSQL's
 * `YYYY-MM-DD HH:MI:SS[.ffffff]` text in UTC.
 */

export interface TimeFormat {
  /** What the load-error message shows, as Redshift does: the format in brackets. */
  description: string;
  parse(text: string): string | null;
}

export const DEFAULT_TIME_FORMAT = 'YYYY-MM-DD HH:MI:SS';
export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD';

/** Builds the format for a TIMEFORMAT or DATEFORMAT argument; null when the format is unsupported. */
export function timeFormat(spec: string): TimeFormat | null {
  // Redshift's keywords are case-sensitive.
  if (spec === 'epochmillisecs') return { description: 'epochmillisecs', parse: (t) => fromEpoch(t, 1) };
  if (spec === 'epochsecs') return { description: 'epochsecs', parse: (t) => fromEpoch(t, 1000) };
  if (spec === 'auto') return { description: 'auto', parse: parseAuto };
  return patternFormat(spec);
}

/** The UTC instant of a calendar date and time (month from 1), years 0–99 included. */
function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (year < 100) date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return date;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = utcDate(year, month, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function parseTimestamp(text: string, format: TimeFormat): string | null {
  return format.parse(text.trim());
}

const EPOCH_NUMBER = /^(-?\d+)(?:\.(\d+))?$/;
const WHOLE_NUMBER = /^-?\d{1,15}$/;

/** `unitMs` = 1 for milliseconds, 1000 for seconds. The fraction of a unit is kept to the microsecond. */
function fromEpoch(text: string, unitMs: number): string | null {
  // The usual case, a whole number of milliseconds or seconds, without the general path's arithmetic.
  if (WHOLE_NUMBER.test(text)) return formatUtc(new Date(Number(text) * unitMs));
  const match = EPOCH_NUMBER.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  // The fraction has the number's sign: -1.5 is minus one and a half, before 1970.
  const fractionOfUnit = match[2] === undefined ? 0 : Number(`${match[1].startsWith('-') ? '-' : ''}0.${match[2]}`);
  const totalMicros = Math.round((whole + fractionOfUnit) * unitMs * 1000);
  const ms = Math.floor(totalMicros / 1000);
  return formatUtc(new Date(ms), totalMicros - ms * 1000);
}

function formatUtc(date: Date, extraMicros = 0): string | null {
  const time = date.getTime();
  if (Number.isNaN(time)) return null;
  const fraction = extraMicros === 0 ? MILLISECOND_FRACTIONS[date.getUTCMilliseconds()] : microsecondFraction(date.getUTCMilliseconds() * 1000 + extraMicros);
  const day = Math.floor(time / DAY_MS);
  if (day !== lastDay.day) lastDay = { day, text: dayText(date) };
  if (lastDay.text === null) return null;
  const msOfDay = time - day * DAY_MS;
  const hour = Math.floor(msOfDay / 3_600_000);
  const minute = Math.floor(msOfDay / 60_000) % 60;
  const second = Math.floor(msOfDay / 1000) % 60;
  return `${lastDay.text}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}${fraction}`;
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/** 'YYYY-MM-DD ', or null outside years 1–9999. */
function dayText(date: Date): string | null {
  const year = date.getUTCFullYear();
  return year < 1 || year > 9999 ? null : `${date.toISOString().slice(0, 10)} `;
}

/** The last day formatted: a load's timestamps mostly fall on a few days, so the date part is made once per day. */
let lastDay: { day: number; text: string | null } = { day: NaN, text: null };

/** '.123456' without trailing zeros; '' for none. */
function microsecondFraction(micros: number): string {
  return micros === 0 ? '' : '.' + String(micros).padStart(6, '0').replace(/0+$/, '');
}

/** The fraction for each whole millisecond, made once: most timestamps need nothing finer. */
const MILLISECOND_FRACTIONS = Array.from({ length: 1000 }, (_, ms) => microsecondFraction(ms * 1000));

interface Parts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  fraction: string; offsetMinutes: number;
}

function assemble(p: Parts): string | null {
  if (!isCalendarDate(p.year, p.month, p.day) || p.hour > 23 || p.minute > 59 || p.second > 59) return null;
  const micros = Number((p.fraction + '000000').slice(0, 6));
  const local = utcDate(p.year, p.month, p.day, p.hour, p.minute, p.second);
  return formatUtc(new Date(local.getTime() - p.offsetMinutes * 60_000), micros);
}

/** What may follow an 'auto' date: a time (seconds and fraction optional), then a UTC offset. */
const AUTO_TIME_AND_OFFSET = String.raw`(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`;
const autoPattern = (date: string) => new RegExp(`^${date}${AUTO_TIME_AND_OFFSET}`, 'i');

const AUTO_PATTERNS: { regex: RegExp; order: 'ymd' | 'mdy' }[] = [
  { regex: autoPattern(String.raw`(\d{4})-(\d{1,2})-(\d{1,2})`), order: 'ymd' },
  { regex: autoPattern(String.raw`(\d{4})\/(\d{1,2})\/(\d{1,2})`), order: 'ymd' },
  { regex: autoPattern(String.raw`(\d{1,2})\/(\d{1,2})\/(\d{4})`), order: 'mdy' },
];

/** 'auto': ISO 8601 and the common slash forms, with an optional UTC offset. */
function parseAuto(text: string): string | null {
  for (const { regex, order } of AUTO_PATTERNS) {
    const m = regex.exec(text);
    if (!m) continue;
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return assemble({
      year: order === 'ymd' ? a : c,
      month: order === 'ymd' ? b : a,
      day: order === 'ymd' ? c : b,
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      fraction: m[7] ?? '',
      offsetMinutes: offsetMinutes(m[8]),
    });
  }
  return null;
}

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return offset.startsWith('-') ? -minutes : minutes;
}

/** Format-string elements; longest first so HH24 wins over HH. SS takes an optional fraction, as Redshift's does. */
type Field = keyof Parts | 'shortYear' | 'meridiem';

const ELEMENTS: { token: string; regex: string; field: Field }[] = [
  { token: 'YYYY', regex: '(\\d{4})', field: 'year' },
  { token: 'HH24', regex: '(\\d{1,2})', field: 'hour' },
  { token: 'HH12', regex: '(\\d{1,2})', field: 'hour' },
  { token: 'YY', regex: '(\\d{2})', field: 'shortYear' },
  { token: 'MM', regex: '(\\d{1,2})', field: 'month' },
  { token: 'DD', regex: '(\\d{1,2})', field: 'day' },
  { token: 'HH', regex: '(\\d{1,2})', field: 'hour' },
  { token: 'MI', regex: '(\\d{1,2})', field: 'minute' },
  { token: 'SS', regex: '(\\d{1,2})(?:\\.(\\d{1,6}))?', field: 'second' },
  { token: 'AM', regex: '([AaPp][Mm])', field: 'meridiem' },
  { token: 'PM', regex: '([AaPp][Mm])', field: 'meridiem' },
];

/** A Redshift format string such as 'YYYY-MM-DD HH:MI:SS' or 'MM/DD/YYYY HH12:MI:SS AM'; null if unsupported. */
function patternFormat(spec: string): TimeFormat | null {
  let regex = '^';
  const fields: Field[] = [];
  let rest = spec;
  while (rest.length > 0) {
    const element = ELEMENTS.find((e) => rest.toUpperCase().startsWith(e.token));
    if (element) {
      regex += element.regex;
      fields.push(element.field);
      if (element.token === 'SS') fields.push('fraction');
      rest = rest.slice(element.token.length);
    } else if (/[A-Za-z]/.test(rest[0])) {
      return null; // an element we do not know: refuse the format rather than misread the data
    } else {
      regex += rest[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      rest = rest.slice(1);
    }
  }
  if (!(fields.includes('year') || fields.includes('shortYear')) || !fields.includes('month') || !fields.includes('day')) return null;
  const compiled = new RegExp(regex + '$');
  return {
    description: spec,
    parse(text) {
      const m = compiled.exec(text);
      if (!m) return null;
      const parts: Parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: '', offsetMinutes: 0 };
      let pm: boolean | undefined;
      fields.forEach((field, i) => {
        const value = m[i + 1];
        if (field === 'meridiem') pm = value.toUpperCase() === 'PM';
        else if (field === 'fraction') parts.fraction = value ?? '';
        else if (field === 'shortYear') parts.year = Number(value) + (Number(value) < 70 ? 2000 : 1900);
        else parts[field] = Number(value);
      });
      if (pm !== undefined) {
        if (parts.hour < 1 || parts.hour > 12) return null;
        parts.hour = (parts.hour % 12) + (pm ? 12 : 0);
      }
      return assemble(parts);
    },
  };
}
