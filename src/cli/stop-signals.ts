/**
 * Ctrl-C and SIGTERM for the long-running commands. The first one starts a clean stop; any later one is
 * only acknowledged until the command calls the returned release. Dying half-way through closing a PGlite
 * data directory can leave one that no longer opens, and a second signal is common: a second Ctrl-C, or
 * a process manager that repeats its stop.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** The exit status of a command stopped by a signal, as shells report it (128 + signal number). */
export const STOPPED_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export function onStopSignal(onFirst: (signal: StopSignal) => void, onRepeat: () => void): () => void {
  let received = false;
  const handler = (signal: StopSignal) => {
    if (received) return onRepeat();
    received = true;
    onFirst(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, handler);
  };
}
