/**
 * The kernel's listen queue of a real uWSGI's unix socket (uWSGI itself reports 0/0 for it): `--socket
 * app.sock --listen 10` flooded with connections while its one worker is held, checked against `ss -xl`
 * and shown full in the text summary and sockets table, the dashboard's summary and sockets view, a
 * 'listen-queue-high' event and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawStats, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { ListenFlood, ssQueue, type Listener } from '../support/listen-flood.js';
import { runCli } from '../support/cli-helpers.js';
import { KEY, startHeadless } from '../support/views-support.js';
import { strictParse } from '../support/web-fixtures.js';
import { stopSockDiag } from '../../src/stats/sock-diag.js';

const SOCK: Listener = { kind: 'unix', name: 'app.sock' };
let u: UwsgiProcess;
const flood = new ListenFlood();

beforeAll(async () => {
  u = await flood.start([SOCK]);
}, 60_000);
afterAll(() => flood.close());

describe('a flooded unix socket with --listen 10', () => {
  it('is full everywhere the queue is shown, with the kernel named as the source', async () => {
    const monitor = flood.monitor();
    // A first read with an empty queue, so the crossing is an event.
    await waitFor(() => monitor.latest()?.snapshot !== null && monitor.latest() !== null, 'a first read');
    expect(ssQueue(SOCK)).toEqual([0, 10]);

    const full = await flood.fill(SOCK);
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

    const event = await waitFor(() => monitor.events().find((e) => e.type === 'listen-queue-high'), 'a listen-queue-high event');
    expect(event.message).toBe(`listen queue of app.sock at ${full[0]}/${full[1]} (${Math.round((full[0] / full[1]) * 100)}%, from the kernel)`);

    const relay = await flood.relay();
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

  it('without perl, says that the kernel could not be asked and why, and still reads the instance', async () => {
    stopSockDiag(); // a helper started by the test above would still answer
    const path = process.env.PATH;
    process.env.PATH = tempDir(); // an empty directory: no perl anywhere on PATH
    try {
      const { code, stdout } = await runCli(['--json', u.statsAddress]);
      expect(code).toBe(0);
      const record = JSON.parse(stdout);
      expect(record.os.local).toBe(true);
      expect(record.os.sockets).toBeNull();
      expect(record.os.socketsNote).toBe('kernel listen queues unavailable (needs perl and netlink sock_diag)');
      expect(record.sockets[0]).toMatchObject({ name: expect.stringContaining('app.sock'), queue: 0, maxQueue: 0 });
    } finally {
      process.env.PATH = path;
      stopSockDiag();
    }
  }, 60_000);
});
