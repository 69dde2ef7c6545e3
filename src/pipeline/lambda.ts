/**
 * What every Lambda shares: one Powertools logger (structured JSON), the configuration and the Data API
 * client (created once per container, on first use, so a bad variable fails the invocation with a clear
 * message instead of crashing the import), and the middy wrapper.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadConfig, type PipelineConfig } from './config';
import type { WarehouseClients } from '../redshift/warehouse';

/**
 * Prints every log line to stderr. Offline the handlers run inside the `sparkify` process, whose stdout
 * carries its results (the summary, `--json`); on AWS, CloudWatch reads both streams.
 */
class StderrLogger extends Logger {
  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    process.stderr.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }
}

/** Set by the offline runner. */
const LOGS_TO_STDERR = process.env.SPARKIFY_LOGS_TO_STDERR === 'true';

export const logger = LOGS_TO_STDERR ? new StderrLogger({ serviceName: 'sparkify-etl' }) : new Logger({ serviceName: 'sparkify-etl' });

interface Runtime {
  config: PipelineConfig;
  client: RedshiftDataClient;
  /** The control planes, for the Lambdas that check, resume and pause the warehouse. */
  warehouse: WarehouseClients;
}

let runtime: Runtime | undefined;

/** Configuration and clients, built on the first call and reused by every later invocation. */
export function getRuntime(): Runtime {
  // Endpoints come from the SDK's own AWS_ENDPOINT_URL_REDSHIFT_DATA, …_REDSHIFT and …_REDSHIFT_SERVERLESS
  // when set (the offline emulator answers all three).
  runtime ??= {
    config: loadConfig(),
    client: new RedshiftDataClient({}),
    warehouse: { redshift: new RedshiftClient({}), serverless: new RedshiftServerlessClient({}) },
  };
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
