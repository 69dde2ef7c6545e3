/**
 * Splits a stream of bytes into Redshift's JSON records without reading the whole object: root-level
 * objects or arrays separated by whitespace, one or many per line, pretty-printed or not. It only tracks
 * nesting and strings to find where a record ends; JSON.parse judges the record afterwards.
 */

/** Redshift's limit on one JSON object. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** How much of a rejected record or junk run is kept for raw_line. */
const RAW_TEXT_LIMIT = 1024;

export type ScanItem =
  | { kind: 'record'; bytes: Buffer; lastLine: number }
  /** Non-whitespace between records; one per run. */
  | { kind: 'junk'; rawText: string; lastLine: number }
  | { kind: 'too-large'; rawText: string; lastLine: number; size: number }
  /** The stream ended inside a record. */
  | { kind: 'unterminated'; rawText: string; lastLine: number };

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

function isWhitespace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

export async function* scanRecords(
  source: AsyncIterable<Buffer | string>,
  maxRecordBytes = MAX_RECORD_BYTES,
): AsyncGenerator<ScanItem> {
  let line = 1;
  let mode = 'between' as 'between' | 'junk' | 'record';
  let depth = 0;
  let inString = false;
  let escaped = false;
  // The record being read: the parts collected so far, or only its head once it is over the limit.
  let parts: Buffer[] = [];
  let size = 0;
  let oversized = false;
  let junk: Buffer[] = [];
  let junkSize = 0;

  const rawHead = (buffers: Buffer[]) => Buffer.concat(buffers).subarray(0, RAW_TEXT_LIMIT).toString('utf8');
  const keep = (piece: Buffer) => {
    size += piece.length;
    if (oversized) return;
    if (size > maxRecordBytes) {
      oversized = true;
      parts = [Buffer.concat(parts).subarray(0, RAW_TEXT_LIMIT)];
      return;
    }
    parts.push(piece);
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let recordStart = -1; // where the current record starts in this chunk, when it is in a record
    let junkStart = -1;
    if (mode === 'record') recordStart = 0;
    if (mode === 'junk') junkStart = 0;

    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (mode === 'record') {
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
          else if (b === LF) line++;
          continue;
        }
        if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            keep(bytes.subarray(recordStart, i + 1));
            if (oversized) yield { kind: 'too-large', rawText: rawHead(parts), lastLine: line, size };
            else yield { kind: 'record', bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts), lastLine: line };
            parts = [];
            size = 0;
            oversized = false;
            mode = 'between';
          }
        } else if (b === LF) line++;
        continue;
      }

      const startsRecord = b === OPEN_BRACE || b === OPEN_BRACKET;
      if (mode === 'junk' && (startsRecord || isWhitespace(b))) {
        junk.push(bytes.subarray(junkStart, i));
        yield { kind: 'junk', rawText: rawHead(junk), lastLine: line };
        junk = [];
        junkSize = 0;
        mode = 'between';
      }
      if (mode === 'between') {
        if (startsRecord) {
          mode = 'record';
          depth = 1;
          recordStart = i;
        } else if (!isWhitespace(b)) {
          mode = 'junk';
          junkStart = i;
        }
      }
      if (b === LF) line++;
    }

    // Carry the unfinished record or junk over to the next chunk.
    if (mode === 'record') keep(bytes.subarray(recordStart));
    if (mode === 'junk' && junkSize < RAW_TEXT_LIMIT) {
      const piece = bytes.subarray(junkStart);
      junk.push(piece);
      junkSize += piece.length;
    }
  }

  const lastLine = line;
  if (mode === 'record') yield { kind: 'unterminated', rawText: rawHead(parts), lastLine };
  if (mode === 'junk') yield { kind: 'junk', rawText: rawHead(junk), lastLine };
}
