/**
 * Redshift's load-error system tables, SYS_LOAD_ERROR_DETAIL and STL_LOAD_ERRORS, on PostgreSQL.
 * One log table holds each rejected record once; the two Redshift tables are views over it with
 * Redshift's column names, so both always agree.
 */
import type { EngineSession } from '../engines/engine';
import { encodeRow, inChunks, utcTimestampText } from './pg-text';

/** The schema for Redshift's system tables; the emulator puts it on every session's search_path. */
export const SYSTEM_SCHEMA = 'redshift_system';

/** One rejected record, carrying what both Redshift tables show. */
export interface LoadErrorRow {
  queryId: number;
  /** PostgreSQL's oid of the user that ran the COPY. */
  userId: number;
  transactionId: number;
  /** The engine session's backend pid. */
  sessionId: number;
  databaseName: string;
  /** The target table's oid. */
  tableId: number;
  startTime: Date;
  /** The full s3:// URL of the object the record came from. */
  fileName: string;
  /** For JSON, the last line of the offending record (1-based). */
  lineNumber: number;
  /** Empty when the error concerns the whole record (junk between objects, malformed JSON). */
  columnName: string;
  columnType: string;
  /** Declared length (varchar, char) or "precision,scale" (numeric); empty otherwise. */
  columnLength: string;
  /** Position of the error within the field. */
  position: number;
  /** The record's text, cut to 1024 characters. */
  rawLine: string;
  /** The field's value as it appeared, cut to 1024 characters. */
  rawFieldValue: string;
  errorCode: number;
  errorMessage: string;
}

/** Widths of raw_line and raw_field_value, and of error_message, in characters. */
export const RAW_TEXT_LIMIT = 1024;
export const ERROR_MESSAGE_LIMIT = 512;

const LOG_TABLE = `${SYSTEM_SCHEMA}.load_error_log`;

const LOG_COLUMNS = [
  'query_id', 'user_id', 'transaction_id', 'session_id', 'database_name', 'table_id', 'start_time', 'file_name',
  'line_number', 'column_name', 'column_type', 'column_length', 'position', 'raw_line', 'raw_field_value',
  'error_code', 'error_message',
] as const;

const SETUP_STATEMENTS = [
  `CREATE SCHEMA IF NOT EXISTS ${SYSTEM_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${LOG_TABLE} (
    query_id bigint, user_id bigint, transaction_id bigint, session_id integer, database_name varchar(128),
    table_id bigint, start_time timestamp, file_name varchar(1024), line_number bigint, column_name varchar(127),
    column_type varchar(128), column_length varchar(10), position integer, raw_line varchar(${RAW_TEXT_LIMIT}),
    raw_field_value varchar(${RAW_TEXT_LIMIT}), error_code integer, error_message varchar(${ERROR_MESSAGE_LIMIT}))`,
  `CREATE OR REPLACE VIEW ${SYSTEM_SCHEMA}.sys_load_error_detail AS
    SELECT user_id, query_id, transaction_id, session_id, database_name, table_id, start_time, file_name,
           line_number, column_name, column_type, column_length, position, error_code, error_message
    FROM ${LOG_TABLE}`,
  `CREATE OR REPLACE VIEW ${SYSTEM_SCHEMA}.stl_load_errors AS
    SELECT user_id AS userid, 0 AS slice, table_id AS tbl, start_time AS starttime, session_id AS session,
           query_id AS query, file_name AS filename, line_number, column_name AS colname, column_type AS type,
           column_length AS col_length, position, raw_line, raw_field_value, error_code AS err_code,
           error_message AS err_reason
    FROM ${LOG_TABLE}`,
];

/** Creates the schema, the log table and the two views if missing. Safe to call again and again. */
export async function ensureLoadErrorTables(session: EngineSession): Promise<void> {
  if (await tablesExist(session)) return;
  try {
    for (const sql of SETUP_STATEMENTS) await session.query(sql);
  } catch (error) {
    // Two sessions creating the objects at once on a server: the loser sees a duplicate; that is fine.
    if (!(await tablesExist(session))) throw error;
  }
}

async function tablesExist(session: EngineSession): Promise<boolean> {
  const outcome = await session.query(
    `SELECT to_regclass('${SYSTEM_SCHEMA}.stl_load_errors') IS NOT NULL`,
  );
  return outcome.rows[0]?.[0] === true;
}

/** Appends the rows to the log in one bulk COPY. */
export async function recordLoadErrors(session: EngineSession, rows: LoadErrorRow[]): Promise<void> {
  if (rows.length === 0) return;
  await session.copyFrom(`COPY ${LOG_TABLE} (${LOG_COLUMNS.join(', ')}) FROM STDIN`, inChunks(rows.map(encodeLoadError)));
}

function encodeLoadError(row: LoadErrorRow): string {
  return encodeRow([
    String(row.queryId), String(row.userId), String(row.transactionId), String(row.sessionId),
    row.databaseName, String(row.tableId), utcTimestampText(row.startTime), row.fileName,
    String(row.lineNumber), row.columnName, row.columnType, row.columnLength, String(row.position),
    storable(row.rawLine, RAW_TEXT_LIMIT), storable(row.rawFieldValue, RAW_TEXT_LIMIT), String(row.errorCode), storable(row.errorMessage, ERROR_MESSAGE_LIMIT),
  ]);
}

/**
 * PostgreSQL text cannot hold NUL, and one unstorable value would lose every error row of the COPY: a NUL
 * shows as JSON's escape for it, and the text is cut to its column's size again after that.
 */
function storable(text: string, maxChars: number): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000').slice(0, maxChars) : text;
}
