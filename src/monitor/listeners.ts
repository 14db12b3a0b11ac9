/** Calling a set of listeners so that one listener's bug cannot keep a value from the others. */

/** Call every listener with `value`, even when one throws; says whether one threw, and the first error. */
export function callEach<T>(listeners: ReadonlySet<(value: T) => void>, value: T): { failed: boolean; error: unknown } {
  let error: unknown;
  let failed = false;
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch (err) {
      if (!failed) error = err;
      failed = true;
    }
  }
  return { failed, error };
}
