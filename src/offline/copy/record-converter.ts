/**
 * One JSON record to one line of the engine's COPY text, or to a rejection: the per-record work of
 * Redshift's COPY … FORMAT JSON. Built from a plain, cloneable description of the COPY (ConversionSpec),
 * so a parse worker builds exactly the converter the COPY's own thread would.
 */
import {
  decodeRecord, FieldError, makeConverter, parseRecord, rawFieldText, type ConversionOptions, type Converter, type JsonValue,
  type TargetColumn,
} from './conversions';
import { findJsonSyntaxError, positionIn } from './json-syntax';
import { selectPath, type PathStep } from './jsonpaths';
import { encodeRow } from './pg-text';
import type { ScanProblem } from './record-scanner';
import { timeFormat } from './time-formats';

/** Everything the conversion depends on, as data: it crosses to worker threads. */
export interface ConversionSpec {
  columns: TargetColumn[];
  /** TIMEFORMAT and DATEFORMAT as written (already checked by the COPY's thread). */
  timeFormat: string;
  dateFormat: string;
  options: Omit<ConversionOptions, 'timeFormat' | 'dateFormat'>;
  /** JSON 'auto' (optionally ignoring key case), or the JSONPaths file's paths. */
  mapping: { mode: 'auto'; ignoreCase: boolean } | { mode: 'jsonpaths'; paths: PathStep[][] };
  /** NOLOAD: records are checked, no row is produced. */
  noLoad: boolean;
}

/** A record Redshift would not load: one load-error row, placed in its object. */
export interface Rejection {
  line: number;
  rawLine: string;
  code: number;
  message: string;
  position: number;
  /** The column at fault, when one is. */
  columnIndex?: number;
  rawValue: string;
}

/** Where a record lies in its object: for messages and load-error rows. */
export interface RecordPlace {
  firstLine: number;
  firstColumn: number;
  lastLine: number;
}

/** Maps a parsed record to one value per target column, in column order. */
type RecordMapper = (record: JsonValue) => (JsonValue | undefined)[];

export class RecordConverter {
  private readonly mapRecord: RecordMapper;
  private readonly converters: Converter[];

  constructor(readonly spec: ConversionSpec) {
    const options: ConversionOptions = {
      ...spec.options,
      timeFormat: checkedFormat(spec.timeFormat),
      dateFormat: checkedFormat(spec.dateFormat),
    };
    this.converters = spec.columns.map((column) => makeConverter(column, options));
    this.mapRecord = recordMapper(spec);
  }

  /**
   * The record's COPY line ('' under NOLOAD), or its rejection. `parsed` is the record already parsed by
   * a caller that had to parse it anyway, from bytes that were valid UTF-8; otherwise the text is parsed
   * here.
   */
  convert(text: string, place: RecordPlace, parsed?: JsonValue): string | Rejection {
    let record: JsonValue;
    if (parsed !== undefined) {
      record = parsed;
    } else {
      try {
        record = parseRecord(text);
      } catch (error) {
        // Where the record goes wrong; V8's message stands in (at the record's start) only if the check disagrees.
        const fault = findJsonSyntaxError(text) ?? { offset: 0, reason: (error as Error).message };
        const { line, column } = positionIn(text, fault.offset, place.firstLine, place.firstColumn);
        return rejection(line, text, new FieldError(1216, `Invalid JSON: ${fault.reason} (line ${line}, column ${column})`, column));
      }
    }
    let values: (JsonValue | undefined)[];
    try {
      values = this.mapRecord(record);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      return rejection(place.lastLine, text, error);
    }
    // Valid UTF-8 with no escape sequence holds no character to reject or to escape: the per-value checks are skipped.
    const plain = parsed !== undefined && !text.includes('\\');
    const fields: (string | null)[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      try {
        fields[i] = this.converters[i](values[i], plain);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        return rejection(place.lastLine, text, error, i, rawFieldText(values[i]));
      }
    }
    return this.spec.noLoad ? '' : encodeRow(fields, plain);
  }

  /** The record's bytes as the scanner cut them. */
  convertBytes(bytes: Buffer, place: RecordPlace): string | Rejection {
    return this.convert(decodeRecord(bytes), place);
  }
}

function rejection(line: number, rawLine: string, problem: FieldError, columnIndex?: number, rawValue = ''): Rejection {
  return { line, rawLine, code: problem.code, message: problem.message, position: problem.position, columnIndex, rawValue };
}

function checkedFormat(spec: string) {
  const format = timeFormat(spec);
  if (!format) throw new Error(`unsupported time format '${spec}'`); // the COPY's thread checked it first
  return format;
}

function recordMapper(spec: ConversionSpec): RecordMapper {
  const names = spec.columns.map((c) => c.name);
  const { mapping } = spec;
  if (mapping.mode === 'jsonpaths') {
    const steps = mapping.paths;
    // The usual file, one member name per path ($.artist, $['ts']), reads the members directly.
    if (steps.every((path) => path.length === 1 && typeof path[0] === 'string')) {
      const members = steps.map((path) => path[0] as string);
      return (record) => {
        const isObject = typeof record === 'object' && record !== null && !Array.isArray(record);
        return members.map((name) => (isObject && Object.hasOwn(record, name) ? record[name] : undefined));
      };
    }
    return (record) => steps.map((path) => selectPath(record, path));
  }
  return (record) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new FieldError(1216, "Invalid JSON: 'auto' needs each record to be a JSON object");
    }
    if (!mapping.ignoreCase) return names.map((name) => (Object.hasOwn(record, name) ? record[name] : undefined));
    const byLowerKey = new Map<string, JsonValue>();
    for (const [key, value] of Object.entries(record)) {
      const lower = key.toLowerCase();
      if (!byLowerKey.has(lower)) byLowerKey.set(lower, value);
    }
    return names.map((name) => byLowerKey.get(name));
  };
}

/** Scanner problems are invalid input lines (1216), placed where they are. */
export function scanRejection(item: ScanProblem): Rejection {
  const at = `(line ${item.lastLine}, column ${item.column})`;
  const reason = ((): string => {
    switch (item.kind) {
      case 'junk':
        return 'only whitespace may separate JSON objects';
      case 'broken-string':
        return 'unterminated string, a JSON string cannot hold a raw line break';
      case 'too-large':
        return `the object that starts at line ${item.firstLine}, column ${item.firstColumn} is ${item.size} bytes, over the 4 MB limit`;
      case 'unterminated':
        return item.inString
          ? `unterminated string, the file ends inside it (the object starts at line ${item.firstLine}, column ${item.firstColumn})`
          : `the file ends inside the object that starts at line ${item.firstLine}, column ${item.firstColumn}`;
      case 'gzip':
        return 'the file looks gzip-compressed (it starts with the bytes 1f 8b); COPY reads gzip files only with the GZIP option';
    }
  })();
  return rejection(item.lastLine, item.rawText, new FieldError(1216, `Invalid JSON: ${reason} ${at}`, item.column));
}
