/**
 * Redshift's MERGE is a subset of PostgreSQL's: the source is a table (not a subquery), and there is at
 * most one WHEN MATCHED and one WHEN NOT MATCHED clause, neither with an extra AND condition. Its
 * simplified form `MERGE INTO t USING s ON cond REMOVE DUPLICATES` replaces the matched target rows
 * (and their duplicates) with the source rows and inserts the unmatched ones.
 */
import { SqlError } from './errors';
import { rewriteRange } from './expressions';
import type { Token } from './tokenizer';
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
      `INSERT INTO ${tableNameOnly(tokens, into + 1, using)} SELECT * FROM ${tableNameOnly(tokens, using + 1, on)}`,
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

/** The table name of `name [[AS] alias]` in [from, to): its first name part and any `.part`s. */
function tableNameOnly(tokens: Token[], from: number, to: number): string {
  const start = skipInsignificant(tokens, from, to);
  let i = start + (tokens[start]?.text === '#' ? 2 : 1);
  while (isPunct(tokens[skipInsignificant(tokens, i, to)], '.')) {
    i = skipInsignificant(tokens, skipInsignificant(tokens, i, to) + 1, to) + 1;
  }
  return rewriteRange(tokens, start, i).trim();
}

function syntaxErrorAt(token: Token | undefined): SqlError {
  return new SqlError(`syntax error at or near "${token ? token.text : 'end of input'}"`);
}
