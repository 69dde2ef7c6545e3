/**
 * Redshift's character and decimal types in PostgreSQL spelling. Redshift's VARCHAR without a length is
 * VARCHAR(256), TEXT and NVARCHAR are VARCHAR(256), VARCHAR(MAX) is VARCHAR(65535), BPCHAR is CHAR(256),
 * a bare DECIMAL is DECIMAL(18,0); and VARCHAR lengths count bytes, which the caller enforces with
 * a byte-length check where the type declares a column.
 */
import { SqlError } from './errors';
import type { Token } from '../../sql/tokenizer';
import { isPunct, isWord, matchingParen, significantTexts, skipInsignificant } from './token-cursor';

const VARCHAR_MAX_BYTES = 65535;
const DEFAULT_VARCHAR_BYTES = 256;

export interface MappedType {
  /** Index just past the type's last token. */
  end: number;
  /** The type in PostgreSQL spelling. */
  pg: string;
  /** For VARCHAR: the declared length, which Redshift counts in bytes. */
  varcharBytes?: number;
}

/**
 * Reads the type starting at significant token `i`. Returns the PostgreSQL spelling for the types that
 * differ from PostgreSQL's, or undefined for any other type (which then stays as written).
 */
export function mapType(tokens: Token[], i: number, to: number): MappedType | undefined {
  const first = tokens[i];
  if (first?.kind !== 'word') return undefined;
  let afterName = i + 1;
  let family: 'varchar' | 'char' | 'text' | 'bpchar' | 'decimal';
  switch (first.value) {
    case 'varchar':
    case 'nvarchar':
      family = 'varchar';
      break;
    case 'character':
    case 'char':
    case 'nchar': {
      const next = skipInsignificant(tokens, i + 1, to);
      if (isWord(tokens[next], 'varying')) {
        family = 'varchar';
        afterName = next + 1;
      } else {
        family = 'char';
      }
      break;
    }
    case 'text':
      family = 'text';
      break;
    case 'bpchar':
      family = 'bpchar';
      break;
    case 'decimal':
    case 'numeric':
      family = 'decimal';
      break;
    default:
      return undefined;
  }

  const open = skipInsignificant(tokens, afterName, to);
  const hasModifier = isPunct(tokens[open], '(');
  const close = hasModifier ? matchingParen(tokens, open, to) : -1;
  if (hasModifier && close === -1) return undefined;
  const modifier = hasModifier ? significantTexts(tokens, open + 1, close) : [];
  const end = hasModifier ? close + 1 : afterName;

  switch (family) {
    case 'varchar': {
      const bytes = hasModifier ? varcharLength(modifier) : DEFAULT_VARCHAR_BYTES;
      return { end, pg: `varchar(${bytes})`, varcharBytes: bytes };
    }
    case 'text':
      return hasModifier ? undefined : { end, pg: `varchar(${DEFAULT_VARCHAR_BYTES})`, varcharBytes: DEFAULT_VARCHAR_BYTES };
    case 'bpchar':
      return { end, pg: hasModifier ? `char(${modifier.join('')})` : 'char(256)' };
    case 'char':
      // CHAR keeps PostgreSQL's meaning; only NCHAR needs a new name.
      return first.value === 'nchar' ? { end, pg: hasModifier ? `char(${modifier.join('')})` : 'char' } : undefined;
    case 'decimal':
      return hasModifier ? undefined : { end, pg: 'numeric(18,0)' };
  }
}

function varcharLength(modifier: string[]): number {
  if (modifier.length === 1 && modifier[0] === 'max') return VARCHAR_MAX_BYTES;
  const length = modifier.length === 1 && /^\d+$/.test(modifier[0]) ? Number(modifier[0]) : NaN;
  if (!Number.isInteger(length)) throw new SqlError(`syntax error at or near "${modifier.join(' ')}"`);
  if (length < 1 || length > VARCHAR_MAX_BYTES) throw new SqlError(`length for type varchar cannot exceed ${VARCHAR_MAX_BYTES}`);
  return length;
}
