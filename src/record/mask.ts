/** Secrets out of a raw stats document before it is recorded: each core's `vars` entry masked by the shared rule (src/stats/secrets.ts). */
import { maskVariable } from '../stats/secrets.js';

type Raw = Record<string, unknown>;

function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function maskVars(vars: unknown[]): unknown[] | null {
  let out: unknown[] | null = null;
  for (let i = 0; i < vars.length; i++) {
    const entry = vars[i];
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    const shown = maskVariable(key, value);
    if (shown !== value) {
      out ??= vars.slice();
      out[i] = `${key}=${shown}`;
    }
  }
  return out;
}

function maskCores(cores: unknown[]): unknown[] | null {
  let out: unknown[] | null = null;
  for (let i = 0; i < cores.length; i++) {
    const core = cores[i];
    if (!isRaw(core) || !Array.isArray(core.vars) || core.vars.length === 0) continue;
    const vars = maskVars(core.vars);
    if (vars !== null) {
      out ??= cores.slice();
      out[i] = { ...core, vars };
    }
  }
  return out;
}

/** The document with every credential in a request variable masked; the same object when none was found (never changed in place). */
export function maskRawDocument(doc: unknown): unknown {
  if (!isRaw(doc) || !Array.isArray(doc.workers)) return doc;
  let workers: unknown[] | null = null;
  for (let i = 0; i < doc.workers.length; i++) {
    const w = doc.workers[i];
    if (!isRaw(w) || !Array.isArray(w.cores)) continue;
    const cores = maskCores(w.cores);
    if (cores !== null) {
      workers ??= doc.workers.slice();
      workers[i] = { ...w, cores };
    }
  }
  return workers === null ? doc : { ...doc, workers };
}
