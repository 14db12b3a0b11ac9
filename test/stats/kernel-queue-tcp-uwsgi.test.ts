/**
 * The kernel's listen queue of a real uWSGI's IPv6 TCP socket: uWSGI reads TCP_INFO for IPv4 listeners only
 * and reports 0/0 for `--socket [::1]:PORT`, so the figure is read the way `ss -ltn` reads it (inet_diag),
 * checked against `ss` and shown full, marked as the kernel's, in the summary, the sockets table, JSON and
 * /metrics. An IPv4 listener keeps uWSGI's own figure (the kernel is not asked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { cleanupAll, freePort, rawStats, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { runCli } from '../support/cli-helpers.js';
import { parseAddress } from '../../src/stats/address.js';
import { directTarget } from '../../src/cli/targets.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { kernelQueues, stopSockDiag } from '../../src/stats/sock-diag.js';
import { startHeadless } from '../support/views-support.js';
import { strictParse } from '../support/web-fixtures.js';

let u: UwsgiProcess;
let port: number;
let port4: number;
const clients: net.Socket[] = [];
let monitor: ControllableMonitor | undefined;
let relay: Relay | undefined;

beforeAll(async () => {
  port = await freePort();
  port4 = await freePort();
  // One worker held by the first connection (it waits for a request that never comes), ten more waiting.
  u = await startUwsgi({ http: false, app: true, workers: 1, args: ['--socket', `[::1]:${port}`, '--socket', `127.0.0.1:${port4}`, '--listen', '10', '--socket-timeout', '60'] });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  monitor?.stop();
  await relay?.close();
  stopSockDiag();
  await cleanupAll();
});

/** Recv-Q and Send-Q of the listener on [::1]:port, as `ss -ltn` reads them: the independent witness. */
function ss(): [number, number] | null {
  const line = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.split(/\s+/).includes(`[::1]:${port}`));
  if (line === undefined) return null;
  const f = line.trim().split(/\s+/);
  return [Number(f[1]), Number(f[2])];
}

describe('a flooded IPv6 TCP socket with --listen 10', () => {
  it('is full everywhere the queue is shown, with the kernel named as the source', async () => {
    const name = `[::1]:${port}`;
    const target = directTarget(parseAddress(u.statsAddress), new PassThrough(), { timeoutMs: 3000, maxBytes: 1 << 24 });
    monitor = createMonitor(u.statsAddress, (signal) => target.fetch(signal), { intervalMs: 300 });
    await waitFor(() => monitor!.latest()?.snapshot ?? null, 'a first read');
    expect(ss()).toEqual([0, 10]);
    // uWSGI fills an IPv4 listener's figures on its master's next cycle (about a second after the start).
    const ipv4 = async () => (await rawStats(u)).sockets.find((s: { name: string }) => s.name === `127.0.0.1:${port4}`);
    await waitFor(async () => ((await ipv4()).max_queue === 10 ? true : null), "uWSGI's own figures for the IPv4 listener");

    for (let i = 0; i < 30; i++) {
      const c = net.connect({ host: '::1', port });
      c.on('error', () => undefined);
      clients.push(c);
    }
    const full = await waitFor(() => {
      const q = ss();
      return q !== null && q[0] >= 10 ? q : null;
    }, 'the kernel queue to fill');
    // What uWSGI itself says about this socket: nothing; about the IPv4 one, its own figures.
    const doc = await rawStats(u);
    const v6 = doc.sockets.find((s: { name: string }) => s.name === name);
    expect([v6.queue, v6.max_queue]).toEqual([0, 0]);

    const { stdout } = await runCli(['--once', '-i', '0.2', u.statsAddress]);
    // The fullest socket against its own capacity, named (the instance has two).
    expect(stdout).toContain(`listen queue ${full[0]}/${full[1]} on [::1]:${port} (kernel)`);
    expect(stdout).toMatch(new RegExp(`\\[::1\\]:${port}\\s+uwsgi\\s+${full[0]}/${full[1]}\\s+no\\s+no\\s+kernel`));

    const { stdout: json } = await runCli(['--json', u.statsAddress]);
    const record = JSON.parse(json);
    const sockets = record.sockets as Array<{ name: string; kernelQueue: number | null }>;
    expect(sockets.find((s) => s.name === name)).toMatchObject({ queue: 0, maxQueue: 0, kernelQueue: full[0], kernelMaxQueue: full[1] });
    expect(sockets.find((s) => s.name === `127.0.0.1:${port4}`)).toMatchObject({ maxQueue: 10, kernelQueue: null });

    relay = await startRelay([monitor], { port: 0 });
    const exp = strictParse(await (await fetch(`http://127.0.0.1:${relay.port}/metrics`)).text());
    const value = (metric: string): number | undefined => exp.samples.find((s) => s.name === metric && s.labels['name'] === name)?.value;
    await waitFor(() => (monitor!.latest()?.snapshot?.kind === 'instance' ? true : null), 'a read');
    expect(value('uwsgi_socket_kernel_queue_length')).toBe(full[0]);
    expect(value('uwsgi_socket_kernel_max_queue_length')).toBe(full[1]);

    const h = await startHeadless([monitor], { cols: 80, rows: 24 });
    try {
      // The same figure as --once: the full socket against its own 10, not against both listeners' 20.
      expect(h.screenText()).toMatch(new RegExp(`listen queue ${full[0]}/${full[1]}[^\\n]*kernel`));
      expect(h.screenText()).not.toContain(`/${full[1] + 10}`);
      await h.keys('5');
      const row = h.text().find((l) => l.includes(`[::1]:${port}`));
      expect(row).toMatch(new RegExp(`${full[0]}/${full[1]}.*kernel`));
    } finally {
      await h.close();
    }
  }, 60_000);

  it('asks the kernel about a TCP listener only where uWSGI gave no figures, and only one the master holds', async () => {
    const base = { proto: 'uwsgi', shared: false, canOffload: false };
    const q = await kernelQueues(
      [
        { ...base, name: `127.0.0.1:${port4}`, queue: 0, maxQueue: 10 },
        { ...base, name: `[::1]:${port}`, queue: 0, maxQueue: 0 },
      ],
      u.pid,
    );
    expect(q?.[0]).toBeNull();
    expect(q?.[1]?.maxQueue).toBe(10);
    // The same listener is not this process's: not proven, not shown.
    expect(await kernelQueues([{ ...base, name: `[::1]:${port}`, queue: 0, maxQueue: 0 }], process.pid)).toEqual([null]);
  });
});
