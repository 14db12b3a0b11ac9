/**
 * `uwsgitop-ts serve` run in this process as the main CLI runs it (runServeCli), its output kept, stopped by
 * the AbortSignal a user's Ctrl-C becomes; and the token file it reads.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runServeCli } from '../../src/cli/serve-cli.js';
import { tempDir, waitFor } from './uwsgi.js';

/** A writable stream that keeps what is written to it. */
export interface Sink {
  stream: Writable;
  text(): string;
}

/** A new sink. */
export function sink(): Sink {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), text: () => chunks.join('') };
}

/** A file holding `token` in a new temp directory, mode 0600 as --token-file requires; its path. */
export function writeTokenFile(token: string, name = 'token'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, token + '\n');
  chmodSync(path, 0o600);
  return path;
}

/** A serve running until stop(). */
export interface ServeRun {
  out: Sink;
  err: Sink;
  /** Wait until stdout shows `text` (`what` names it when the wait times out). */
  output(text: string, what: string): Promise<void>;
  /** Abort it as a signal would; resolves with its exit code. */
  stop(): Promise<number>;
}

/** Start `serve argv` (no environment). */
export function startServe(argv: readonly string[]): ServeRun {
  const out = sink();
  const err = sink();
  const controller = new AbortController();
  const done = runServeCli([...argv], { stdout: out.stream, stderr: err.stream, env: {}, signal: controller.signal });
  return {
    out,
    err,
    output: async (text, what) => {
      await waitFor(() => out.text().includes(text), what);
    },
    stop: () => {
      controller.abort();
      return done;
    },
  };
}
