/**
 * Statements whose Redshift form PostgreSQL does not take, or whose effect exists only in Redshift's
 * storage and planner: ALTER TABLE, late-binding views, VACUUM, ANALYZE, and SET / RESET / SHOW of
 * Redshift-only settings; and LOCK and DROP TABLE, which must keep to Redshift's locking.
 */
import { quoteLiteral } from '../../sql/quote';
import { translateAddColumn, varcharBytesCheck } from './create-table';
import { rewriteRange } from './expressions';
import { syntaxErrorAt } from './errors';
import { checkTableExists, doBlock, lockTableNames, NO_OP, readTableName, readTableNames } from './table-name';
import type { Token } from '../../sql/tokenizer';
import { isWord, significantIndexes, significantTexts, skipInsignificant } from './token-cursor';
import { mapType } from './types';
import { unsupported } from './unsupported';

/**
 * ALTER TABLE t ADD [COLUMN] definition gets the CREATE TABLE column rules, ALTER COLUMN c TYPE VARCHAR(n)
 * a new byte limit. Adding a key constraint, or
 * changing DISTSTYLE, DISTKEY, SORTKEY, ENCODE or a column's ENCODE, only informs Redshift's planner and
 * storage: it becomes a statement that changes nothing but still fails when the table is missing.
 */
export function translateAlterTable(tokens: Token[]): string[] {
  const end = tokens.length;
  const table = skipInsignificant(tokens, skipInsignificant(tokens, 0) + 1);
  const nameStart = skipInsignificant(tokens, table + 1);
  const nameEnd = readTableName(tokens, nameStart, end);
  const action = skipInsignificant(tokens, nameEnd);
  const [verb, object, , fourth] = significantTexts(tokens, action, end);

  const constraintKind = object === 'constraint' ? fourth : object;
  const addsKeyConstraint = verb === 'add' && ['primary', 'unique', 'foreign'].includes(constraintKind);
  const changesLayout =
    verb === 'alter' && (['diststyle', 'distkey', 'sortkey', 'encode', 'compound', 'interleaved'].includes(object) || (object === 'column' && fourth === 'encode'));
  if (verb === 'add' && constraintKind === 'check') throw unsupported('A CHECK constraint');
  if (addsKeyConstraint || changesLayout) return [checkTableExists(rewriteRange(tokens, nameStart, nameEnd))];

  if (verb === 'alter') {
    const resized = translateAlterColumnType(tokens, action, nameStart, nameEnd);
    if (resized) return resized;
  }
  if (verb === 'add' && object !== 'constraint' && object !== 'check') {
    const definition = skipInsignificant(tokens, action + 1);
    return [translateAddColumn(tokens, isWord(tokens[definition], 'column') ? definition + 1 : action + 1)];
  }
  return [rewriteRange(tokens, 0, end)];
}

/**
 * ALTER TABLE t ALTER [COLUMN] c TYPE VARCHAR(n), Redshift's way to widen a VARCHAR: PostgreSQL changes the
 * type, then the column's byte-length CHECK is replaced by one for the new length. Undefined for any other ALTER.
 */
function translateAlterColumnType(tokens: Token[], action: number, nameStart: number, nameEnd: number): string[] | undefined {
  const end = tokens.length;
  let column = skipInsignificant(tokens, action + 1);
  if (isWord(tokens[column], 'column')) column = skipInsignificant(tokens, column + 1);
  const columnToken = tokens[column];
  const typeKeyword = skipInsignificant(tokens, column + 1);
  if ((columnToken?.kind !== 'word' && columnToken?.kind !== 'quoted') || !isWord(tokens[typeKeyword], 'type')) return undefined;
  const typeStart = skipInsignificant(tokens, typeKeyword + 1);
  const type = mapType(tokens, typeStart, end);
  if (type?.varcharBytes === undefined || skipInsignificant(tokens, type.end) !== end) return undefined;

  const table = rewriteRange(tokens, nameStart, nameEnd);
  const columnName = columnToken.value!.toLowerCase();
  const replaceCheck = doBlock(`DECLARE old record; BEGIN
  FOR old IN SELECT conname FROM pg_constraint
    WHERE conrelid = ${quoteLiteral(table)}::regclass AND contype = 'c' AND conname ~ '^varchar[0-9]+_bytes_'
      AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = ${quoteLiteral(table)}::regclass AND attname = ${quoteLiteral(columnName)})]
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', ${quoteLiteral(table)}::regclass, old.conname);
  END LOOP;
  ALTER TABLE ${table} ADD ${varcharBytesCheck(columnName, type.varcharBytes)};
END`);
  return [rewriteRange(tokens, 0, typeStart) + type.pg, replaceCheck];
}

/**
 * CREATE [OR REPLACE] VIEW … WITH NO SCHEMA BINDING is Redshift's late-binding view. PostgreSQL has only
 * bound views: the clause is dropped, so the view's tables must exist when it is created. Undefined for
 * other CREATE statements.
 */
