/**
 * A local Redshift Data API: start it in-process and point any Data API client at `endpoint`.
 */
import type { AddressInfo } from 'node:net';
import { ensureLoadErrorTables } from '../copy';
import { createEngine, withEngineSession, type EngineKind } from '../engines';
import { FolderObjectStore } from '../s3/object-store';
import { Metadata } from './metadata';
import { DataApi } from './operations';
import { createDataApiServer } from './server';
import { StatementRunner } from './statements';

export interface EmulatorOptions {
  /** 'pglite' (default): embedded, nothing to install; 'postgres': a server at `databaseUrl`. */
  engine?: EngineKind;
  databaseUrl?: string;
  /** pglite: keep the warehouse in this directory between runs (in memory without it). */
  dataDir?: string;
  /** The folder standing for S3: its first-level folders are buckets. */
  s3Root?: string;
  /** Buckets mounted from any folder, by bucket name. */
  buckets?: Record<string, string>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The one database the warehouse serves; default 'dev', Redshift's default. */
  database?: string;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:4567 */
  endpoint: string;
  port: number;
  /** Cancels what still runs, waits for it to end, closes the server and the engine. */
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const database = options.database ?? 'dev';
  const host = options.host ?? '127.0.0.1';
  const engine = await createEngine({ kind: options.engine ?? 'pglite', databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await withEngineSession(engine, ensureLoadErrorTables);
    const objectStore = new FolderObjectStore({ root: options.s3Root, buckets: options.buckets });
    const api = new DataApi(new StatementRunner(engine, objectStore, database), new Metadata(engine, database), database);
    const server = createDataApiServer(api.operations);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return {
      endpoint: `http://${urlHost}:${port}`,
      port,
      async stop() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await api.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
