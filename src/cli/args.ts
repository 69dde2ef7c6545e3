/** Flag parsing shared by the commands: node:util parseArgs, strict, with errors a person can act on. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import type { EngineKind } from '../offline/engines';
import { startManagedPostgres } from '../offline/engines/embedded-postgres';

/** A mistake in how the command was called; main prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(command: string, args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`sparkify ${command}: ${(error as Error).message}`);
  }
}

export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return Number(value);
}

/** The parsed values of ENGINE_OPTIONS. */
export type EngineFlagValues = { engine?: string; 'database-url'?: string; 'data-dir'?: string };

/** --engine, --database-url and --data-dir, checked together. */
export function engineFlags(values: EngineFlagValues, defaultDataDir: string) {
  const engine = values.engine ?? 'pglite';
  if (engine === 'embedded') {
    throw new UsageError('--engine embedded is for sparkify run and sparkify emulator; while one of them runs, use --engine postgres --database-url with the URL it printed');
  }
  if (engine !== 'pglite' && engine !== 'postgres') throw new UsageError(`--engine must be pglite or postgres, got ${JSON.stringify(engine)}`);
  if (engine === 'postgres' && !values['database-url']) throw new UsageError('--engine postgres needs --database-url postgres://user:password@host:port/database');
  if (engine === 'pglite' && values['database-url']) throw new UsageError('--database-url applies to --engine postgres only');
  if (engine === 'postgres' && values['data-dir']) throw new UsageError('--data-dir applies to --engine pglite or embedded only; the server keeps its own data');
  return {
    engine: engine as EngineKind,
    databaseUrl: values['database-url'],
    warehouseDir: engine === 'pglite' ? (values['data-dir'] ?? defaultDataDir) : undefined,
  };
}

export const ENGINE_OPTIONS = {
  engine: { type: 'string' },
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export const ENGINE_HELP = `  --engine pglite|postgres  warehouse engine (default pglite: embedded, nothing to install)
  --database-url URL        PostgreSQL server for --engine postgres
  --data-dir DIR            PGlite data directory (default .sparkify/warehouse)`;

export const EMBEDDED_ENGINE_HELP = `  --engine embedded         a PostgreSQL server run by sparkify (no installation, no Docker), data and
                            generated credentials in --data-dir (default .sparkify/postgres); prints
                            the URL psql or DBeaver opens, on 127.0.0.1`;

/** The warehouse engine the flags ask for; for --engine embedded, the server it starts (stop it after the warehouse). */
export interface ChosenEngine {
  engine: EngineKind;
  databaseUrl?: string;
  warehouseDir?: string;
  /** What the engine is, for messages: "pglite, DIR", "embedded PostgreSQL, URL", … */
  description: string;
  /** The URL a PostgreSQL client opens, for --engine embedded. */
  clientUrl?: string;
  stop(): Promise<void>;
}

/** engineFlags, plus --engine embedded for the commands that run a warehouse: run and emulator. */
export async function chooseEngine(values: EngineFlagValues, workspaceRoot: string, log: (line: string) => void): Promise<ChosenEngine> {
  if (values.engine !== 'embedded') {
    const flags = engineFlags(values, path.join(workspaceRoot, 'warehouse'));
    return { ...flags, description: `${flags.engine}${flags.warehouseDir ? `, ${flags.warehouseDir}` : ''}`, stop: async () => undefined };
  }
  if (values['database-url']) throw new UsageError('--database-url applies to --engine postgres only; --engine embedded runs its own server');
  const server = await startManagedPostgres(values['data-dir'] ?? path.join(workspaceRoot, 'postgres'), log);
  return {
    engine: 'postgres',
    databaseUrl: server.url,
    description: `embedded PostgreSQL${server.started ? '' : ' already running'}, ${server.url.replace(/:[^:@/]*@/, ':***@')}`,
    clientUrl: server.url,
    stop: () => server.stop(),
  };
}
