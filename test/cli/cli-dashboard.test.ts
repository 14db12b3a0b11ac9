/**
 * The default mode on a terminal: main() with terminal-like streams starts the dashboard (not the text
 * report) over a real uWSGI, shows its workers, ends with 0 on `q`; --no-color / NO_COLOR turn colours off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import xtermHeadless from '@xterm/headless';
import { main } from '../../src/cli/main.js';
import { cleanupAll, rawStats, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

const { Terminal } = xtermHeadless as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

let uwsgi: UwsgiProcess;
beforeAll(async () => {
  uwsgi = await startUwsgi({ workers: 2 });
}, 60_000);
afterAll(cleanupAll);

interface Session {
  done: Promise<number>;
  screen(): string;
  raw(): string;
  stderr(): string;
  key(text: string): void;
}

function startDashboard(argv: string[], env: NodeJS.ProcessEnv): Session {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
  const stderr = new PassThrough();
  const term = new Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  let raw = '';
  let err = '';
  output.on('data', (c: Buffer) => {
    raw += c.toString('utf8');
    term.write(c);
  });
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const done = main(argv, { stdin: input, stdout: output, stderr, env });
  return {
    done,
    raw: () => raw,
    stderr: () => err,
    key: (text) => input.write(text),
    screen() {
      const lines: string[] = [];
      const buf = term.buffer.active;
      for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
      return lines.join('\n');
    },
  };
}

describe('dashboard mode', () => {
  it('starts the dashboard on a terminal, shows the worker pids, and q ends it with 0', async () => {
    const raw = await rawStats(uwsgi);
    const s = startDashboard([uwsgi.statsAddress, '--interval', '0.3'], { TERM: 'xterm' });
    await waitFor(() => raw.workers.every((w: any) => s.screen().includes(String(w.pid))), 'the worker pids on screen', 15_000);
    expect(s.screen()).not.toContain('Workers (2)');
    s.key('q');
    expect(await s.done).toBe(0);
    expect(s.stderr()).toBe('');
  }, 30_000);

  it('uses no colour with --no-color or NO_COLOR, and colour otherwise', async () => {
    const sgrColour = /\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;5;\d+)(?:;[0-9;]*)?m/;
    const runs: Array<[string[], NodeJS.ProcessEnv, boolean]> = [
      [[uwsgi.statsAddress], { TERM: 'xterm-256color' }, true],
      [[uwsgi.statsAddress, '--no-color'], { TERM: 'xterm-256color' }, false],
      [[uwsgi.statsAddress], { TERM: 'xterm-256color', NO_COLOR: '1' }, false],
    ];
    for (const [argv, env, coloured] of runs) {
      const s = startDashboard([...argv, '--interval', '0.3'], env);
      await waitFor(() => s.screen().includes(String(uwsgi.pid)), 'the master pid on screen', 15_000);
      await new Promise((r) => setTimeout(r, 700));
      s.key('q');
      expect(await s.done).toBe(0);
      expect(sgrColour.test(s.raw())).toBe(coloured);
    }
  }, 60_000);

  it('prints the text report instead when TERM is dumb, even on a terminal', async () => {
    const s = startDashboard([uwsgi.statsAddress, '--interval', '0.2'], { TERM: 'dumb' });
    expect(await s.done).toBe(0);
    expect(s.stderr()).toContain('printing one report');
    expect(s.raw()).toContain(`master pid ${uwsgi.pid}`);
    expect(s.raw()).toContain('Workers (2)');
  }, 30_000);
});
