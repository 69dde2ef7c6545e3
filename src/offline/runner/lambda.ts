/**
 * In-process Lambda invocation: the handler module is imported as Lambda would load it, called with the
 * event and a minimal context, and a thrown error is turned into what Step Functions sees from Lambda:
 * Error = the error's name (errorType), Cause = the JSON {errorType, errorMessage, trace}.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The error a Task state fails with when its Lambda throws. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

export async function loadHandler(modulePath: string, exportName: string): Promise<LambdaHandler> {
  const loaded = (await import(modulePath)) as Record<string, unknown>;
  const handler = loaded[exportName];
  if (typeof handler !== 'function') throw new Error(`${modulePath} does not export a function named ${exportName}`);
  return handler as LambdaHandler;
}

const TIMEOUT_MS = 15 * 60 * 1000;

/** The ARN a function has offline: in the definition's Task states (the interpreter validates ARNs) and in its context. */
export function offlineLambdaArn(functionName: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`;
}

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + TIMEOUT_MS;
  const unsupported = () => {
    throw new Error('The callback-style context methods are not supported offline; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: offlineLambdaArn(functionName),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'offline',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export async function invokeLambda(handler: LambdaHandler, functionName: string, event: unknown): Promise<unknown> {
  try {
    // A JSON round trip, as over the wire: the handler gets a copy and must return plain JSON.
    const result = await handler(JSON.parse(JSON.stringify(event ?? null)), lambdaContext(functionName));
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const cause = { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
    throw new LambdaFunctionError(err.name, JSON.stringify(cause));
  }
}
