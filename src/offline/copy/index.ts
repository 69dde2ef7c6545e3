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
import { CopyFailedError } from './errors';
import { parseJsonPathsFile, JsonPathsError, type PathStep } from './jsonpaths';
import { ERROR_MESSAGE_LIMIT, RAW_TEXT_LIMIT, type LoadErrorRow } from './load-errors';
import { defaultParseWorkers, parsePool, type WorkerOutcome } from './parse-pool';

export { defaultParseWorkers } from './parse-pool';
import { COPY_CHUNK_CHARS } from './pg-text';
import { RecordConverter, scanRejection, type ConversionSpec, type Rejection } from './record-converter';
import { MAX_RECORD_BYTES, scanRecords, type ScanStart } from './record-scanner';
import { convertSegment, cutSegments, SEGMENT_BYTES, type SegmentOutcome } from './segments';
import { manifestObjects, objectsUnderPrefix, openObject, readSmallObject, type SourceObject } from './sources';
import { columnLengthText, readTargetTable, type TargetTable } from './target-table';
import { DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT, timeFormat } from './time-formats';

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

/** How COPY spreads its parsing over threads; the defaults suit any input, tests narrow them. */
export interface ParseOptions {
  /** Parse workers; 0 parses on the COPY's own thread. */
  workers: number;
  segmentBytes: number;
  /** Smaller segments (a small object, a short tail) are parsed on the COPY's own thread: a hand-over would cost more. */
  minWorkerSegmentBytes: number;
}

/** Objects up to this size are read whole, many at a time: per-object latency, not bytes, is their cost. */
const SMALL_OBJECT_BYTES = 1024 * 1024;
const SMALL_OBJECTS_AHEAD = 16;

