/** Ending long-running modes cleanly on SIGINT/SIGTERM: handlers live only while the mode runs. */

/** Abort `controller` on SIGINT or SIGTERM until the returned function is called (which removes the handlers). */
export function abortOnSignals(controller: AbortController): () => void {
  const handler = (): void => controller.abort(new Error('interrupted'));
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/** Resolve after `ms`, or early (false) when `signal` aborts; true when the full time passed. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
