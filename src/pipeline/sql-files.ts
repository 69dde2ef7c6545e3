/**
 * The one place that reads the warehouse SQL in sql/. The files are read from disk, found by walking up
 * from this module: in the source tree that is <repo>/sql, in a Lambda bundle it is the sql/ folder that
 * serverless.yml packages beside the bundled handlers. Both tsx/jest and the esbuild bundle work unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

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
 * Splits SQL text into statements at top-level semicolons, leaving semicolons inside string literals,
 * quoted identifiers and comments alone. Comment-only pieces are dropped; each statement is trimmed and
 * returned without its final semicolon (the Data API takes one statement per entry).
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      current += sql.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new Error('Unterminated /* comment in SQL');
      current += sql.slice(i, end + 2);
      i = end + 2;
    } else if (ch === "'" || ch === '"') {
      let end = i + 1;
      for (;;) {
        end = sql.indexOf(ch, end);
        if (end === -1) throw new Error(`Unterminated ${ch === "'" ? 'string literal' : 'quoted identifier'} in SQL`);
        if (sql[end + 1] === ch) end += 2; // doubled quote escapes itself
        else break;
      }
      current += sql.slice(i, end + 1);
      hasCode = true;
      i = end + 1;
    } else if (ch === ';') {
      if (hasCode) statements.push(current.trim());
      current = '';
      hasCode = false;
      i += 1;
    } else {
      current += ch;
      if (!/\s/.test(ch)) hasCode = true;
      i += 1;
    }
  }
  if (hasCode) statements.push(current.trim());
  return statements;
}
