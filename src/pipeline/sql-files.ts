/**
 * The one place that reads the warehouse SQL in sql/. The files are read from disk, found by walking up
 * from this module: in the source tree that is <repo>/sql, in a Lambda bundle it is the sql/ folder that
 * serverless.yml packages beside the bundled handlers. Both tsx/jest and the esbuild bundle work unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { splitStatementTokens, tokenize } from '../sql/tokenizer';

function findSqlRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'sql');
    if (existsSync(path.join(candidate, 'schema'))) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`No sql/ folder with schema/ found above ${__dirname}; the SQL files must ship with the code`);
    }
  }
}

const sqlRoot = findSqlRoot();
const cache = new Map<string, string>();

/** The text of one SQL file, by its path under sql/ (e.g. "star/users.sql"). */
export function readSql(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(path.join(sqlRoot, relativePath), 'utf8');
    cache.set(relativePath, text);
  }
  return text;
}

/** The statements of one SQL file, split on the semicolons that end them. */
export function readSqlStatements(relativePath: string): string[] {
  return splitStatements(readSql(relativePath));
}

/**
 * Splits SQL text into statements at top-level semicolons (never inside literals, quoted identifiers or
 * comments). Comment-only pieces are dropped; each statement is returned without its final semicolon
 * (the Data API takes one statement per entry).
 */
export function splitStatements(sql: string): string[] {
  return splitStatementTokens(tokenize(sql)).map((tokens) => tokens.map((token) => token.text).join(''));
}
