/**
 * What both engines share: turning PostgreSQL's text output into the port's Cell values and its row
 * descriptions into ColumnInfo, and the settings every session starts with.
 */
import { SYSTEM_SCHEMA } from '../copy/load-errors';
import type { Cell, ColumnInfo } from './engine';

/** Redshift sessions run in UTC with ISO dates; its system tables resolve without a schema. */
export const SESSION_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, MDY'],
  ['search_path', `"$user", public, ${SYSTEM_SCHEMA}`],
];

const NUMBER_TYPE_OIDS = new Set([21 /* int2 */, 23 /* int4 */, 20 /* int8 */, 26 /* oid */, 700 /* float4 */, 701 /* float8 */]);
const BOOL_OID = 16;
const BYTEA_OID = 17;

/** Parses one value in PostgreSQL's text format, following the Cell normalisation of engine.ts. */
export function parseTextCell(typeOid: number, text: string): Cell {
  if (NUMBER_TYPE_OIDS.has(typeOid)) return Number(text);
  if (typeOid === BOOL_OID) return text === 't';
  if (typeOid === BYTEA_OID) return decodeByteaHex(text);
  return text;
}

function decodeByteaHex(text: string): Uint8Array {
  // bytea_output is 'hex' by default on both engines: \x followed by two digits per byte.
  return Uint8Array.from(Buffer.from(text.slice(2), 'hex'));
}

/** A result column as the wire protocol's RowDescription gives it. */
export interface RawField {
  name: string;
  dataTypeID: number;
  /** 0 when the column is not a plain table column, absent when the engine does not say. */
  tableID?: number;
  dataTypeModifier?: number;
}

export interface TableName {
  tableName: string;
  schemaName: string;
}

/**
 * Names PostgreSQL types by OID. The built-in catalogue is read once per engine; types created later
 * (enums, domains) are looked up on first sight through the session that met them.
 */
export class TypeNames {
  private readonly names = new Map<number, string>();

  async load(query: (sql: string) => Promise<{ rows: unknown[][] }>): Promise<void> {
    const { rows } = await query('select oid::int4, typname::text from pg_catalog.pg_type');
    for (const [oid, name] of rows) this.names.set(Number(oid), String(name));
  }

  async nameOf(oid: number, query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[][] }>): Promise<string> {
    let name = this.names.get(oid);
    if (name === undefined) {
      const { rows } = await query('select typname::text from pg_catalog.pg_type where oid = $1', [oid]);
      name = rows.length > 0 ? String(rows[0][0]) : 'unknown';
      this.names.set(oid, name);
    }
    return name;
  }
}

/** Declared length, precision and scale, decoded from a type modifier (atttypmod). */
function modifierDetails(typeName: string, modifier: number | undefined): Pick<ColumnInfo, 'length' | 'precision' | 'scale'> {
  if (modifier === undefined || modifier < 0) return {};
  switch (typeName) {
    case 'varchar':
    case 'bpchar':
      return { length: modifier - 4 };
    case 'numeric':
      return { precision: ((modifier - 4) >> 16) & 0xffff, scale: (modifier - 4) & 0xffff };
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
      return { scale: modifier };
    default:
      return {};
  }
}

export async function describeFields(
  fields: readonly RawField[],
  typeNames: TypeNames,
  query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[][] }>,
): Promise<ColumnInfo[]> {
  const tableIds = [...new Set(fields.map((field) => field.tableID ?? 0).filter((id) => id !== 0))];
  const tables = new Map<number, TableName>();
  if (tableIds.length > 0) {
    const { rows } = await query(
      `select c.oid::int4, c.relname::text, n.nspname::text
         from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.oid = any($1::int4[])`,
      [tableIds],
    );
    for (const [oid, tableName, schemaName] of rows) {
      tables.set(Number(oid), { tableName: String(tableName), schemaName: String(schemaName) });
    }
  }
  const columns: ColumnInfo[] = [];
  for (const field of fields) {
    const typeName = await typeNames.nameOf(field.dataTypeID, query);
    columns.push({
      name: field.name,
      typeName,
      ...tables.get(field.tableID ?? 0),
      ...modifierDetails(typeName, field.dataTypeModifier),
    });
  }
  return columns;
}
