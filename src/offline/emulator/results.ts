/**
 * Result rows in the Data API's shapes: each cell a Field union keyed by column type, each column a
 * ColumnMetadata, as GetStatementResult and DescribeTable return them.
 */
import type { Cell, ColumnInfo } from '../engines';

export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number | NonFiniteDouble }
  | { stringValue: string }
  | { blobValue: string };

/** awsJson sends the doubles JSON has no literal for as these strings; the SDKs read them back. */
type NonFiniteDouble = 'NaN' | 'Infinity' | '-Infinity';

const LONG_TYPES = new Set(['int2', 'int4', 'int8', 'oid']);
const DOUBLE_TYPES = new Set(['float4', 'float8']);
const CHARACTER_TYPES = new Set(['varchar', 'bpchar', 'text', 'char', 'name']);
const SIGNED_TYPES = new Set([...LONG_TYPES, ...DOUBLE_TYPES, 'numeric']);

/** Precision the Data API reports for fixed-size types (Redshift's JDBC-style values). */
const TYPE_PRECISION: Record<string, number> = {
  int2: 5, int4: 10, int8: 19, float4: 8, float8: 17, bool: 1, date: 13, timestamp: 29, timestamptz: 35, time: 15, timetz: 21,
};

/** The Field for one cell; DECIMAL stays a string so no digit is lost, as in Redshift. */
export function toField(cell: Cell, typeName: string): Field {
  if (cell === null) return { isNull: true };
  if (typeof cell === 'boolean') return { booleanValue: cell };
  if (cell instanceof Uint8Array) return { blobValue: Buffer.from(cell).toString('base64') };
  if (typeof cell === 'number') {
    if (LONG_TYPES.has(typeName)) return { longValue: cell };
    if (DOUBLE_TYPES.has(typeName)) return { doubleValue: Number.isFinite(cell) ? cell : (String(cell) as NonFiniteDouble) };
    return { stringValue: String(cell) };
  }
  return { stringValue: cell };
}

export interface ColumnMetadata {
  name: string;
  label: string;
  typeName: string;
  isCaseSensitive: boolean;
  isCurrency: boolean;
  isSigned: boolean;
  nullable: number;
  length: number;
  precision: number;
  scale: number;
  schemaName: string;
  tableName: string;
  columnDefault?: string;
}

export function toColumnMetadata(column: ColumnInfo, extra: { nullable?: boolean; columnDefault?: string | null } = {}): ColumnMetadata {
  const isCharacter = CHARACTER_TYPES.has(column.typeName);
  return {
    name: column.name,
    label: column.name,
    typeName: column.typeName,
    isCaseSensitive: isCharacter,
    isCurrency: false,
    isSigned: SIGNED_TYPES.has(column.typeName),
    // 0 = NOT NULL, 1 = nullable; a query column's nullability is unknown, so it reads as nullable.
    nullable: extra.nullable === false ? 0 : 1,
    length: 0,
    precision: (isCharacter ? column.length : column.precision) ?? TYPE_PRECISION[column.typeName] ?? 0,
    scale: column.scale ?? (column.typeName.startsWith('timestamp') ? 6 : 0),
    schemaName: column.schemaName ?? '',
    tableName: column.tableName ?? '',
    ...(extra.columnDefault ? { columnDefault: extra.columnDefault } : {}),
  };
}

/** The size of the values in some rows, as ResultSize reports it and the result-size cap counts it. */
function valueBytes(rows: readonly Cell[][]): number {
  let bytes = 0;
  for (const row of rows) {
    for (const cell of row) {
      bytes += cell === null ? 4 : cell instanceof Uint8Array ? cell.byteLength : Buffer.byteLength(String(cell));
    }
  }
  return bytes;
}

/**
 * The Data API's cap on one result. The troubleshooting page says "Database response exceeded size limit
 * … The Data API limit is 100 MB in the result set returned by the database" in the 2023 archive
 * (awsdocs/amazon-redshift-management-guide, data-api-troubleshooting) and 500 MB today
 * (docs.aws.amazon.com/redshift/latest/mgmt/data-api-troubleshooting.html). The stricter figure: a result
 * that fits here fits under either.
 */
export const MAX_RESULT_BYTES = 100 * 1024 * 1024;
/** A statement whose result is over MAX_RESULT_BYTES FAILs with this Error, the heading of that page. */
export const RESULT_TOO_LARGE = 'Database response exceeded size limit';
/** GetStatementResult pages hold at most this many records. */
export const RESULT_PAGE_ROWS = 1000;

/** A failure the Data API reports in its own words rather than the engine's; its message is the Error. */
export class DataApiFailure extends Error {}

/**
 * One statement's result as GetStatementResult serves it: pages of Field records kept as JSON text,
 * about as big as the answers they make, instead of the engine's far larger row arrays.
 */
export class ResultPages {
  private pages: Buffer[] = [];
  rows = 0;
  /** ResultSize: the bytes of the values. */
  size = 0;
  /** Memory the pages hold. */
  bytes = 0;
  /** Dropped to keep the total within the cap: it answers as an expired result does. */
  evicted = false;

  constructor(readonly columns: ColumnInfo[]) {}

  /** Adds rows in pages of RESULT_PAGE_ROWS; a caller appending in several steps hands over whole pages. */
  append(rows: readonly Cell[][]): void {
    for (let start = 0; start < rows.length; start += RESULT_PAGE_ROWS) {
      const pageRows = rows.slice(start, start + RESULT_PAGE_ROWS);
      this.size += valueBytes(pageRows);
      if (this.size > MAX_RESULT_BYTES) throw new DataApiFailure(RESULT_TOO_LARGE);
      const records = pageRows.map((row) => row.map((cell, index) => toField(cell, this.columns[index].typeName)));
      const page = Buffer.from(JSON.stringify(records));
      this.pages.push(page);
      this.bytes += page.byteLength;
      this.rows += pageRows.length;
    }
  }

  get pageCount(): number {
    return this.pages.length;
  }

  page(index: number): Field[][] {
    const page = this.pages[index];
    return page ? (JSON.parse(page.toString()) as Field[][]) : [];
  }

  evict(): void {
    this.pages = [];
    this.bytes = 0;
    this.evicted = true;
  }
}

/** The results kept for GetStatementResult, at most `capBytes` of pages: the oldest are evicted first. */
export class KeptResults {
  private readonly kept = new Set<ResultPages>();
  private bytes = 0;

  constructor(private readonly capBytes: number) {}

  keep(result: ResultPages): void {
    this.kept.add(result);
    this.bytes += result.bytes;
    for (const oldest of this.kept) {
      if (this.bytes <= this.capBytes) break;
      this.forget(oldest);
    }
  }

  forget(result: ResultPages): void {
    if (!this.kept.delete(result)) return;
    this.bytes -= result.bytes;
    result.evict();
  }
}