export async function executeCopy(copySql: string, ctx: CopyContext, parsing: Partial<ParseOptions> = {}): Promise<CopyOutcome> {
  const startTime = new Date();
  const statement = parseCopyStatement(copySql);
  const timeFormatSpec = checkedFormat('TIMEFORMAT', statement.timeFormat ?? DEFAULT_TIME_FORMAT);
  const dateFormatSpec = checkedFormat('DATEFORMAT', statement.dateFormat ?? DEFAULT_DATE_FORMAT);
  ctx.signal.throwIfAborted();

  const table = await readTargetTable(ctx.session, statement.table, statement.columns);
  const spec: ConversionSpec = {
    columns: table.columns,
    timeFormat: timeFormatSpec,
    dateFormat: dateFormatSpec,
    options: {
      roundDecimals: statement.roundDecimals,
      blanksAsNull: statement.blanksAsNull,
      emptyAsNull: statement.emptyAsNull,
      truncateColumns: statement.truncateColumns,
      acceptInvChars: statement.acceptInvChars,
    },
    mapping: await recordMapping(statement, table, ctx.objectStore),
    noLoad: statement.noLoad,
  };
  const converter = new RecordConverter(spec);
  const identity = await sessionIdentity(ctx.session);
  const objects = statement.manifest
    ? await manifestObjects(ctx.objectStore, statement.source)
    : objectsUnderPrefix(ctx.objectStore, statement.source);
  const { workers = defaultParseWorkers(), segmentBytes = SEGMENT_BYTES, minWorkerSegmentBytes = 256 * 1024 } = parsing;
  const pool = workers > 0 ? parsePool(workers) : null;
  const specKey = JSON.stringify(spec);

  const loadErrors: LoadErrorRow[] = [];
  // Why the row stream stopped, if it did: the engine may wrap whatever ends its COPY input.
  let stopReason: unknown;

  const reject = (object: SourceObject, rejected: Rejection) => {
    const column = rejected.columnIndex === undefined ? undefined : table.columns[rejected.columnIndex];
    loadErrors.push({
      queryId: ctx.queryId, userId: identity.userId, transactionId: identity.transactionId, sessionId: ctx.session.pid,
      databaseName: ctx.database, tableId: table.oid, startTime, fileName: object.url, lineNumber: rejected.line,
      columnName: column?.name ?? '', columnType: column?.typeName ?? '', columnLength: column ? columnLengthText(column) : '',
      position: rejected.position, rawLine: rejected.rawLine.slice(0, RAW_TEXT_LIMIT), rawFieldValue: rejected.rawValue.slice(0, RAW_TEXT_LIMIT),
      errorCode: rejected.code, errorMessage: rejected.message.slice(0, ERROR_MESSAGE_LIMIT),
    });
    if (loadErrors.length > statement.maxError) {
      throw new CopyFailedError(
        `Load into table '${table.displayName}' failed. Check 'sys_load_error_detail' system table for details.`,
        loadErrors,
      );
    }
  };

  /** Each object's bytes, small objects read ahead in parallel; errors name the object. */
  async function* objectSources(): AsyncGenerator<Started<{ object: SourceObject; bytes: AsyncIterable<Buffer> }>> {
    for await (const object of objects) {
      if (object.size <= SMALL_OBJECT_BYTES) {
        yield started(readWhole(openObject(ctx.objectStore, object, statement.gzip)).then(
          (bytes) => ({ object, bytes: once(bytes) }),
          (error: unknown) => { throw readFailure(error, object); },
        ));
      } else {
        yield started(Promise.resolve({ object, bytes: lazily(() => openObject(ctx.objectStore, object, statement.gzip)) }));
      }
    }
  }

  /** Every segment of every object, converted here or by a worker, in order. */
  async function* pieces(): AsyncGenerator<Started<Piece>> {
    let objectIndex = 0;
    for await (const { object, bytes } of inOrder(objectSources(), SMALL_OBJECTS_AHEAD)) {
      const index = objectIndex++;
      try {
        for await (const segment of cutSegments(bytes, segmentBytes, 2 * MAX_RECORD_BYTES)) {
          if ('rest' in segment) {
            yield started(Promise.resolve({ object, index, start: segment.rest, outcome: null }));
            break;
          }
          const { start } = segment;
          if (pool && segment.bytes.length >= minWorkerSegmentBytes) {
            yield started(pool.run({ specKey, spec, maxRecordBytes: MAX_RECORD_BYTES, bytes: segment.bytes, start, last: segment.last })
              .then((outcome) => ({ object, index, start, outcome })));
          } else {
            yield started(Promise.resolve({ object, index, start, outcome: convertSegment(segment.bytes, start, segment.last, converter, MAX_RECORD_BYTES) }));
          }
        }
      } catch (error) {
        throw readFailure(error, object);
      }
    }
  }

  /** The rest of an object from `start`, in one pass of the scanner: for records that cross segments. */
  async function* onePass(object: SourceObject, start: ScanStart): AsyncGenerator<string> {
    let text = '';
    try {
      const bytes = skipBytes(openObject(ctx.objectStore, object, statement.gzip), start.offset);
      for await (const item of scanRecords(bytes, MAX_RECORD_BYTES, start)) {
        ctx.signal.throwIfAborted();
        const result = item.kind === 'record' ? converter.convertBytes(item.bytes, item) : scanRejection(item);
        if (typeof result !== 'string') reject(object, result);
        else if ((text += result).length >= COPY_CHUNK_CHARS) {
          yield text;
          text = '';
        }
      }
    } catch (error) {
      throw readFailure(error, object);
    }
    if (text !== '') yield text;
  }

  async function* rows(): AsyncGenerator<string | Uint8Array> {
    try {
      let finishedIndex = -1; // an object read to its end by onePass, or stopped at gzip bytes
      for await (const piece of inOrder(pieces(), 2 * Math.max(workers, 1) + 2)) {
        ctx.signal.throwIfAborted();
        if (piece.index === finishedIndex) continue;
        const { outcome } = piece;
        if (outcome === null || outcome.end === 'open') {
          yield* onePass(piece.object, piece.start);
          finishedIndex = piece.index;
          continue;
        }
        for (const rejected of outcome.rejections) reject(piece.object, rejected);
        if (outcome.text.length > 0) yield outcome.text;
        if (outcome.end === 'done') finishedIndex = piece.index;
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
    rowsLoaded = await ctx.session.copyFrom(sql, rows());
  } catch (error) {
    throw stopReason ?? error;
  }
  // Redshift updates statistics after loading an empty table (STATUPDATE's default). Without them
  // PostgreSQL plans the star load's joins for an 8-row table: nested loops that take minutes.
  if (analyzeAfterLoad && rowsLoaded > 0) await ctx.session.query(`ANALYZE ${table.sqlName}`);
  return { rowsLoaded, loadErrors };
}

/** A segment's outcome with its place; no outcome: the object is read from `start` in one pass. */
interface Piece {
  object: SourceObject;
  index: number;
  start: ScanStart;
  outcome: SegmentOutcome | WorkerOutcome | null;
}

/** Work already under way. Boxed: an async generator would wait for a promise it yields. */
interface Started<T> {
  result: Promise<T>;
}

function started<T>(result: Promise<T>): Started<T> {
  result.catch(() => undefined); // awaited in order by inOrder; unobserved if the consumer stops first
  return { result };
}

/**
 * The results of the work `source` starts, in order, keeping up to `depth` of it under way: reads and
 * workers run ahead of the consumer, and memory stays bounded.
 */
async function* inOrder<T>(source: AsyncIterable<Started<T>>, depth: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const started: Promise<T>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && started.length < depth) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else started.push(next.value.result);
      }
      const head = started.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    await iterator.return?.();
  }
}

