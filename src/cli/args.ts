/** Flag parsing shared by the commands: node:util parseArgs, strict, with errors a person can act on. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { EngineKind } from '../offline/engines';

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
  if (engine !== 'pglite' && engine !== 'postgres') throw new UsageError(`--engine must be pglite or postgres, got ${JSON.stringify(engine)}`);
  if (engine === 'postgres' && !values['database-url']) throw new UsageError('--engine postgres needs --database-url postgres://user:password@host:port/database');
  if (engine === 'pglite' && values['database-url']) throw new UsageError('--database-url applies to --engine postgres only');
  if (engine === 'postgres' && values['data-dir']) throw new UsageError('--data-dir applies to --engine pglite only; the server keeps its own data');
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
