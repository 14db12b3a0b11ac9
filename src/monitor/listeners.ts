/** The one set of listeners every monitor uses, with the one error policy: every listener runs; the first error is reported once. */

/** How a listener's error leaves the set: by default thrown again on a microtask, outside the caller's loop. */
export type ErrorReport = (error: unknown) => void;

/** Throw `error` again once the current call stack is done, so the caller (a poll loop, a replay step) keeps its state. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Listeners of values of type T; one listener's bug cannot keep a value from the others. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  constructor(private readonly report: ErrorReport = rethrowLater) {}

  /** Add `listener`; the returned function removes it. */
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => void this.set.delete(listener);
  }

  /** Call every listener with `value` (a copy of the set, so a listener may unsubscribe); the first error is reported once. */
  emit(value: T): void {
    let error: unknown;
    let failed = false;
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (err) {
        if (!failed) error = err;
        failed = true;
      }
    }
    if (failed) this.report(error);
  }

  /** Drop every listener. */
  clear(): void {
    this.set.clear();
  }

  /** How many listeners are subscribed. */
  get size(): number {
    return this.set.size;
  }
}
