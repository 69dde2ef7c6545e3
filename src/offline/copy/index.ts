/**
 * Redshift's COPY … FROM 's3://…' FORMAT JSON on a PostgreSQL engine. Objects stream from the object
 * store through the record scanner, each record is mapped to the target columns and converted the way
 * Redshift converts JSON, and the rows go to the engine's own bulk COPY in bounded chunks. Rejected
 * records become load-error rows; more of them than MAXERROR fails the COPY, and the caller's
 * transaction then loads nothing.
 */
import { quoteIdentifier } from '../../sql/quote';
import type { EngineSession } from '../engines/engine';
import type { ObjectStore } from '../s3/object-store';
import { parseCopyStatement, type CopyStatement } from './copy-statement';
import {
  decodeRecord, FieldError, makeConverter, parseRecord, rawFieldText, type ConversionOptions, type JsonValue,
} from './conversions';
import { CopyFailedError } from './errors';
import { parseJsonPathsFile, selectPath, JsonPathsError, type PathStep } from './jsonpaths';
import { ERROR_MESSAGE_LIMIT, RAW_TEXT_LIMIT, type LoadErrorRow } from './load-errors';
import { encodeRow, inChunks } from './pg-text';
import { findJsonSyntaxError, positionIn } from './json-syntax';
import { scanRecords, type ScanItem, type ScanProblem } from './record-scanner';
import { manifestObjects, objectsUnderPrefix, openObject, readSmallObject, type SourceObject } from './sources';
import { columnLengthText, readTargetTable, type TargetTable } from './target-table';
import { DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT, timeFormat, type TimeFormat } from './time-formats';

export { CopyFailedError } from './errors';
export { ensureLoadErrorTables, recordLoadErrors, SYSTEM_SCHEMA, type LoadErrorRow } from './load-errors';

export interface CopyContext {
  session: EngineSession;
  objectStore: ObjectStore;
  signal: AbortSignal;
  queryId: number;
  database: string;
  userName: string;
}

export interface CopyOutcome {
  rowsLoaded: number;
  loadErrors: LoadErrorRow[];
}

/** Maps a parsed record to one value per target column, in column order. */
type RecordMapper = (record: JsonValue) => (JsonValue | undefined)[];

export async function executeCopy(copySql: string, ctx: CopyContext): Promise<CopyOutcome> {
  const startTime = new Date();
  const statement = parseCopyStatement(copySql);
  const options: ConversionOptions = {
    timeFormat: formatOption('TIMEFORMAT', statement.timeFormat ?? DEFAULT_TIME_FORMAT),
    dateFormat: formatOption('DATEFORMAT', statement.dateFormat ?? DEFAULT_DATE_FORMAT),
    roundDecimals: statement.roundDecimals,
    blanksAsNull: statement.blanksAsNull,
    emptyAsNull: statement.emptyAsNull,
    truncateColumns: statement.truncateColumns,
    acceptInvChars: statement.acceptInvChars,
  };
  ctx.signal.throwIfAborted();

  const table = await readTargetTable(ctx.session, statement.table, statement.columns);
  const mapRecord = await recordMapper(statement, table, ctx.objectStore);
  const converters = table.columns.map((column) => makeConverter(column, options));
  const identity = await sessionIdentity(ctx.session);
  const objects = statement.manifest
    ? await manifestObjects(ctx.objectStore, statement.source)
    : objectsUnderPrefix(ctx.objectStore, statement.source);

  const loadErrors: LoadErrorRow[] = [];
  // Why the row stream stopped, if it did: the engine may wrap whatever ends its COPY input.
  let stopReason: unknown;

  const reject = (object: SourceObject, line: number, rawLine: string, problem: FieldError, columnIndex?: number, rawValue = '') => {
    const column = columnIndex === undefined ? undefined : table.columns[columnIndex];
    loadErrors.push({
      queryId: ctx.queryId, userId: identity.userId, transactionId: identity.transactionId, sessionId: ctx.session.pid,
      databaseName: ctx.database, tableId: table.oid, startTime, fileName: object.url, lineNumber: line,
      columnName: column?.name ?? '', columnType: column?.typeName ?? '', columnLength: column ? columnLengthText(column) : '',
      position: problem.position, rawLine: rawLine.slice(0, RAW_TEXT_LIMIT), rawFieldValue: rawValue.slice(0, RAW_TEXT_LIMIT),
      errorCode: problem.code, errorMessage: problem.message.slice(0, ERROR_MESSAGE_LIMIT),
    });
    if (loadErrors.length > statement.maxError) {
      throw new CopyFailedError(
        `Load into table '${table.displayName}' failed. Check 'sys_load_error_detail' system table for details.`,
        loadErrors,
      );
    }
  };

  /** One COPY text line for the record, or null when it is rejected. */
  const rowFor = (object: SourceObject, item: Extract<ScanItem, { kind: 'record' }>): string | null => {
    const text = decodeRecord(item.bytes);
    let record: JsonValue;
    try {
      record = parseRecord(text);
    } catch (error) {
      // Where the record goes wrong; V8's message stands in (at the record's start) only if the check disagrees.
      const fault = findJsonSyntaxError(text) ?? { offset: 0, reason: (error as Error).message };
      const { line, column } = positionIn(text, fault.offset, item.firstLine, item.firstColumn);
      reject(object, line, text, new FieldError(1216, `Invalid JSON: ${fault.reason} (line ${line}, column ${column})`, column));
      return null;
    }
    let values: (JsonValue | undefined)[];
    try {
      values = mapRecord(record);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      reject(object, item.lastLine, text, error);
      return null;
    }
    const fields: (string | null)[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      try {
        fields[i] = converters[i](values[i]);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        reject(object, item.lastLine, text, error, i, rawFieldText(values[i]));
        return null;
      }
    }
    return encodeRow(fields);
  };

  async function* rows(): AsyncGenerator<string> {
    try {
      for await (const object of objects) {
        try {
          for await (const item of scanRecords(openObject(ctx.objectStore, object, statement.gzip))) {
            ctx.signal.throwIfAborted();
            if (item.kind === 'record') {
              const row = rowFor(object, item);
              if (row !== null && !statement.noLoad) yield row;
            } else {
              reject(object, item.lastLine, item.rawText, scanProblem(item));
            }
          }
        } catch (error) {
          throw readFailure(error, object);
        }
      }
    } catch (error) {
      stopReason = error;
      throw error;
    }
  }

  const analyzeAfterLoad = statement.statUpdate ?? (await isEmpty(ctx.session, table));
  const sql = `COPY ${table.sqlName} (${table.columns.map((c) => quoteIdentifier(c.name)).join(', ')}) FROM STDIN`;
  let rowsLoaded: number;
  try {
    rowsLoaded = await ctx.session.copyFrom(sql, inChunks(rows()));
  } catch (error) {
    throw stopReason ?? error;
  }
  // Redshift updates statistics after loading an empty table (STATUPDATE's default). Without them
  // PostgreSQL plans the star load's joins for an 8-row table: nested loops that take minutes.
  if (analyzeAfterLoad && rowsLoaded > 0) await ctx.session.query(`ANALYZE ${table.sqlName}`);
  return { rowsLoaded, loadErrors };
}

