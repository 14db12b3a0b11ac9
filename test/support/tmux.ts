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
