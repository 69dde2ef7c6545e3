/**
 * What every Lambda shares: one Powertools logger (structured JSON), the configuration and the Data API
 * client (created once per container, on first use, so a bad variable fails the invocation with a clear
 * message instead of crashing the import), and the middy wrapper.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadConfig, type PipelineConfig } from './config';

export const logger = new Logger({ serviceName: 'sparkify-etl' });

interface Runtime {
  config: PipelineConfig;
  client: RedshiftDataClient;
}

let runtime: Runtime | undefined;

/** Configuration and client, built on the first call and reused by every later invocation. */
export function getRuntime(): Runtime {
  // The endpoint comes from the SDK's own AWS_ENDPOINT_URL_REDSHIFT_DATA when set (the offline emulator).
  runtime ??= { config: loadConfig(), client: new RedshiftDataClient({}) };
  return runtime;
}

/** Wraps a typed handler with middy and the logger's Lambda context; errors are logged, then rethrown. */
export function lambdaHandler<Event, Result>(name: string, run: (event: Event) => Promise<Result>) {
  return middy(async (event: Event, _context: Context): Promise<Result> => {
    try {
      return await run(event);
    } catch (error) {
      logger.error(`${name} failed`, error as Error);
      throw error;
    }
  }).use(injectLambdaContext(logger));
}