async function isEmpty(session: EngineSession, table: TargetTable): Promise<boolean> {
  const { rows } = await session.query(`SELECT 1 FROM ${table.sqlName} LIMIT 1`);
  return rows.length === 0;
}

function formatOption(option: string, spec: string): TimeFormat {
  const format = timeFormat(spec);
  if (!format) throw new CopyFailedError(`Invalid ${option} '${spec}': unsupported format element`);
  return format;
}

/** Scanner problems are invalid input lines (1216), placed where they are. */
function scanProblem(item: ScanProblem): FieldError {
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
  return new FieldError(1216, `Invalid JSON: ${reason} ${at}`, item.column);
}

/** Errors reading an object (gzip, file system) fail the COPY and name the object; our own errors pass through. */
function readFailure(error: unknown, object: SourceObject): unknown {
  // Duck-typed: errors from Node's streams may come from another realm (a test VM), where instanceof fails.
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (error instanceof CopyFailedError || name === 'AbortError') return error;
  const detail = typeof message === 'string' ? message : String(error);
  return new CopyFailedError(`Failed to read '${object.url}': ${detail}`);
}

async function recordMapper(statement: CopyStatement, table: TargetTable, store: ObjectStore): Promise<RecordMapper> {
  const names = table.columns.map((c) => c.name);
  if (statement.json.mode === 'jsonpaths') {
    const text = await readSmallObject(store, statement.json.location, 'JSONPaths');
    let paths: PathStep[][] | null;
    try {
      paths = parseJsonPathsFile(text);
    } catch (error) {
      if (error instanceof JsonPathsError) throw new CopyFailedError(error.message);
      throw error;
    }
    if (paths !== null) {
      if (paths.length !== names.length) {
        throw new CopyFailedError(
          `Number of jsonpaths and the number of columns should match. JSONPath size: ${paths.length}, Number of columns in table or column list: ${names.length}`,
        );
      }
      const steps = paths;
      return (record) => steps.map((path) => selectPath(record, path));
    }
    // A file whose top-level key is not "jsonpaths": Redshift silently maps as 'auto'.
  }
  const ignoreCase = statement.json.mode === 'auto' && statement.json.ignoreCase;
  return (record) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new FieldError(1216, "Invalid JSON: 'auto' needs each record to be a JSON object");
    }
    if (!ignoreCase) return names.map((name) => (Object.hasOwn(record, name) ? record[name] : undefined));
    const byLowerKey = new Map<string, JsonValue>();
    for (const [key, value] of Object.entries(record)) {
      const lower = key.toLowerCase();
      if (!byLowerKey.has(lower)) byLowerKey.set(lower, value);
    }
    return names.map((name) => byLowerKey.get(name));
  };
}

async function sessionIdentity(session: EngineSession): Promise<{ userId: number; transactionId: number }> {
  const outcome = await session.query(
    `SELECT (SELECT oid FROM pg_roles WHERE rolname = current_user)::int8, pg_current_xact_id()::text::int8`,
  );
  const [userId, transactionId] = outcome.rows[0];
  return { userId: Number(userId), transactionId: Number(transactionId) };
}
