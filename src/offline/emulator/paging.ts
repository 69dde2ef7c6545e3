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

/** The page of `items` that starts at `offset`, and the token for the next one while items remain. */
export function pageOf<T>(items: readonly T[], offset: number, pageSize: number, scope: string): { page: T[]; nextToken?: string } {
  const page = items.slice(offset, offset + pageSize);
  const next = offset + page.length;
  return { page, nextToken: next < items.length ? makeNextToken(scope, next) : undefined };
}
