/**
 * Hostile input, round two: files that are not what they say, a relay that must not leak what a failed read
 * quoted, recordings that must not destroy. Fake servers and files only for bytes uWSGI never sends.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runServeCli } from '../src/cli/serve-cli.js';
import { collectSources } from '../src/cli/sources.js';
import { startAdversary } from './support/adversary.js';
import { cleanupAll, freePort, tempDir, waitFor } from './support/uwsgi.js';
import { runCli } from './cli-helpers.js';

afterAll(cleanupAll);

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), text: () => chunks.join('') };
}

const SECRET = 'root:*:20228:0:99999:7::';

describe('an ini names only socket addresses', () => {
  it('refuses file:, ws://, http:// and - as an ini stats value, with one line naming the ini', async () => {
    const dir = tempDir();
    const secret = join(dir, 'shadow');
    writeFileSync(secret, `${SECRET}\n`);
    const inis: Record<string, string> = { 'a.ini': `file:${secret}`, 'b.ini': 'ws://127.0.0.1:9/', 'c.ini': 'http://127.0.0.1:9/', 'd.ini': '-', 'e.ini': '127.0.0.1:9191' };
    for (const [name, stats] of Object.entries(inis)) writeFileSync(join(dir, name), `[uwsgi]\nstats = ${stats}\n`);
    const found = await collectSources([], [], [dir]);
    expect(found.addresses).toEqual(['127.0.0.1:9191']);
    for (const name of ['a.ini', 'b.ini', 'c.ini', 'd.ini']) {
      const lines = found.problems.filter((p) => p.startsWith(join(dir, name)));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/is not a socket address|standard input/);
    }
  });

  it("names uWSGI's @(exec://...) and @(file) magic as such, not an abstract socket", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.ini'), '[uwsgi]\nstats = @(exec://cat /etc/hostname)\n');
    writeFileSync(join(dir, 'y.ini'), '[uwsgi]\nstats = @(/etc/uwsgi/stats-address)\n');
    const found = await collectSources(['127.0.0.1:9191'], [], [dir]);
    expect(found.addresses).toEqual(['127.0.0.1:9191']);
    expect(found.problems).toHaveLength(2);
    for (const p of found.problems) expect(p).toContain("uWSGI's @(file) or @(exec://...) magic");
    for (const p of found.problems) expect(p).not.toMatch(/abstract/);
  });
});

describe("a failed read's excerpt stays with the local user", () => {
  it('the relay publishes the error class and byte offset, never the bytes, on /api/snapshot, /ws, /metrics and events', async () => {
    const dir = tempDir();
    // A local service answering a credential where a stats server was expected (bytes uWSGI never sends).
    const fake = await startAdversary({ kind: 'document', body: `${SECRET}\n` }, join(dir, 'cred.sock'));
    const port = await freePort();
    const out = sink();
    const err = sink();
    const controller = new AbortController();
    const done = runServeCli([fake.address, '--listen', `127.0.0.1:${port}`, '--interval', '0.2'], { stdout: out.stream, stderr: err.stream, env: {}, signal: controller.signal });
    try {
      await waitFor(() => out.text().includes(`http://127.0.0.1:${port}/`), 'the relay to start');
      const snapshot = await waitFor(async () => {
        const body = await (await fetch(`http://127.0.0.1:${port}/api/snapshot`)).text();
        return body.includes('invalid JSON at byte') ? body : null;
      }, 'the failure on /api/snapshot');
      expect(snapshot).toContain('invalid JSON at byte 0');
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const hello = await new Promise<string>((ok, fail) => {
        ws.once('message', (data) => ok(String(data)));
        ws.once('error', fail);
      });
      ws.close();
      expect(hello).toContain('invalid JSON at byte 0');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const probe = await (await fetch(`http://127.0.0.1:${port}/probe?target=${encodeURIComponent(fake.address)}`)).text();
      for (const text of [snapshot, hello, metrics, probe]) {
        expect(text).not.toContain('root');
        expect(text).not.toContain('20228');
        expect(text).not.toContain('near');
      }
    } finally {
      controller.abort();
      await done;
      await fake.close();
    }
  });

  it('the CLI user who typed the address sees the excerpt', async () => {
    const dir = tempDir();
    const fake = await startAdversary({ kind: 'document', body: `${SECRET}\n` }, join(dir, 'cred.sock'));
    try {
      const r = await runCli([fake.address, '--once']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('invalid JSON at byte 0');
      expect(r.stderr).toContain(`near "${SECRET}`);
    } finally {
      await fake.close();
    }
  });
});
