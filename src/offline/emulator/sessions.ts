/**
 * Data API sessions (SessionKeepAliveSeconds / SessionId): one engine session kept between calls, so
 * temp tables and settings survive from one statement to the next. Statements in a session run one
 * at a time; the session ends when it has been idle for its keep-alive time.
 */
import { randomUUID } from 'node:crypto';
import type { Engine, EngineSession } from '../engines';
import type { SubmissionContext } from './statements';

export class DataSession {
  readonly id = randomUUID();
  /** True while one of its statements is submitted or running. */
  busy = false;
  private engineSession?: EngineSession;
  private expiry?: NodeJS.Timeout;
  private ended = false;

  constructor(
    /** Where the session's statements run: fixed by the call that opened it. */
    readonly context: Omit<SubmissionContext, 'parameters' | 'statementName' | 'executionMode'>,
    private readonly keepAliveSeconds: number,
    private readonly onEnd: (session: DataSession) => void,
  ) {}

  get isOpen(): boolean {
    return !this.ended;
  }

  /** The engine session, opened on first use (on PGlite this takes the one connection until the session ends). */
  async engineSessionFrom(engine: Engine): Promise<EngineSession> {
    clearTimeout(this.expiry);
    this.engineSession ??= await engine.openSession();
    return this.engineSession;
  }

  /** The engine session it holds, if it has opened one and has not ended. */
  get heldEngineSession(): EngineSession | undefined {
    return this.ended ? undefined : this.engineSession;
  }

  /** A statement of the session has ended: the keep-alive clock starts again. */
  idle(): void {
    this.busy = false;
    clearTimeout(this.expiry);
    if (this.ended) return;
    this.expiry = setTimeout(() => void this.end(), this.keepAliveSeconds * 1000);
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.expiry);
    this.onEnd(this);
    await this.engineSession?.release();
  }
}
