/**
 * Redshift's date part names and abbreviations (Developer Guide, "Date parts for date or timestamp
 * functions"), each mapped to the one name PostgreSQL understands. PostgreSQL rejects most of
 * Redshift's spellings (weekday, dw, dayofweek, yearday, qtr, …).
 */
export type DatePart =
  | 'millennium'
  | 'century'
  | 'decade'
  | 'epoch'
  | 'year'
  | 'quarter'
  | 'month'
  | 'week'
  | 'dow'
  | 'doy'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second'
  | 'milliseconds'
  | 'microseconds'
  | 'timezone'
  | 'timezone_hour'
  | 'timezone_minute';

const SPELLINGS: Record<DatePart, string[]> = {
  millennium: ['millennium', 'millennia', 'mil', 'mils'],
  century: ['century', 'centuries', 'c', 'cent', 'cents'],
  decade: ['decade', 'decades', 'dec', 'decs'],
  epoch: ['epoch'],
  year: ['year', 'years', 'y', 'yr', 'yrs'],
  quarter: ['quarter', 'quarters', 'qtr', 'qtrs'],
  month: ['month', 'months', 'mon', 'mons'],
  week: ['week', 'weeks', 'w'],
  dow: ['dayofweek', 'dow', 'dw', 'weekday'],
  doy: ['dayofyear', 'doy', 'dy', 'yearday'],
  day: ['day', 'days', 'd'],
  hour: ['hour', 'hours', 'h', 'hr', 'hrs'],
  minute: ['minute', 'minutes', 'm', 'min', 'mins'],
  second: ['second', 'seconds', 's', 'sec', 'secs'],
  milliseconds: ['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'msecond', 'mseconds', 'millisec', 'millisecs', 'millisecon'],
  microseconds: ['microsecond', 'microseconds', 'microsec', 'microsecs', 'usecond', 'useconds', 'us', 'usec', 'usecs'],
  timezone: ['timezone'],
  timezone_hour: ['timezone_hour'],
  timezone_minute: ['timezone_minute'],
};

const PART_BY_SPELLING = new Map<string, DatePart>(
  (Object.entries(SPELLINGS) as [DatePart, string[]][]).flatMap(([part, spellings]) => spellings.map((s) => [s, part] as const)),
);

/** The canonical part for a Redshift spelling (case-insensitive), or undefined when Redshift knows no such part. */
export function datePart(spelling: string): DatePart | undefined {
  return PART_BY_SPELLING.get(spelling.trim().toLowerCase());
}
