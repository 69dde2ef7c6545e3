/**
 * Splits a stream of bytes into Redshift's JSON records without reading the whole object: root-level
 * objects or arrays separated by whitespace, one or many per line, pretty-printed or not. It only tracks
 * nesting and strings to find where a record ends; JSON.parse judges the record afterwards.
 *
 * A JSON string cannot hold a raw line break, so a line break inside a string ends that record as broken
 * at that line. The scanner then skips the rest of the broken record (the lines indented deeper than
 * its start, and its closing bracket) and resumes at the next record, so one bad line costs one record.
 */
// raw_line's width bounds how much of a rejected record or junk run is kept (in bytes here).
import { RAW_TEXT_LIMIT } from './load-errors';

/** Redshift's limit on one JSON object. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/**
 * Lines are 1-based. Columns are 1-based characters within the record (a UTF-8 sequence counts once);
 * on a record's first line, the bytes before the record are counted as bytes.
 */
export type ScanItem =
  | { kind: 'record'; bytes: Buffer; lastLine: number; firstLine: number; firstColumn: number }
  /** Non-whitespace between records; one per run, at its first character. */
  | { kind: 'junk'; rawText: string; lastLine: number; column: number }
  /** At the record's last character. */
  | { kind: 'too-large'; rawText: string; lastLine: number; column: number; size: number; firstLine: number; firstColumn: number }
  /** The stream ended inside a record (inString: inside one of its strings); at the end of the stream. */
  | { kind: 'unterminated'; rawText: string; lastLine: number; column: number; firstLine: number; firstColumn: number; inString: boolean }
  /** A raw line break inside a string: at the line break. rawText is the record up to it. */
  | { kind: 'broken-string'; rawText: string; lastLine: number; column: number }
  /** The stream starts with gzip's magic bytes; nothing after them is scanned. */
  | { kind: 'gzip'; rawText: string; lastLine: number; column: number };

export type ScanProblem = Exclude<ScanItem, { kind: 'record' }>;

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const GZIP_MAGIC_1 = 0x1f, GZIP_MAGIC_2 = 0x8b;

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

/** Where scanning starts: a line start between records, `offset` bytes into the object. */
export interface ScanStart {
  line: number;
  offset: number;
}

export async function* scanRecords(
  source: AsyncIterable<Buffer | string>,
  maxRecordBytes = MAX_RECORD_BYTES,
  start: ScanStart = { line: 1, offset: 0 },
): AsyncGenerator<ScanItem> {
  const scanner = new RecordScanner(maxRecordBytes, start);
  for await (const chunk of source) {
    yield* scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (scanner.done) return;
  }
  yield* scanner.end();
}

/**
 * The scanning state machine, fed chunk by chunk. Synchronous on purpose: V8 optimises a hot loop in a
 * plain method far sooner than one inside an async generator.
 */
export class RecordScanner {
  private line: number;
  /** Offset in the object of the current chunk's first byte, and of the current line's first byte. */
  private base: number;
  private lineStart: number;
  /**
   * 'skip': after a broken string, the rest of its record. A line whose first character is indented
   * no deeper than the record's start resumes the scan: at it when it opens a record, after it when it
   * closes one; any other line is skipped.
   */
  private mode: 'between' | 'junk' | 'record' | 'skip' | 'done' = 'between';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The record being read: the parts collected so far, or only its head once it is over the limit. */
  private parts: Buffer[] = [];
  private size = 0;
  private oversized = false;
  /** Where the record starts: its line, its column in bytes, and its offset in the stream. */
  private recordLine = 1;
  private recordColumn = 1;
  private recordOffset = 0;
  private junk: Buffer[] = [];
  private junkSize = 0;
  private junkColumn = 1;
  private junkOffset = 0;
  private skipIndent = 0;
  /** In 'skip', whether the current line's first character has been seen. */
  private skipLineSeen = false;

  constructor(private readonly maxRecordBytes: number, start: ScanStart = { line: 1, offset: 0 }) {
    this.line = start.line;
    this.base = start.offset;
    this.lineStart = start.offset;
  }

  /** After gzip's magic bytes: the rest of the object is not scanned. */
  get done(): boolean {
    return this.mode === 'done';
  }

  /** Between records: nothing read so far carries over into the next bytes. */
  get between(): boolean {
    return this.mode === 'between';
  }

