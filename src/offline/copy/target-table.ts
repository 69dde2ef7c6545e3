/** The COPY's target table and columns, read from the engine's catalog. */
import type { EngineSession } from '../engines/engine';
import type { TargetColumn } from './conversions';
import { CopyFailedError } from './errors';

export interface TargetTable {
  oid: number;
  /** Schema-qualified, quoted: ready for the engine's COPY. */
  sqlName: string;
  /** As written in the statement, for messages. */
  displayName: string;
  /** The columns the COPY loads, in load order. */
  columns: TargetColumn[];
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function readTargetTable(
  session: EngineSession,
  table: { schema?: string; name: string },
  columnList: string[] | undefined,
): Promise<TargetTable> {
  const displayName = table.schema ? `${table.schema}.${table.name}` : table.name;
  // The name travels as a value, never as SQL text; to_regclass resolves it along the search_path.
  const regclassText = table.schema ? `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}` : quoteIdentifier(table.name);
  const found = await session.query(
    `SELECT c.oid::int8, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = to_regclass($1::text) AND c.relkind IN ('r', 'p')`,
    [regclassText],
  );
  if (found.rows.length === 0) throw new CopyFailedError(`relation "${displayName}" does not exist`);
  const [oid, schemaName, tableName] = found.rows[0] as [number | string, string, string];

  const described = await session.query(
    `SELECT a.attname, t.typname, a.atttypmod, a.attnotnull, (a.attidentity <> '' OR a.attgenerated <> '')
     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = $1::text::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [String(oid)],
  );
  const all = described.rows.map(([name, typeName, typmod, notNull, generated]) => ({
    column: describeColumn(String(name), String(typeName), Number(typmod), notNull === true),
    generated: generated === true,
  }));

  let columns: TargetColumn[];
  if (columnList === undefined) {
    // Identity columns get generated values, as in Redshift without EXPLICIT_IDS.
    columns = all.filter((c) => !c.generated).map((c) => c.column);
  } else {
    columns = columnList.map((name) => {
      const match = all.find((c) => c.column.name === name);
      if (!match) throw new CopyFailedError(`column "${name}" of relation "${displayName}" does not exist`);
      if (match.generated) throw new CopyFailedError(`cannot set an identity column to a value`);
      return match.column;
    });
    const duplicate = columnList.find((name, i) => columnList.indexOf(name) !== i);
    if (duplicate) throw new CopyFailedError(`column "${duplicate}" specified more than once`);
  }
  return { oid: Number(oid), sqlName: `${quoteIdentifier(schemaName)}.${quoteIdentifier(tableName)}`, displayName, columns };
}

function describeColumn(name: string, typeName: string, typmod: number, notNull: boolean): TargetColumn {
  const column: TargetColumn = { name, typeName, notNull };
  if ((typeName === 'varchar' || typeName === 'bpchar') && typmod >= 4) column.length = typmod - 4;
  if (typeName === 'numeric' && typmod >= 4) {
    column.precision = ((typmod - 4) >> 16) & 0xffff;
    column.scale = (typmod - 4) & 0xffff;
  }
  return column;
}

/** column_length as the load-error tables show it. */
export function columnLengthText(column: TargetColumn): string {
  if (column.length !== undefined) return String(column.length);
  if (column.precision !== undefined) return `${column.precision},${column.scale ?? 0}`;
  return '';
}
