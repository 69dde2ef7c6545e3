/**
 * Fills the {{placeholders}} of the staging COPY files. COPY cannot take Data API parameters for its
 * S3 path, role or region, so these values go into the SQL text: each has passed a strict pattern in
 * config.ts, and each is still quoted here, in this one helper, as a string literal with '' escaping.
 */
import { quoteLiteral } from '../sql/quote';
import type { PipelineConfig } from './config';

/** Replaces every {{name}} in a template; a name without a value is an error, never left in the SQL. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`SQL template placeholder {{${name}}} has no value`);
    return value;
  });
}

export type StagingTable = 'staging_events' | 'staging_songs';

/** The quoted COPY values for one staging table, ready for fillTemplate. */
export function copyValues(table: StagingTable, config: PipelineConfig): Record<string, string> {
  const { s3, copyRoleArn } = config;
  return {
    source: quoteLiteral(table === 'staging_events' ? s3.logData : s3.songData),
    jsonpaths: quoteLiteral(s3.logJsonPath),
    region: quoteLiteral(s3.region),
    iam_role: copyRoleArn === undefined ? 'default' : quoteLiteral(copyRoleArn),
  };
}
