/**
 * JSON text the way the real bucket spells it, byte for byte: non-ASCII as \u escapes in both kinds
 * of file, `\/` for every slash in the event logs (their simulator escaped them), Python's ", " and
 * ": " separators in the song files, and `registration` as a float ("1540919166796.0").
 */

type JsonScalar = string | number | null;

/** JSON.stringify, then every non-ASCII UTF-16 unit as \uXXXX (Python's ensure_ascii). */
export function asciiJson(value: JsonScalar): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A number that always prints with a fractional part, as Python prints a float. */
export function floatJson(value: number | null): string {
  if (value === null) return 'null';
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** One compact event object; values are already JSON text, in the order given. */
export function eventObject(fields: ReadonlyArray<readonly [string, string]>): string {
  const body = fields.map(([key, json]) => `"${key}":${json}`).join(',');
  // A slash only ever appears inside a JSON string, so escaping all of them keeps the text valid.
  return `{${body}}`.replaceAll('/', '\\/');
}

/** One song object with Python's json.dumps separators. */
export function songObject(fields: ReadonlyArray<readonly [string, string]>): string {
  return `{${fields.map(([key, json]) => `"${key}": ${json}`).join(', ')}}`;
}