export function translateCreateView(tokens: Token[]): string | undefined {
  const significant = significantIndexes(tokens);
  if (!significant.slice(1, 4).some((index) => isWord(tokens[index], 'view'))) return undefined;
  const tail = significant.slice(-4);
  const lateBinding = tail.length === 4 && tail.map((index) => tokens[index].value).join(' ') === 'with no schema binding';
  return rewriteRange(tokens, 0, lateBinding ? tail[0] : tokens.length).trimEnd();
}

const VACUUM_OPTIONS = new Set(['full', 'sort', 'delete', 'only', 'reindex', 'recluster']);

/**
 * VACUUM re-sorts and reclaims Redshift storage; nothing a query can see. PostgreSQL's VACUUM cannot run in
 * the transaction every Data API statement runs in, so it becomes a no-op that still checks the table.
 */
export function translateVacuum(tokens: Token[]): string {
  let i = skipInsignificant(tokens, skipInsignificant(tokens, 0) + 1);
  while (isWord(tokens[i], ...VACUUM_OPTIONS)) i = skipInsignificant(tokens, i + 1);
  const token = tokens[i];
  const namesTable = token !== undefined && !isWord(token, 'to', 'boost') && (token.kind === 'word' || token.kind === 'quoted' || token.text === '#');
  return namesTable ? checkTableExists(rewriteRange(tokens, i, readTableName(tokens, i, tokens.length))) : NO_OP;
}

/** ANALYZE … PREDICATE COLUMNS | ALL COLUMNS: PostgreSQL's ANALYZE without Redshift's column-choice suffix. */
export function translateAnalyze(tokens: Token[]): string {
  const [beforeLast, last] = significantIndexes(tokens).slice(-2);
  if (isWord(tokens[last], 'columns') && isWord(tokens[beforeLast], 'predicate', 'all')) return rewriteRange(tokens, 0, beforeLast).trimEnd();
  return rewriteRange(tokens, 0, tokens.length);
}

/**
 * LOCK [TABLE] name [, …]: PostgreSQL's LOCK, whose default mode, ACCESS EXCLUSIVE, is Redshift's only one.
 * PostgreSQL's other modes and NOWAIT are rejected.
 */
export function translateLock(tokens: Token[]): string {
  const end = tokens.length;
  let i = skipInsignificant(tokens, skipInsignificant(tokens, 0) + 1);
  if (isWord(tokens[i], 'table')) i = skipInsignificant(tokens, i + 1);
  const after = skipInsignificant(tokens, readTableNames(tokens, i, end).next);
  if (isWord(tokens[after], 'in')) throw unsupported('LOCK … IN … MODE');
  if (isWord(tokens[after], 'nowait')) throw unsupported('LOCK … NOWAIT');
  if (after < end) throw syntaxErrorAt(tokens[after]);
  return rewriteRange(tokens, 0, end);
}

/** DROP TABLE [IF EXISTS] name [, …]: the table names are locked first (see lockTableNames). */
export function translateDropTable(tokens: Token[]): string[] {
  let i = skipInsignificant(tokens, skipInsignificant(tokens, skipInsignificant(tokens, 0) + 1) + 1);
  if (significantTexts(tokens, i, tokens.length).slice(0, 2).join(' ') === 'if exists') {
    i = skipInsignificant(tokens, skipInsignificant(tokens, i + 1) + 1);
  }
  return [lockTableNames(readTableNames(tokens, i, tokens.length).names), rewriteRange(tokens, 0, tokens.length)];
}

/** Settings only Redshift has; PostgreSQL keeps them as custom `redshift.*` settings so SET, SHOW and RESET work. */
const REDSHIFT_ONLY_SETTINGS = new Set([
  'query_group',
  'wlm_query_slot_count',
  'analyze_threshold_percent',
  'enable_result_cache_for_session',
  'json_parse_truncate_strings',
  'datashare_break_glass_session_var',
]);

export function translateSetting(tokens: Token[]): string {
  const verb = skipInsignificant(tokens, 0);
  let name = skipInsignificant(tokens, verb + 1);
  if (isWord(tokens[name], 'session', 'local')) name = skipInsignificant(tokens, name + 1);
  const setting = tokens[name];
  if (setting?.kind !== 'word' || !REDSHIFT_ONLY_SETTINGS.has(setting.value!)) return rewriteRange(tokens, 0, tokens.length);
  // SHOW's column is named after the setting, as in Redshift, not after the custom name.
  if (isWord(tokens[verb], 'show')) return `SELECT current_setting('redshift.${setting.value}') AS ${setting.value}`;
  return rewriteRange(tokens, 0, name) + `redshift.${setting.value}` + rewriteRange(tokens, name + 1, tokens.length);
}
