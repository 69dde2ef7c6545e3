/**
 * Loads the real Lambda handlers (functions/*) against a test emulator, the way the offline runner does:
 * configuration in the environment first, then a fresh import, so each emulator gets handlers (and a
 * module-scope client) of its own.
 */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { Context } from 'aws-lambda';
import type * as LambdaModule from '../../../src/pipeline/lambda';
import { OFFLINE_ENV } from './pipeline-sql';

type Handler = (event: unknown, context: Context) => Promise<any>;

/** The functions of serverless.yml, one handler module each. */
export const FUNCTION_KEYS = [
  'planRun', 'createTables', 'stageSongs', 'stageEvents', 'checkLoad', 'reviewLoad', 'publishLoad', 'countRows', 'cleanUp', 'pollStatement', 'reportResults',
  'ensureWarehouse', 'pauseWarehouse', 'compactSongs',
] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

export type Handlers = Record<FunctionKey, Handler> & {
  /** The module-scope Data API client the handlers share, for faults injected at the SDK boundary. */
  client(): RedshiftDataClient;
};

export function setHandlerEnvironment(endpoint: string, overrides: Record<string, string> = {}): void {
  Object.assign(process.env, OFFLINE_ENV, {
    AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint,
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'offline',
    AWS_SECRET_ACCESS_KEY: 'offline',
    AWS_MAX_ATTEMPTS: '1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  }, overrides);
}

export async function loadHandlers(): Promise<Handlers> {
  const loaded: Partial<Record<FunctionKey, Handler>> = {};
  let lambda: typeof LambdaModule | undefined;
  // require inside isolateModules: a fresh module registry, as in a new Lambda container.
  jest.isolateModules(() => {
    for (const key of FUNCTION_KEYS) loaded[key] = require(`../../../functions/${key}`).handler;
    lambda = require('../../../src/pipeline/lambda');
  });
  return { ...(loaded as Record<FunctionKey, Handler>), client: () => lambda!.getRuntime().client };
}

/** A Lambda context as the runtime passes it; the logger reads these fields. */
export const testContext = {
  functionName: 'sparkify-etl-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:sparkify-etl-test',
  memoryLimitInMB: '256',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/sparkify-etl-test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;
