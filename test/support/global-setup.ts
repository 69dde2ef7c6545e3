import { startTestPostgresServer, type TestPostgresServer } from './postgres-server';
import { SAMPLE_PRESENT, SKIPPED } from './sample';
import { TEST_DATABASE_URL_VARIABLE } from './test-database-url';

declare global {
  // Handed from global setup to global teardown; both run in jest's parent process.
  var sparkifyTestPostgresServer: TestPostgresServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (!SAMPLE_PRESENT) console.warn(`\nThe tests that need the real sample are ${SKIPPED} (README: "The real data").`);
  const server = await startTestPostgresServer();
  globalThis.sparkifyTestPostgresServer = server;
  // Test workers inherit the parent's environment.
  process.env[TEST_DATABASE_URL_VARIABLE] = server.url;
  // The SDK's notice that Node 20 support ends in 2027 would repeat in every suite (the CLI silences it too).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
