/**
 * Loading the optional parts (dashboard, FIFO control, ini files, subcommands) at run time, so a missing or
 * broken part only disables its own feature: the one-shot and JSON outputs keep working.
 */

/** Import `specifier` (relative to this folder) and return its export `name` as a function, or throw a plain Error. */
export async function loadFunction<T extends (...args: never[]) => unknown>(specifier: string, name: string, feature: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    // A computed specifier keeps the type checker from requiring the module to exist at build time.
    const url = new URL(specifier, import.meta.url).href;
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`${feature} is not available in this build (${why})`);
  }
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`${feature} is not available in this build (${specifier} has no ${name})`);
  return fn as T;
}
