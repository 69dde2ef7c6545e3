import type { LoadErrorRow } from './load-errors';

/**
 * A COPY that fails as a whole. The message is Redshift's text without "ERROR: "; `loadErrors` holds the
 * rejected records (empty when the COPY failed before reading data), which the emulator records even
 * though the COPY's transaction rolls back.
 */
export class CopyFailedError extends Error {
  constructor(
    message: string,
    readonly loadErrors: LoadErrorRow[] = [],
  ) {
    super(message);
    this.name = 'CopyFailedError';
  }
}
