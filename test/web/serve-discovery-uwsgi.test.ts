/**
 * serve uses what discovery finds for a local instance, as the dashboard does: a master FIFO named only on
 * the master's command line (no --fifo) becomes the target's control when --allow-control is on, said by a
 * 'discovered' event; without --allow-control nothing is controllable.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, freePort, rawStats, startUwsgi, waitFor } from '../support/uwsgi.js';
import { startServe, writeTokenFile } from '../support/serve.js';
import { recordingClient } from '../support/web-fixtures.js';

afterAll(cleanupAll);

describe('serve --allow-control with a local instance and no --fifo', () => {
  it("controls it through the master FIFO found on the master's command line, and says where it was found", async () => {
    const uw = await startUwsgi({ workers: 2, fifos: ['master.fifo'] });
    const token = 'serve-discovery-token-abcdefghijkl';
    const port = await freePort();
    const serve = startServe([uw.statsAddress, '--listen', `127.0.0.1:${port}`, '--token-file', writeTokenFile(token), '--allow-control', '--interval', '0.3']);
    try {
      await serve.output(`http://127.0.0.1:${port}/`, 'the relay URL on stdout');
      // An event recorded between polls reaches a client in its hello (live clients get it on reconnect).
      const hello = async () => {
        const c = await recordingClient(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } });
        try {
          return await c.waitFor((m) => m.type === 'hello');
        } finally {
          c.close();
        }
      };
      const event = await waitFor(async () => (await hello()).targets[0].events.find((e: { type: string }) => e.type === 'discovered') ?? null, 'a discovered event');
      expect(event.message).toContain(`master FIFO ${join(uw.dir, 'master.fifo')}`);
      const c = await recordingClient(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } });
      try {
        const before = (await rawStats(uw)).workers.map((w: { pid: number }) => w.pid);
        c.ws.send(JSON.stringify({ v: 2, type: 'command', id: 'd1', target: uw.statsAddress, command: 'reload-workers' }));
        const result = await c.waitFor((m) => m.type === 'command-result', 30_000);
        expect(result.ok).toBe(true);
        const after = await waitFor(async () => {
          const pids = (await rawStats(uw)).workers.map((w: { pid: number }) => w.pid);
          return pids.every((p: number) => p !== 0 && !before.includes(p)) ? pids : null;
        }, 'new worker pids after reload-workers');
        expect(after).toHaveLength(2);
      } finally {
        c.close();
      }
      expect(serve.err.text()).not.toContain('no target can be controlled');
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 60_000);
});
