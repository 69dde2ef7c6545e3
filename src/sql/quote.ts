/** Quoting for the few values that must go into SQL text rather than travel as parameters. */

/** A SQL string literal: single quotes around the value, each inner quote doubled. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `name` as a quoted identifier, exactly as given (folding to lower case is the caller's business). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