  /** The items that end in this chunk. */
  push(bytes: Buffer): ScanItem[] {
    const items: ScanItem[] = [];
    if (this.mode === 'done') return items;
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
        if (b === LF) {
          if (this.inString) {
            this.keep(bytes.subarray(recordStart, i));
            items.push(this.finishBrokenString(this.base + i));
          }
          this.line++;
          this.lineStart = this.base + i + 1;
        } else if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
        } else if (b === QUOTE) this.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
        else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --this.depth === 0) {
          this.keep(bytes.subarray(recordStart, i + 1));
          items.push(this.finishRecord(this.base + i));
        }
        continue;
      }

      const b = bytes[i];
      if (this.mode === 'skip') {
        if (b === LF) {
          this.line++;
          this.lineStart = this.base + i + 1;
          this.skipLineSeen = false;
          continue;
        }
        if (this.skipLineSeen || b === SPACE || b === TAB || b === CR) continue;
        this.skipLineSeen = true;
        if (this.base + i - this.lineStart > this.skipIndent) continue;
        if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          this.mode = 'between';
          continue;
        }
        if (b !== OPEN_BRACE && b !== OPEN_BRACKET) continue;
        this.mode = 'between';
      }

      const startsRecord = b === OPEN_BRACE || b === OPEN_BRACKET;
      if (this.mode === 'junk' && (startsRecord || isWhitespace(b))) {
        this.junk.push(bytes.subarray(junkStart, i));
        items.push(this.finishJunk());
        if (this.done) return items;
      }
      if (this.mode === 'between') {
        if (startsRecord) {
          this.mode = 'record';
          this.depth = 1;
          recordStart = i;
          this.recordLine = this.line;
          this.recordOffset = this.base + i;
          this.recordColumn = this.recordOffset - this.lineStart + 1;
        } else if (!isWhitespace(b)) {
          this.mode = 'junk';
          junkStart = i;
          this.junkOffset = this.base + i;
          this.junkColumn = this.junkOffset - this.lineStart + 1;
        }
      }
      if (b === LF) {
        this.line++;
        this.lineStart = this.base + i + 1;
      }
    }

    // Carry the unfinished record or junk over to the next chunk.
    if (this.mode === 'record') this.keep(bytes.subarray(recordStart));
    if (this.mode === 'junk' && this.junkSize < RAW_TEXT_LIMIT) {
      const piece = bytes.subarray(junkStart);
      this.junk.push(piece);
      this.junkSize += piece.length;
    }
    this.base += end;
    return items;
  }

  /** What is left when the stream ends. */
  end(): ScanProblem[] {
    if (this.mode === 'record') {
      const offset = this.base; // just past the last byte
      return [{
        kind: 'unterminated', rawText: rawHead(this.parts), lastLine: this.line, column: this.columnAt(offset),
        firstLine: this.recordLine, firstColumn: this.recordColumn, inString: this.inString,
      }];
    }
    if (this.mode === 'junk') return [this.finishJunk()];
    return [];
  }

  private keep(piece: Buffer): void {
    this.size += piece.length;
    if (this.oversized) return;
    if (this.size > this.maxRecordBytes) {
      // Only the head is kept for raw_line, this piece's included (it may hold the whole record).
      this.oversized = true;
      this.parts = [Buffer.from(Buffer.concat([...this.parts, piece.subarray(0, RAW_TEXT_LIMIT)]).subarray(0, RAW_TEXT_LIMIT))];
      return;
    }
    this.parts.push(piece);
  }

  /** The record ends with the byte at `lastOffset` in the stream. */
  private finishRecord(lastOffset: number): ScanItem {
    const { parts, size, line } = this;
    const item: ScanItem = this.oversized
      ? {
        kind: 'too-large', rawText: rawHead(parts), lastLine: line, column: this.columnAt(lastOffset), size,
        firstLine: this.recordLine, firstColumn: this.recordColumn,
      }
      : {
        kind: 'record', bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts), lastLine: line,
        firstLine: this.recordLine, firstColumn: this.recordColumn,
      };
    this.resetRecord();
    this.mode = 'between';
    return item;
  }

  /** A line break at `offset` inside a string: the record is broken there. */
  private finishBrokenString(offset: number): ScanItem {
    const item: ScanItem = { kind: 'broken-string', rawText: rawHead(this.parts), lastLine: this.line, column: this.columnAt(offset) };
    this.skipIndent = this.recordColumn - 1;
    this.skipLineSeen = false;
    this.resetRecord();
    this.mode = 'skip';
    return item;
  }

  private resetRecord(): void {
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  private finishJunk(): ScanProblem {
    const head = Buffer.concat(this.junk);
    this.junk = [];
    this.junkSize = 0;
    if (this.junkOffset === 0 && head[0] === GZIP_MAGIC_1 && head[1] === GZIP_MAGIC_2) {
      this.mode = 'done';
      return { kind: 'gzip', rawText: '', lastLine: 1, column: 1 };
    }
    this.mode = 'between';
    return { kind: 'junk', rawText: head.subarray(0, RAW_TEXT_LIMIT).toString('utf8'), lastLine: this.line, column: this.junkColumn };
  }

  /**
   * The 1-based column of the byte at `offset` on the current line (rare paths only): characters over
   * the part of the line inside the kept record, bytes over any part before the record.
   */
  private columnAt(offset: number): number {
    const fromRecord = Math.max(this.lineStart, this.recordOffset);
    const before = fromRecord - this.lineStart;
    if (this.oversized) return before + (offset - fromRecord) + 1;
    let chars = 0;
    let skip = fromRecord - this.recordOffset; // bytes of the record before the line
    let left = offset - fromRecord;
    for (const part of this.parts) {
      for (let j = 0; j < part.length && left > 0; j++) {
        if (skip > 0) {
          skip--;
          continue;
        }
        left--;
        if ((part[j] & 0xc0) !== 0x80) chars++;
      }
      if (left === 0) break;
    }
    return before + chars + left + 1;
  }
}

function rawHead(buffers: Buffer[]): string {
  return Buffer.concat(buffers).subarray(0, RAW_TEXT_LIMIT).toString('utf8');
}
