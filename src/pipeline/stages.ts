/** Which SQL each ETL stage submits. Pure: configuration and run input in, statements out. */
import type { PipelineConfig } from './config';
import { copyValues, fillTemplate, type StagingTable } from './copy-sql';
import { starParameters, type RunInput } from './run-input';
import { readSql, readSqlStatements, splitStatements } from './sql-files';
import type { Submission } from '../redshift/data-api';

export const STAGES = ['createTables', 'stageEvents', 'stageSongs', 'loadStar', 'checkQuality'] as const;
export type Stage = (typeof STAGES)[number];

export const SCHEMA_FILES = [
  'schema/staging_events.sql',
  'schema/staging_songs.sql',
  'schema/songplays.sql',
  'schema/users.sql',
  'schema/songs.sql',
  'schema/artists.sql',
  'schema/time.sql',
] as const;

// time is derived from songplays, so it comes after it; the dimensions depend only on staging.
export const STAR_FILES = ['star/songs.sql', 'star/artists.sql', 'star/users.sql', 'star/songplays.sql', 'star/time.sql'] as const;

/** The quality checks are sub-statement 1 of the checkQuality batch, the row counts sub-statement 2. */
export const CHECK_FILES = ['checks/quality_checks.sql', 'checks/row_counts.sql'] as const;

const statementsOf = (files: readonly string[]) => files.flatMap((file) => readSqlStatements(file));

/** A staging table's TRUNCATE + COPY (sql/staging/<table>.sql), its {{placeholders}} filled from the configuration. */
const copyStatements = (table: StagingTable, config: PipelineConfig) =>
  splitStatements(fillTemplate(readSql(`staging/${table}.sql`), copyValues(table, config)));

export function stageSubmission(stage: Stage, config: PipelineConfig, run: RunInput): Submission {
  const name = `sparkify-${stage}`;
  switch (stage) {
    case 'createTables':
      return { name, sqls: statementsOf(SCHEMA_FILES) };
    case 'stageEvents':
      return { name, sqls: copyStatements('staging_events', config) };
    case 'stageSongs':
      return { name, sqls: copyStatements('staging_songs', config) };
    case 'loadStar':
      // One BatchExecuteStatement, one transaction: analysts see the old star schema or the new one,
      // never a half-loaded one. That is why the star SQL deletes rather than truncates.
      return { name, sqls: statementsOf(STAR_FILES), parameters: { ...starParameters(run) } };
    case 'checkQuality':
      return { name, sqls: statementsOf(CHECK_FILES) };
  }
}
