/**
 * The kernel's listen queue of a real uWSGI's unix socket (uWSGI itself reports 0/0 for it): `--socket
 * app.sock --listen 10` flooded with connections while its one worker is held, checked against `ss -xl`
 * and shown full in the text summary and sockets table, the dashboard's summary and sockets view, a
 * 'listen-queue-high' event and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cleanupAll, rawStats, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { runCli } from '../support/cli-helpers.js';
import { parseAddress } from '../../src/stats/address.js';
import { directTarget } from '../../src/cli/targets.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { stopSockDiag } from '../../src/stats/sock-diag.js';
import { KEY, startHeadless } from '../support/views-support.js';
import { strictParse } from '../support/web-fixtures.js';

let u: UwsgiProcess;
const clients: net.Socket[] = [];
let monitor: ControllableMonitor | undefined;
let relay: Relay | undefined;

beforeAll(async () => {
  // One worker held by the first connection (it waits for a request that never comes), ten more waiting.
  u = await startUwsgi({ http: false, app: true, workers: 1, args: ['--socket', 'app.sock', '--listen', '10', '--socket-timeout', '60'] });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  monitor?.stop();
  await relay?.close();
  stopSockDiag();
  await cleanupAll();
});

/** Recv-Q and Send-Q of the listening socket, as `ss -xl` reads them: the independent witness. */
function ss(): [number, number] | null {
  const line = execFileSync('ss', ['-xlH'], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.split(/\s+/).includes('app.sock'));
  if (line === undefined) return null;
  const f = line.trim().split(/\s+/);
  return [Number(f[2]), Number(f[3])];
}

describe('a flooded unix socket with --listen 10', () => {
  it('is full everywhere the queue is shown, with the kernel named as the source', async () => {
    const target = directTarget(parseAddress(u.statsAddress), new PassThrough(), { timeoutMs: 3000, maxBytes: 1 << 24 });
    monitor = createMonitor(u.statsAddress, (signal) => target.fetch(signal), { intervalMs: 300 });
    // A first read with an empty queue, so the crossing is an event.
    await waitFor(() => monitor!.latest()?.snapshot !== null && monitor!.latest() !== null, 'a first read');
    expect(ss()).toEqual([0, 10]);

    for (let i = 0; i < 30; i++) {
      const c = net.connect(join(u.dir, 'app.sock'));
      c.on('error', () => undefined);
      clients.push(c);
    }
    const full = await waitFor(() => {
      const q = ss();
      return q !== null && q[0] >= 10 ? q : null;
    }, 'the kernel queue to fill');
    // What uWSGI itself says about this socket: nothing.
    const doc = await rawStats(u);
    expect(doc.sockets[0].queue).toBe(0);
    expect(doc.sockets[0].max_queue).toBe(0);

    const { stdout } = await runCli(['--once', '-i', '0.2', u.statsAddress]);
    expect(stdout).toContain(`listen queue ${full[0]}/${full[1]} (kernel)`);
    expect(stdout).toMatch(new RegExp(`app\\.sock\\s+uwsgi\\s+${full[0]}/${full[1]}\\s+no\\s+no\\s+kernel`));

    const { stdout: json } = await runCli(['--json', u.statsAddress]);
    const record = JSON.parse(json);
    expect(record.sockets[0]).toMatchObject({ queue: 0, maxQueue: 0, kernelQueue: full[0], kernelMaxQueue: full[1] });

    const event = await waitFor(() => monitor!.events().find((e) => e.type === 'listen-queue-high'), 'a listen-queue-high event');
    expect(event.message).toBe(`listen queue of app.sock at ${full[0]}/${full[1]} (${Math.round((full[0] / full[1]) * 100)}%, from the kernel)`);

    relay = await startRelay([monitor], { port: 0 });
    const exp = strictParse(await (await fetch(`http://127.0.0.1:${relay.port}/metrics`)).text());
    const value = (name: string): number | undefined => exp.samples.find((s) => s.name === name && s.labels['name'] === 'app.sock')?.value;
    expect(value('uwsgi_socket_kernel_queue_length')).toBe(full[0]);
    expect(value('uwsgi_socket_kernel_max_queue_length')).toBe(full[1]);
    // uWSGI's own series stay what uWSGI said (uwsgi_exporter's meaning).
    expect(value('uwsgi_socket_queue_length')).toBe(0);

    const h = await startHeadless([monitor], { cols: 80, rows: 24 });
    try {
      expect(h.screenText()).toContain(`listen queue ${full[0]}/${full[1]} kernel`);
      await h.keys('5');
      const row = h.text().find((l) => l.includes('app.sock'));
      expect(row).toMatch(new RegExp(`${full[0]}/${full[1]}.*kernel`));
    } finally {
      await h.close();
    }
  }, 60_000);
});
