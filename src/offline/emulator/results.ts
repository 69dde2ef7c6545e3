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

/** A rough JSON size of a result, for ResultSize. */
export function resultSize(rows: readonly Cell[][]): number {
  let bytes = 0;
  for (const row of rows) {
    for (const cell of row) {
      bytes += cell === null ? 4 : cell instanceof Uint8Array ? cell.byteLength : Buffer.byteLength(String(cell));
    }
  }
  return bytes;
}
