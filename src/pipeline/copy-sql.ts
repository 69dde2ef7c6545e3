/**
 * Fills the {{placeholders}} of the SQL files. COPY cannot take Data API parameters for its S3 path,
 * role or region, nor can any statement for a table name, so these values go into the SQL text: each has
 * passed a strict pattern (config.ts, load-tables.ts), and the COPY values are still quoted here, in this
 * one helper, as string literals with '' escaping.
 */
import { quoteLiteral } from '../sql/quote';
import type { PipelineConfig } from './config';
import type { Load } from './run-input';

/** Replaces every {{name}} in a template; a name without a value is an error, never left in the SQL. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`SQL template placeholder {{${name}}} has no value`);
    return value;
  });
}

/** A day's partition of the log prefix (<prefix>/YYYY/MM/YYYY-MM-DD), or the whole prefix. */
export function eventSource(config: PipelineConfig, load: Load): string {
  const prefix = config.s3.logData.replace(/\/+$/, '');
  if (!load.day) return prefix;
  const [year, month] = load.day.split('-');
  return `${prefix}/${year}/${month}/${load.day}`;
}

/** The quoted COPY values (source, role, region, jsonpaths, MAXERROR), ready for fillTemplate. */
export function copyValues(source: string, maxErrors: number, config: PipelineConfig): Record<string, string> {
  const { s3, copyRoleArn } = config;
  return {
    max_errors: String(maxErrors),
    source: quoteLiteral(source),
    jsonpaths: quoteLiteral(s3.logJsonPath),
    region: quoteLiteral(s3.region),
    iam_role: copyRoleArn === undefined ? 'default' : quoteLiteral(copyRoleArn),
  };
}