async function readWhole(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

async function* lazily(open: () => AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield* open();
}

async function* skipBytes(stream: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of stream) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

async function isEmpty(session: EngineSession, table: TargetTable): Promise<boolean> {
  const { rows } = await session.query(`SELECT 1 FROM ${table.sqlName} LIMIT 1`);
  return rows.length === 0;
}

function checkedFormat(option: string, spec: string): string {
  if (!timeFormat(spec)) throw new CopyFailedError(`Invalid ${option} '${spec}': unsupported format element`);
  return spec;
}

/** Errors reading an object (gzip, file system) fail the COPY and name the object; our own errors pass through. */
function readFailure(error: unknown, object: SourceObject): unknown {
  // Duck-typed: errors from Node's streams may come from another realm (a test VM), where instanceof fails.
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (error instanceof CopyFailedError || name === 'AbortError') return error;
  const detail = typeof message === 'string' ? message : String(error);
  return new CopyFailedError(`Failed to read '${object.url}': ${detail}`);
}

/** How records map to columns: the JSONPaths file's paths, or 'auto'. */
async function recordMapping(statement: CopyStatement, table: TargetTable, store: ObjectStore): Promise<ConversionSpec['mapping']> {
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
      if (paths.length !== table.columns.length) {
        throw new CopyFailedError(
          `Number of jsonpaths and the number of columns should match. JSONPath size: ${paths.length}, Number of columns in table or column list: ${table.columns.length}`,
        );
      }
      return { mode: 'jsonpaths', paths };
    }
    // A file whose top-level key is not "jsonpaths": Redshift silently maps as 'auto'.
  }
  return { mode: 'auto', ignoreCase: statement.json.mode === 'auto' && statement.json.ignoreCase };
}

async function sessionIdentity(session: EngineSession): Promise<{ userId: number; transactionId: number }> {
  const outcome = await session.query(
    `SELECT (SELECT oid FROM pg_roles WHERE rolname = current_user)::int8, pg_current_xact_id()::text::int8`,
  );
  const [userId, transactionId] = outcome.rows[0];
  return { userId: Number(userId), transactionId: Number(transactionId) };
}
