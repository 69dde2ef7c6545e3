/**
 * Parses Redshift's COPY … FROM 's3://…' FORMAT JSON statement into what the loader needs.
 * Options come in any order, as Redshift allows; anything the offline loader cannot honour is refused
 * with a clear message rather than silently ignored.
 */
import { isSignificant, tokenize, type Token } from '../../sql/tokenizer';
import { parseS3Url, type S3Location } from '../s3/s3-url';
import { CopyFailedError } from './errors';

export type JsonMapping = { mode: 'auto'; ignoreCase: boolean } | { mode: 'jsonpaths'; location: S3Location };

export interface CopyStatement {
  table: { schema?: string; name: string };
  /** The column list, lower-cased; undefined when the statement has none. */
  columns?: string[];
  source: S3Location;
  manifest: boolean;
  json: JsonMapping;
  /** The TIMEFORMAT and DATEFORMAT arguments as written; undefined when absent. */
  timeFormat?: string;
  dateFormat?: string;
  blanksAsNull: boolean;
  emptyAsNull: boolean;
  truncateColumns: boolean;
  /** The replacement character, or null without ACCEPTINVCHARS. */
  acceptInvChars: string | null;
  maxError: number;
  gzip: boolean;
  roundDecimals: boolean;
  /** NOLOAD: check every record, load none. */
  noLoad: boolean;
  /** STATUPDATE ON (true), OFF (false), or left to Redshift's default (undefined): analyze a table that was empty. */
  statUpdate?: boolean;
}

/** Redshift's ceiling for MAXERROR. */
export const MAX_MAXERROR = 100_000;

/** Accepted for compatibility and ignored: they only concern authorisation, location or statistics (so does COMPROWS n). */
const IGNORED_WITH_STRING = new Set(['iam_role', 'credentials', 'region', 'access_key_id', 'secret_access_key', 'session_token']);
const IGNORED_WITH_OPTIONAL_WORD = new Set(['compupdate']);
/** Real Redshift options that this loader does not implement (or that Redshift forbids with JSON). */
const UNSUPPORTED = new Set([
  'csv', 'delimiter', 'fixedwidth', 'avro', 'parquet', 'orc', 'shapefile', 'bzip2', 'lzop', 'zstd', 'explicit_ids', 'encoding', 'fillrecord', 'ignoreheader', 'ignoreblanklines', 'null',
  'escape', 'removequotes', 'readratio', 'trimblanks', 'acceptanydate', 'ssh', 'serializetojson',
]);

export function parseCopyStatement(sql: string): CopyStatement {
  const tokens = tokenize(sql).filter(isSignificant);
  while (tokens.length > 0 && tokens[tokens.length - 1].text === ';') tokens.pop();
  const reader = new TokenReader(tokens);

  reader.expectWord('copy');
  const table = readTableName(reader);
  let columns: string[] | undefined;
  if (reader.peekText('(')) {
    reader.next();
    columns = [];
    do columns.push(readIdentifier(reader));
    while (reader.acceptText(','));
    reader.expectText(')');
  }
  reader.expectWord('from');
  const sourceUrl = reader.expectString();
  const source = parseS3Url(sourceUrl);
  if (!source) {
    throw new CopyFailedError(
      `Invalid S3 URL '${sourceUrl}': expected s3://bucket/prefix, the bucket named with 3 to 63 lowercase letters, digits, dots or hyphens`,
    );
  }

  const statement: CopyStatement = {
    table, columns, source, manifest: false, json: { mode: 'auto', ignoreCase: false },
    blanksAsNull: false, emptyAsNull: false, truncateColumns: false, acceptInvChars: null, maxError: 0, gzip: false,
    roundDecimals: false, noLoad: false,
  };
  const seen = new Set<string>();
  let hasFormat = false;

  while (!reader.done()) {
    const token = reader.next();
    const option = token.kind === 'word' ? token.value! : '';
    if (option === '') throw syntaxError(token);
    // FORMAT [AS] JSON and the short form JSON [AS] 'arg' are one option.
    const name = option === 'format' ? 'json' : option;
    if (seen.has(name)) throw new CopyFailedError(`conflicting or redundant options: ${option.toUpperCase()} is given twice`);
    seen.add(name);

    if (IGNORED_WITH_STRING.has(option)) {
      reader.acceptWord('as');
      if (option === 'iam_role' && reader.acceptWord('default')) continue;
      reader.expectString();
    } else if (option === 'comprows') {
      if (!reader.peekKind('number')) throw syntaxError(reader.peek());
      reader.next();
    } else if (IGNORED_WITH_OPTIONAL_WORD.has(option)) {
      if (reader.peekKind('word') && ['on', 'off', 'true', 'false', 'preset'].includes(reader.peek()!.value!)) reader.next();
    } else if (option === 'statupdate') {
      // STATUPDATE [ON | TRUE | OFF | FALSE]; a bare STATUPDATE means ON.
      const value = reader.peekKind('word') ? reader.peek()!.value! : '';
      if (['on', 'true', 'off', 'false'].includes(value)) reader.next();
      statement.statUpdate = value !== 'off' && value !== 'false';
    } else if (option === 'format' || option === 'json') {
      if (option === 'format') {
        reader.acceptWord('as');
        const format = reader.next();
        if (format.value !== 'json') throw unsupported(`FORMAT ${format.text}`, 'only FORMAT AS JSON is supported offline');
      }
      reader.acceptWord('as');
      hasFormat = true;
      if (reader.peekKind('string')) statement.json = jsonMapping(reader.expectString());
    } else if (option === 'timeformat') {
      reader.acceptWord('as');
      statement.timeFormat = reader.expectString();
    } else if (option === 'dateformat') {
      reader.acceptWord('as');
      statement.dateFormat = reader.expectString();
    } else if (option === 'acceptinvchars') {
      reader.acceptWord('as');
      const replacement = reader.peekKind('string') ? reader.expectString() : '?';
      if (!/^[\x01-\x7f]$/.test(replacement)) {
        throw new CopyFailedError(`ACCEPTINVCHARS replacement must be a single ASCII character, not '${replacement}'`);
      }
      statement.acceptInvChars = replacement;
    } else if (option === 'maxerror') {
      reader.acceptWord('as');
      const n = reader.next();
      const value = n.kind === 'number' && /^\d+$/.test(n.text) ? Number(n.text) : NaN;
      if (!(value >= 0 && value <= MAX_MAXERROR)) {
        throw new CopyFailedError(`MAXERROR must be a whole number from 0 to ${MAX_MAXERROR}, not ${n.text}`);
      }
      statement.maxError = value;
    } else if (option === 'manifest') statement.manifest = true;
    else if (option === 'gzip') statement.gzip = true;
    else if (option === 'blanksasnull') statement.blanksAsNull = true;
    else if (option === 'emptyasnull') statement.emptyAsNull = true;
    else if (option === 'truncatecolumns') statement.truncateColumns = true;
    else if (option === 'roundec') statement.roundDecimals = true;
    else if (option === 'noload') statement.noLoad = true;
    else if (UNSUPPORTED.has(option)) throw unsupported(option.toUpperCase(), 'the offline COPY loads JSON only');
    else throw syntaxError(token);
  }
  if (!hasFormat) throw unsupported('a COPY without FORMAT AS JSON', 'the offline COPY loads JSON only');
  return statement;
}

