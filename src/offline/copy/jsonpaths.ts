/**
 * Redshift's JSONPaths file: `{"jsonpaths": ["$['a']", "$.b.c", "$.arr[0]", …]}`, one expression per
 * target column in column order. Only member names and array indexes: no wildcards, no filters, and
 * bracket and dot notation not mixed within one expression.
 */
import { FieldError, type JsonValue } from './conversions';

export type PathStep = string | number;

/** What the file holds: expressions to apply, or null when its top-level key is not "jsonpaths" (Redshift then falls back to 'auto'). */
export function parseJsonPathsFile(text: string): PathStep[][] | null {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new JsonPathsError(`the file is not valid JSON (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new JsonPathsError('the file must hold one JSON object');
  }
  const keys = Object.keys(document);
  if (keys.length !== 1 || keys[0] !== 'jsonpaths') return null;
  const expressions = (document as { jsonpaths: unknown }).jsonpaths;
  if (!Array.isArray(expressions) || expressions.length === 0) throw new JsonPathsError('"jsonpaths" must be a non-empty array');
  return expressions.map((expression, i) => {
    if (typeof expression !== 'string') throw new JsonPathsError(`element ${i} is not a string`);
    return parseJsonPath(expression);
  });
}

export class JsonPathsError extends Error {
  constructor(detail: string) {
    super(`Invalid JSONPath format: ${detail}`);
    this.name = 'JsonPathsError';
  }
}

const DOT_MEMBER = /^\.([A-Za-z_$][A-Za-z0-9_$-]*)/;
const BRACKET_MEMBER = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/;
const INDEX = /^\[\s*(\d+)\s*\]/;

export function parseJsonPath(expression: string): PathStep[] {
  if (!expression.startsWith('$')) throw new JsonPathsError(`'${expression}' does not start with $`);
  const steps: PathStep[] = [];
  let notation: 'dot' | 'bracket' | undefined;
  let rest = expression.slice(1);
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    let style: 'dot' | 'bracket' | 'index';
    if ((match = DOT_MEMBER.exec(rest))) {
      style = 'dot';
      steps.push(match[1]);
    } else if ((match = BRACKET_MEMBER.exec(rest))) {
      style = 'bracket';
      steps.push((match[1] ?? match[2]).replace(/\\(.)/g, '$1'));
    } else if ((match = INDEX.exec(rest))) {
      style = 'index';
      steps.push(Number(match[1]));
    } else {
      throw new JsonPathsError(`cannot read '${expression}' at '${rest}' (wildcards and filters are not supported)`);
    }
    if (style !== 'index') {
      if (notation !== undefined && notation !== style) throw new JsonPathsError(`'${expression}' mixes dot and bracket notation`);
      notation = style;
    }
    rest = rest.slice(match[0].length);
  }
  if (steps.length === 0) throw new JsonPathsError(`'${expression}' selects no element`);
  return steps;
}

/** The element a path selects; undefined when a member is missing (it loads NULL). */
export function selectPath(record: JsonValue, steps: PathStep[]): JsonValue | undefined {
  let current: JsonValue | undefined = record;
  for (const step of steps) {
    if (current === undefined || current === null) return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) {
        throw new FieldError(1216, 'Invalid JSONPath format: Not an array or index out of range.');
      }
      current = current[step];
    } else {
      if (typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, step)) return undefined;
      current = current[step];
    }
  }
  return current;
}
