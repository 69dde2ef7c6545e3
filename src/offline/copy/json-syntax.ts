/**
 * Where a record that JSON.parse refused goes wrong, and why, in words a person understands. Only run
 * for rejected records (the rare path); V8's own messages change between Node versions and often give
 * no position.
 */

export interface JsonSyntaxError {
  /** Index in the record's text (UTF-16 units) of the character at fault, or its length at the end. */
  offset: number;
  reason: string;
}

const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class SyntaxFault {
  constructor(readonly offset: number, readonly reason: string) {}
}

/** The first syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new SyntaxFault(at, reason);
  };
  const describe = (at: number) =>
    at >= text.length ? 'the record ends' : `unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(at)!))}`;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    const start = i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) {
        fail(c === 0x0a || c === 0x0d
          ? 'unterminated string, a JSON string cannot hold a raw line break'
          : `a control character (U+${c.toString(16).toUpperCase().padStart(4, '0')}) must be escaped in a string`);
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in a string: it needs four hex digits');
          i += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e)) fail(`invalid escape ${JSON.stringify(`\\${e ?? ''}`)} in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    i++;
  };
  /** The members of an object or the elements of an array, from its opening bracket at i. */
  const sequence = (close: string, member: () => void, what: string) => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      fail(`expected ',' or '${close}' after ${what}, ${describe(i)}`);
    }
  };
  const property = () => {
    space();
    if (text[i] !== '"') fail(`expected a double-quoted property name, ${describe(i)}`);
    string();
    space();
    if (text[i] !== ':') fail(`expected ':' after a property name, ${describe(i)}`);
    i++;
    value();
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') return sequence('}', property, 'a property value');
    if (c === '[') return sequence(']', value, 'an array element');
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) fail('invalid number');
      const after = NUMBER.lastIndex;
      if (/[0-9.eE+-]/.test(text[after] ?? '')) fail('invalid number', after);
      i = after;
      return;
    }
    const word = LITERALS.find((literal) => text.startsWith(literal, i));
    if (word) {
      i += word.length;
      return;
    }
    if (/[a-zA-Z]/.test(c ?? '')) fail(`invalid literal ${JSON.stringify(/^[a-zA-Z]+/.exec(text.slice(i))![0])}, expected a value`);
    fail(`expected a value, ${describe(i)}`);
  };
  try {
    value();
    space();
    if (i < text.length) fail(`only whitespace may follow the record, ${describe(i)}`);
    return null;
  } catch (error) {
    if (error instanceof SyntaxFault) return { offset: error.offset, reason: error.reason };
    // Nesting deeper than the stack: the caller falls back to V8's message.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Line and column (1-based; a character counts once) of `offset` in a text that starts at line/column. */
export function positionIn(text: string, offset: number, firstLine: number, firstColumn: number): { line: number; column: number } {
  let line = firstLine;
  let lineStart = 0;
  for (let j = text.indexOf('\n'); j !== -1 && j < offset; j = text.indexOf('\n', j + 1)) {
    line++;
    lineStart = j + 1;
  }
  const chars = [...text.slice(lineStart, offset)].length;
  return { line, column: (line === firstLine ? firstColumn : 1) + chars };
}
