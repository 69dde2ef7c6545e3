/** Small helpers for walking a token array by significant tokens (not spaces or comments). */
import { isSignificant, type Token } from '../../sql/tokenizer';

export { isSignificant };

/** A half-open range of token indexes [from, to). */
export interface TokenRange {
  from: number;
  to: number;
}

/** Index of the first significant token at or after `i` and before `to`, or `to` when there is none. */
export function skipInsignificant(tokens: Token[], i: number, to: number = tokens.length): number {
  while (i < to && !isSignificant(tokens[i])) i++;
  return i;
}

/** Index of the last significant token before `i` and at or after `from`, or -1. */
export function previousSignificant(tokens: Token[], i: number, from = 0): number {
  for (let k = i - 1; k >= from; k--) if (isSignificant(tokens[k])) return k;
  return -1;
}

export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'word' && words.includes(token.value!);
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

/** Index of the ')' matching the '(' at `open`, or -1 when it is not closed before `to`. */
export function matchingParen(tokens: Token[], open: number, to: number = tokens.length): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  return -1;
}

/** Splits [from, to) on commas outside parentheses. */
export function splitOnCommas(tokens: Token[], from: number, to: number): TokenRange[] {
  const parts: TokenRange[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) depth--;
    else if (depth === 0 && isPunct(tokens[i], ',')) {
      parts.push({ from: start, to: i });
      start = i + 1;
    }
  }
  parts.push({ from: start, to });
  return parts;
}

/** Index of the first top-level word `word` in [from, to), or -1. */
export function findTopLevelWord(tokens: Token[], from: number, to: number, word: string): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) depth--;
    else if (depth === 0 && isWord(tokens[i], word)) return i;
  }
  return -1;
}

export function textOf(tokens: Token[], from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += tokens[i].text;
  return text;
}

/** The significant tokens of [from, to), as lower-cased words or raw text: handy for matching a short clause. */
export function significantTexts(tokens: Token[], from: number, to: number): string[] {
  const texts: string[] = [];
  for (let i = from; i < to; i++) {
    const token = tokens[i];
    if (isSignificant(token)) texts.push(token.kind === 'word' ? token.value! : token.text);
  }
  return texts;
}

/** Indexes of the significant tokens. */
export function significantIndexes(tokens: Token[]): number[] {
  const indexes: number[] = [];
  tokens.forEach((token, index) => {
    if (isSignificant(token)) indexes.push(index);
  });
  return indexes;
}
