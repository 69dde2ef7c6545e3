/**
 * Splits a stream of bytes into Redshift's JSON records without reading the whole object: root-level
 * objects or arrays separated by whitespace, one or many per line, pretty-printed or not. It only tracks
 * nesting and strings to find where a record ends; JSON.parse judges the record afterwards.
 */
// raw_line's width bounds how much of a rejected record or junk run is kept (in bytes here).
import { RAW_TEXT_LIMIT } from './load-errors';

/** Redshift's limit on one JSON object. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

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

/** Bytes that change nothing inside a string (1), or inside a record outside strings (1). */
const PLAIN_IN_STRING = byteTable((b) => b !== QUOTE && b !== BACKSLASH && b !== LF);
const PLAIN_OUTSIDE_STRING = byteTable((b) => ![QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, LF].includes(b));

function byteTable(plain: (b: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) table[b] = plain(b) ? 1 : 0;
  return table;
}

function isWhitespace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

export async function* scanRecords(
  source: AsyncIterable<Buffer | string>,
  maxRecordBytes = MAX_RECORD_BYTES,
): AsyncGenerator<ScanItem> {
  const scanner = new RecordScanner(maxRecordBytes);
  for await (const chunk of source) yield* scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  yield* scanner.end();
}

/**
 * The scanning state machine, fed chunk by chunk. Synchronous on purpose: V8 optimises a hot loop in a
 * plain method far sooner than one inside an async generator.
 */
class RecordScanner {
  private line = 1;
  private mode: 'between' | 'junk' | 'record' = 'between';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The record being read: the parts collected so far, or only its head once it is over the limit. */
  private parts: Buffer[] = [];
  private size = 0;
  private oversized = false;
  private junk: Buffer[] = [];
  private junkSize = 0;

  constructor(private readonly maxRecordBytes: number) {}

  /** The items that end in this chunk. */
  push(bytes: Buffer): ScanItem[] {
    const items: ScanItem[] = [];
    let recordStart = this.mode === 'record' ? 0 : -1; // where the current record starts in this chunk
    let junkStart = this.mode === 'junk' ? 0 : -1;
    const end = bytes.length;
    for (let i = 0; i < end; i++) {
      if (this.mode === 'record') {
        // Skip the bytes that cannot change the state in a tight loop: most of a record is plain text.
        if (this.inString && !this.escaped) while (i < end && PLAIN_IN_STRING[bytes[i]] === 1) i++;
        else if (!this.inString) while (i < end && PLAIN_OUTSIDE_STRING[bytes[i]] === 1) i++;
        if (i === end) break;
        const b = bytes[i];
        if (b === LF) this.line++;
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
        } else if (b === QUOTE) this.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
        else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --this.depth === 0) {
          this.keep(bytes.subarray(recordStart, i + 1));
          items.push(this.finishRecord());
        }
        continue;
      }

      const b = bytes[i];
      const startsRecord = b === OPEN_BRACE || b === OPEN_BRACKET;
      if (this.mode === 'junk' && (startsRecord || isWhitespace(b))) {
        this.junk.push(bytes.subarray(junkStart, i));
        items.push(this.finishJunk());
      }
      if (this.mode === 'between') {
        if (startsRecord) {
          this.mode = 'record';
          this.depth = 1;
          recordStart = i;
        } else if (!isWhitespace(b)) {
          this.mode = 'junk';
          junkStart = i;
        }
      }
      if (b === LF) this.line++;
    }

    // Carry the unfinished record or junk over to the next chunk.
    if (this.mode === 'record') this.keep(bytes.subarray(recordStart));
    if (this.mode === 'junk' && this.junkSize < RAW_TEXT_LIMIT) {
      const piece = bytes.subarray(junkStart);
      this.junk.push(piece);
      this.junkSize += piece.length;
    }
    return items;
  }

  /** What is left when the stream ends. */
  end(): ScanItem[] {
    if (this.mode === 'record') return [{ kind: 'unterminated', rawText: rawHead(this.parts), lastLine: this.line }];
    if (this.mode === 'junk') return [this.finishJunk()];
    return [];
  }

  private keep(piece: Buffer): void {
    this.size += piece.length;
    if (this.oversized) return;
    if (this.size > this.maxRecordBytes) {
      this.oversized = true;
      this.parts = [Buffer.concat(this.parts).subarray(0, RAW_TEXT_LIMIT)];
      return;
    }
    this.parts.push(piece);
  }

  private finishRecord(): ScanItem {
    const { parts, size, line } = this;
    const item: ScanItem = this.oversized
      ? { kind: 'too-large', rawText: rawHead(parts), lastLine: line, size }
      : { kind: 'record', bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts), lastLine: line };
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.mode = 'between';
    return item;
  }

  private finishJunk(): ScanItem {
    const item: ScanItem = { kind: 'junk', rawText: rawHead(this.junk), lastLine: this.line };
    this.junk = [];
    this.junkSize = 0;
    this.mode = 'between';
    return item;
  }
}

function rawHead(buffers: Buffer[]): string {
  return Buffer.concat(buffers).subarray(0, RAW_TEXT_LIMIT).toString('utf8');
}
