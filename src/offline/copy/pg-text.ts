/**
 * PostgreSQL's COPY text format: one line per row, tab between fields, \N for NULL, and backslash
 * escapes for the characters that would break a line or a field.
 */

const SPECIAL = /[\\\t\n\r]/g;
const HAS_SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One row as a line of COPY text, newline included. `null` is SQL NULL. `plain`: no field needs escaping. */
export function encodeRow(fields: readonly (string | null)[], plain = false): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (i > 0) line += '\t';
    if (field === null) line += '\\N';
    else line += plain || !HAS_SPECIAL.test(field) ? field : field.replace(SPECIAL, (c) => ESCAPES[c]);
  }
  return line + '\n';
}

/** A JS Date as a UTC `timestamp` literal, with milliseconds. */
export function utcTimestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Chunk size for data sent to the engine's COPY: large enough to amortise a round trip, small enough to stay flat. */
export const COPY_CHUNK_CHARS = 256 * 1024;

/** Groups COPY lines into chunks of about COPY_CHUNK_CHARS, each ending on a line boundary. */
export async function* inChunks(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let chunk = '';
  for await (const line of lines) {
    chunk += line;
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
