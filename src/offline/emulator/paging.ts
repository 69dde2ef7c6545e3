import { validationError } from './api-error';

/** NextToken: which listing it continues (a statement id or an operation) and where. */
export function makeNextToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString('base64url');
}

export function readNextToken(token: string | undefined, scope: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { scope?: unknown; offset?: unknown };
    if (parsed.scope === scope && Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0) return parsed.offset as number;
  } catch {
    // falls through to the error below
  }
  throw validationError('The NextToken is invalid.');
}

