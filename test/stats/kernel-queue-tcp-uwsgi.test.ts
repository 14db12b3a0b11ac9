/**
 * The kernel's listen queue of a real uWSGI's IPv6 TCP socket: uWSGI reads TCP_INFO for IPv4 listeners only
 * and reports 0/0 for `--socket [::1]:PORT`, so the figure is read the way `ss -ltn` reads it (inet_diag),
 * checked against `ss` and shown full, marked as the kernel's, in the summary, the sockets table, JSON and
 * /metrics. An IPv4 listener keeps uWSGI's own figure (the kernel is not asked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, rawStats, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { ListenFlood, ssQueue, type Listener } from '../support/listen-flood.js';
import { runCli } from '../support/cli-helpers.js';
import { kernelQueues } from '../../src/stats/sock-diag.js';
import { startHeadless } from '../support/views-support.js';
import { strictParse } from '../support/web-fixtures.js';

let u: UwsgiProcess;
let port: number;
let port4: number;
let v6: Listener;
const flood = new ListenFlood();

beforeAll(async () => {
  port = await freePort();
  port4 = await freePort();
  v6 = { kind: 'tcp', host: '::1', port };
  u = await flood.start([v6, { kind: 'tcp', host: '127.0.0.1', port: port4 }]);
}, 60_000);
afterAll(() => flood.close());

describe('a flooded IPv6 TCP socket with --listen 10', () => {
  it('is full everywhere the queue is shown, with the kernel named as the source', async () => {
    const name = `[::1]:${port}`;
    const monitor = flood.monitor();
    await waitFor(() => monitor.latest()?.snapshot ?? null, 'a first read');
    expect(ssQueue(v6)).toEqual([0, 10]);
    // uWSGI fills an IPv4 listener's figures on its master's next cycle (about a second after the start).
    const ipv4 = async () => (await rawStats(u)).sockets.find((s: { name: string }) => s.name === `127.0.0.1:${port4}`);
    await waitFor(async () => ((await ipv4()).max_queue === 10 ? true : null), "uWSGI's own figures for the IPv4 listener");

    const full = await flood.fill(v6);
    // What uWSGI itself says about this socket: nothing; about the IPv4 one, its own figures.
    const doc = await rawStats(u);
    const own = doc.sockets.find((s: { name: string }) => s.name === name);
    expect([own.queue, own.max_queue]).toEqual([0, 0]);

    const { stdout } = await runCli(['--once', '-i', '0.2', u.statsAddress]);
    // The fullest socket against its own capacity, named (the instance has two).
    expect(stdout).toContain(`listen queue ${full[0]}/${full[1]} on [::1]:${port} (kernel)`);
    expect(stdout).toMatch(new RegExp(`\\[::1\\]:${port}\\s+uwsgi\\s+${full[0]}/${full[1]}\\s+no\\s+no\\s+kernel`));

    const { stdout: json } = await runCli(['--json', u.statsAddress]);
    const record = JSON.parse(json);
    const sockets = record.sockets as Array<{ name: string; kernelQueue: number | null }>;
    expect(sockets.find((s) => s.name === name)).toMatchObject({ queue: 0, maxQueue: 0, kernelQueue: full[0], kernelMaxQueue: full[1] });
    expect(sockets.find((s) => s.name === `127.0.0.1:${port4}`)).toMatchObject({ maxQueue: 10, kernelQueue: null });

    const relay = await flood.relay();
    const exp = strictParse(await (await fetch(`http://127.0.0.1:${relay.port}/metrics`)).text());
    const value = (metric: string): number | undefined => exp.samples.find((s) => s.name === metric && s.labels['name'] === name)?.value;
    await waitFor(() => (monitor.latest()?.snapshot?.kind === 'instance' ? true : null), 'a read');
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
