/**
 * ListDatabases, ListSchemas, ListTables and DescribeTable: the warehouse's catalogue, read from
 * PostgreSQL's. The emulator serves one database, named by its `database` option.
 */
import { withEngineSession, type Engine, type EngineSession } from '../engines';
import { ApiError } from './api-error';
import { optionalInteger, optionalString, requiredString, type Json } from './input';
import { pageOf, readNextToken } from './paging';
import { toColumnMetadata } from './results';

const MAX_PAGE = 1000;

/** Schemas that are the engine's own machinery, not Redshift's. */
const HIDDEN_SCHEMAS = `n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'`;

export class Metadata {
  constructor(
    private readonly engine: Engine,
    private readonly databaseName: string,
  ) {}

  async listDatabases(input: Json): Promise<Json> {
    const { offset, pageSize } = paging(input, 'ListDatabases');
    return page('Databases', [this.databaseName], offset, pageSize, 'ListDatabases');
  }

  /** `borrowed`: a Data API session's connection to read the catalogue on instead of opening one (see DataApi). */
  async listSchemas(input: Json, borrowed?: EngineSession): Promise<Json> {
    this.checkDatabase(input);
    const { offset, pageSize } = paging(input, 'ListSchemas');
    const pattern = optionalString(input, 'SchemaPattern') ?? '%';
    const rows = await this.query(
      borrowed,
      `select n.nspname::text from pg_catalog.pg_namespace n where n.nspname like $1 and ${HIDDEN_SCHEMAS} order by 1`,
      [pattern],
    );
    return page('Schemas', rows.map((row) => String(row[0])), offset, pageSize, 'ListSchemas');
  }

  async listTables(input: Json, borrowed?: EngineSession): Promise<Json> {
    this.checkDatabase(input);
    const { offset, pageSize } = paging(input, 'ListTables');
    const rows = await this.query(
      borrowed,
      `select c.relname::text, n.nspname::text,
              case when n.nspname in ('pg_catalog', 'information_schema') then 'SYSTEM TABLE'
                   when c.relkind in ('v', 'm') then 'VIEW'
                   else 'TABLE' end
         from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname like $1 and c.relname like $2 and ${HIDDEN_SCHEMAS}
        order by 2, 1`,
      [optionalString(input, 'SchemaPattern') ?? '%', optionalString(input, 'TablePattern') ?? '%'],
    );
    const tables = rows.map(([name, schema, type]) => ({ name, schema, type }));
    return page('Tables', tables, offset, pageSize, 'ListTables');
  }

  async describeTable(input: Json, borrowed?: EngineSession): Promise<Json> {
    this.checkDatabase(input);
    const schema = optionalString(input, 'Schema') ?? 'public';
    const table = optionalString(input, 'Table');
    const { offset, pageSize } = paging(input, 'DescribeTable');
    const rows = await this.query(
      borrowed,
      `select column_name::text, udt_name::text, character_maximum_length, numeric_precision, numeric_scale,
              is_nullable = 'YES', column_default::text, table_name::text, table_schema::text
         from information_schema.columns
        where table_schema = $1 and ($2::text is null or table_name = $2)
        order by table_name, ordinal_position`,
      [schema, table ?? null],
    );
    const columns = rows.map(([name, typeName, length, precision, scale, nullable, columnDefault, tableName, schemaName]) =>
      toColumnMetadata(
        {
          name: String(name),
          typeName: String(typeName),
          tableName: String(tableName),
          schemaName: String(schemaName),
          // information_schema gives binary precision for integers; only decimals' precision is wanted here.
          ...(typeName === 'numeric' ? { precision: numberOrUndefined(precision), scale: numberOrUndefined(scale) } : {}),
          length: numberOrUndefined(length),
        },
        { nullable: nullable === true, columnDefault: columnDefault === null ? null : String(columnDefault) },
      ),
    );
    return { TableName: table, ...page('ColumnList', columns, offset, pageSize, 'DescribeTable') };
  }

  /** One database per emulator: naming another is a connection failure, as on a cluster without it. */
  private checkDatabase(input: Json): void {
    const database = requiredString(input, 'Database');
    if (database !== this.databaseName) {
      throw new ApiError('DatabaseConnectionException', 500, `FATAL: database "${database}" does not exist`);
    }
  }

  private async query(borrowed: EngineSession | undefined, sql: string, params: unknown[]): Promise<unknown[][]> {
    const outcome = borrowed
      ? await borrowed.query(sql, params)
      : await withEngineSession(this.engine, (session) => session.query(sql, params));
    return outcome.rows;
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function paging(input: Json, scope: string): { offset: number; pageSize: number } {
  return {
    offset: readNextToken(optionalString(input, 'NextToken'), scope),
    pageSize: optionalInteger(input, 'MaxResults', 0, MAX_PAGE) || MAX_PAGE,
  };
}

function page<T>(member: string, items: T[], offset: number, pageSize: number, scope: string): Json {
  const { page: slice, nextToken } = pageOf(items, offset, pageSize, scope);
  return { [member]: slice, NextToken: nextToken };
}
