/**
 * Redshift's MERGE is a subset of PostgreSQL's: the source is a table (not a subquery), and there is at
 * most one WHEN MATCHED and one WHEN NOT MATCHED clause, neither with an extra AND condition. Its
 * simplified form `MERGE INTO t USING s ON cond REMOVE DUPLICATES` replaces the matched target rows
 * (and their duplicates) with the source rows and inserts the unmatched ones.
 */
import { SqlError, syntaxErrorAt } from './errors';
import { rewriteRange } from './expressions';
import { readTableName } from './table-name';
import type { Token } from '../../sql/tokenizer';
import { findTopLevelWord, isPunct, isWord, skipInsignificant } from './token-cursor';

/** One MERGE statement → the PostgreSQL statements that do its work. */
export function translateMerge(tokens: Token[]): string[] {
  const end = tokens.length;
  const merge = skipInsignificant(tokens, 0, end);
  const into = skipInsignificant(tokens, merge + 1, end);
  if (!isWord(tokens[into], 'into')) throw syntaxErrorAt(tokens[into]);
  const using = findTopLevelWord(tokens, into + 1, end, 'using');
  const on = findTopLevelWord(tokens, using + 1, end, 'on');
  if (using === -1 || on === -1) throw syntaxErrorAt(undefined);
  const source = skipInsignificant(tokens, using + 1, end);
  if (isPunct(tokens[source], '(')) throw new SqlError('syntax error at or near "(": the MERGE source must be a table');

  const remove = findTopLevelWord(tokens, on + 1, end, 'remove');
  if (remove !== -1) {
    if (!isWord(tokens[skipInsignificant(tokens, remove + 1, end)], 'duplicates')) throw syntaxErrorAt(tokens[remove]);
    const target = rewriteRange(tokens, into + 1, using).trim();
    const sourceAndAlias = rewriteRange(tokens, using + 1, on).trim();
    const condition = rewriteRange(tokens, on + 1, remove).trim();
    return [
      `DELETE FROM ${target} USING ${sourceAndAlias} WHERE ${condition}`,
      `INSERT INTO ${tableName(tokens, into + 1)} SELECT * FROM ${tableName(tokens, using + 1)}`,
    ];
  }

  checkWhenClauses(tokens, on + 1, end);
  return [rewriteRange(tokens, 0, end)];
}

function checkWhenClauses(tokens: Token[], from: number, end: number) {
  const seen = { matched: 0, notMatched: 0 };
  let depth = 0;
  for (let i = from; i < end; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) depth--;
    if (depth !== 0 || !isWord(tokens[i], 'when')) continue;
    let next = skipInsignificant(tokens, i + 1, end);
    const not = isWord(tokens[next], 'not');
    if (not) next = skipInsignificant(tokens, next + 1, end);
    if (!isWord(tokens[next], 'matched')) continue; // a CASE WHEN inside an expression
    const then = skipInsignificant(tokens, next + 1, end);
    if (!isWord(tokens[then], 'then')) throw syntaxErrorAt(tokens[then]);
    const count = not ? ++seen.notMatched : ++seen.matched;
    if (count > 1) throw new SqlError(`MERGE supports only one WHEN ${not ? 'NOT ' : ''}MATCHED clause`);
  }
}

/** The table name (without its alias) that starts at the first significant token from `from`. */
function tableName(tokens: Token[], from: number): string {
  const start = skipInsignificant(tokens, from);
  return rewriteRange(tokens, start, readTableName(tokens, start, tokens.length));
}
