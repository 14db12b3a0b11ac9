/** Waiting for the next event of a source that takes listeners, bounded by a timeout and an AbortSignal. */

/** Subscribe a listener to a source; returns the function that unsubscribes it. */
export type Subscribe<T> = (listener: (value: T) => void) => () => void;

export interface NextEventOptions {
  /** How long to wait, ms. */
  timeoutMs: number;
  /** Ends the wait early (an aborted signal ends it at once). */
  signal?: AbortSignal;
}

/**
 * The next value `subscribe` delivers, or null when the timeout or the signal ends the wait first. The
 * listener is subscribed before this returns, so a caller may ask the source for a value right after.
 */
export function nextEvent<T>(subscribe: Subscribe<T>, { timeoutMs, signal }: NextEventOptions): Promise<T | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(null);
      return;
    }
    let unsubscribe = (): void => undefined;
    let settled = false;
    const done = (value: T | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => done(null);
    const timer = setTimeout(onAbort, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = subscribe((value) => done(value));
    // A source that delivers at once called done() before its unsubscribe was known.
    if (settled) unsubscribe();
  });
}
