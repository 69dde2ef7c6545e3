/**
 * Redshift's SQL dialect on PostgreSQL: the emulator hands each Data API Sql text to `translate`, binds
 * the Data API's named parameters with `bindNamedParameters`, and words engine errors with `toRedshiftError`.
 * All rewriting works on tokens (see src/sql/tokenizer.ts), never on the raw text, so literals, quoted
 * identifiers and comments are never touched.
 */
import { translateCreateTable } from './create-table';
import { SqlError } from './errors';
import { rewriteRange } from './expressions';
import { translateMerge } from './merge';
import { splitStatementTokens, tokenize, type Token } from '../../sql/tokenizer';
import { significantTexts, textOf } from './token-cursor';
import { rejectUnsupported } from './unsupported';
import {
  translateAlterTable, translateAnalyze, translateCreateView, translateDropTable, translateLock, translateSetting, translateVacuum,
} from './utility-statements';

export { SqlError, toRedshiftError, type EngineFailure, type FailedTransaction } from './errors';

export type TranslatedStatement =
  /**
   * commitsTransaction: Redshift's TRUNCATE commits the open transaction and itself; the emulator runs
   * COMMIT, then the statement in a transaction of its own.
   * takesSnapshot: false for LOCK, SET, RESET and BEGIN, which PostgreSQL runs without taking the
   * transaction's snapshot, so that a LOCK at the start of a SERIALIZABLE transaction serialises it.
   */
  | { kind: 'sql'; sql: string; source: string; commitsTransaction: boolean; takesSnapshot: boolean }
  /** A Redshift COPY, handled by the COPY loader. */
  | { kind: 'copy'; source: string };

const SNAPSHOT_FREE = new Set(['lock', 'set', 'reset', 'begin', 'start']);

/**
 * One Data API Sql text → its statements, split on top-level ';', empty ones dropped, each translated to
 * PostgreSQL. Throws SqlError for a statement Redshift would reject. A Redshift statement may become more
 * than one PostgreSQL statement (MERGE … REMOVE DUPLICATES, ALTER COLUMN … TYPE, CREATE or DROP TABLE
 * after a lock); they then share the same `source`, run in order, and the last one gives the result.
 */
export function translate(redshiftSql: string): TranslatedStatement[] {
  return splitStatementTokens(tokenize(redshiftSql)).flatMap(translateStatement);
}

function translateStatement(tokens: Token[]): TranslatedStatement[] {
  const source = textOf(tokens, 0, tokens.length);
  const [first, second] = significantTexts(tokens, 0, tokens.length);
  const sql = (text: string, commitsTransaction = false): TranslatedStatement => ({
    kind: 'sql', sql: text, source, commitsTransaction, takesSnapshot: !SNAPSHOT_FREE.has(first),
  });
  if (first === 'copy') return [{ kind: 'copy', source }];
  rejectUnsupported(tokens);
  switch (first) {
    case 'truncate':
      return [sql(rewriteRange(tokens, 0, tokens.length), true)];
    case 'merge':
      return translateMerge(tokens).map((text) => sql(text));
    case 'create': {
      const table = translateCreateTable(tokens);
      if (table) return table.map((text) => sql(text));
      return [sql(translateCreateView(tokens) ?? rewriteRange(tokens, 0, tokens.length))];
    }
    case 'drop':
      if (second === 'table') return translateDropTable(tokens).map((text) => sql(text));
      break;
    case 'lock':
      return [sql(translateLock(tokens))];
    case 'alter':
      if (second === 'table') return translateAlterTable(tokens).map((text) => sql(text));
      break;
    case 'vacuum':
      return [sql(translateVacuum(tokens))];
    case 'analyze':
      return [sql(translateAnalyze(tokens))];
    case 'set':
    case 'reset':
    case 'show':
      return [sql(translateSetting(tokens))];
  }
  return [sql(rewriteRange(tokens, 0, tokens.length))];
}

/**
 * Replaces the Data API's `:name` placeholders with PostgreSQL's `$1, $2, …` (one number per distinct
 * name, in order of first use) outside literals, quoted identifiers, comments and `::` casts.
 * Values stay strings and are sent untyped, so PostgreSQL casts them from context as Redshift does.
 */
export function bindNamedParameters(sql: string, params: { name: string; value: string }[]): { sql: string; values: string[] } {
  const valueByName = new Map(params.map((p) => [p.name, p.value]));
  const numberByName = new Map<string, number>();
  const values: string[] = [];
  const text = tokenize(sql)
    .map((token) => {
      if (token.kind !== 'param' || !token.text.startsWith(':')) return token.text;
      const name = token.value!;
      let number = numberByName.get(name);
      if (number === undefined) {
        const value = valueByName.get(name);
        if (value === undefined) throw new SqlError(`no value was supplied for parameter ":${name}"`);
        values.push(value);
        number = values.length;
        numberByName.set(name, number);
      }
      return `$${number}`;
    })
    .join('');
  return { sql: text, values };
}