function jsonMapping(argument: string): JsonMapping {
  const normalized = argument.trim().toLowerCase().replace(/\s+/g, ' ');
  if (normalized === 'auto') return { mode: 'auto', ignoreCase: false };
  if (normalized === 'auto ignorecase') return { mode: 'auto', ignoreCase: true };
  if (normalized === 'noshred') throw unsupported("JSON 'noshred'", 'SUPER columns are not emulated');
  const location = parseS3Url(argument);
  if (!location) {
    throw new CopyFailedError(`Invalid JSON option '${argument}': expected 'auto', 'auto ignorecase' or an s3:// jsonpaths file`);
  }
  return { mode: 'jsonpaths', location };
}

/** Identifiers fold to lower case in Redshift, quoted or not. */
function readIdentifier(reader: TokenReader): string {
  const token = reader.next();
  if (token.kind === 'word' || token.kind === 'quoted') {
    const name = token.value!.toLowerCase();
    if (name === '') throw new CopyFailedError('zero-length delimited identifier');
    return name;
  }
  throw syntaxError(token);
}

function readTableName(reader: TokenReader): { schema?: string; name: string } {
  // Redshift's `#name` session temporary table; the dialect creates it as the table "#name".
  if (reader.acceptText('#')) return { name: `#${readIdentifier(reader)}` };
  const first = readIdentifier(reader);
  if (!reader.acceptText('.')) return { name: first };
  return { schema: first, name: readIdentifier(reader) };
}

function syntaxError(token: Token | undefined): CopyFailedError {
  return new CopyFailedError(token ? `syntax error at or near "${token.text}"` : 'syntax error at end of input');
}

function unsupported(what: string, why: string): CopyFailedError {
  return new CopyFailedError(`COPY option ${what} is not supported by the offline emulator: ${why}`);
}

class TokenReader {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.index >= this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.index];
  }
  peekKind(kind: Token['kind']): boolean {
    return this.peek()?.kind === kind;
  }
  peekText(text: string): boolean {
    return this.peek()?.text === text;
  }
  next(): Token {
    const token = this.tokens[this.index];
    if (!token) throw syntaxError(undefined);
    this.index++;
    return token;
  }
  acceptWord(word: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'word' || token.value !== word) return false;
    this.index++;
    return true;
  }
  acceptText(text: string): boolean {
    if (!this.peekText(text)) return false;
    this.index++;
    return true;
  }
  expectWord(word: string): void {
    if (!this.acceptWord(word)) throw syntaxError(this.peek());
  }
  expectText(text: string): void {
    if (!this.acceptText(text)) throw syntaxError(this.peek());
  }
  /** A plain '…' literal ('' escapes a quote), closed. */
  expectString(): string {
    const token = this.next();
    const closed = token.text.startsWith("'") && token.text.length >= 2 && token.text.split("'").length % 2 === 1;
    if (token.kind !== 'string' || !closed) {
      throw token.kind === 'string' ? new CopyFailedError('unterminated quoted string in COPY') : syntaxError(token);
    }
    return token.value!;
  }
}
