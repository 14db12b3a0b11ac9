/** A private tmux server for one test file (its own -L socket name), killed after the file's tests. */
import { execFileSync } from 'node:child_process';
import { afterAll } from 'vitest';

/** Run tmux commands on a server of this file's own; the server is killed in afterAll. */
export function privateTmux(prefix: string): (...args: string[]) => string {
  const server = `${prefix}-${process.pid}-${Date.now().toString(36)}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', server, ...args], { encoding: 'utf8', timeout: 10_000 });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
  });
  return tmux;
}

/** Poll a pane of a private server until `check` holds on its text; a failure shows what the pane showed last. */
export function paneSeen(tmux: (...args: string[]) => string, pane: string): (check: (s: string) => boolean, what: string, timeoutMs?: number) => Promise<string> {
  return async (check, what, timeoutMs = 15_000) => {
    let last = '';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      last = tmux('capture-pane', '-p', '-t', pane);
      if (check(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- screen ---\n${last}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };
}
