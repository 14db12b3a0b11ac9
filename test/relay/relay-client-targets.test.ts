/**
 * The relay client (`uwsgitop-ts ws://HOST:PORT`) when the relay comes back with other targets: a relay is
 * stopped and another started on the same port serving one target less and one more. The target that went
 * must show down saying the relay no longer serves it; the new one must be reported (event + log line), and
 * handed over as a working monitor to a caller that asks for new targets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { connectRelay, type RemoteTargetMonitor } from '../../src/relay/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { FakeMonitor, bigInstanceSnapshot } from '../support/web-fixtures.js';

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
const relays: Relay[] = [];
const remotes: RemoteTargetMonitor[] = [];

beforeAll(async () => {
  uw = await startUwsgi({ workers: 2 });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 250 });
  await waitFor(() => monitor.latest()?.state.state === 'live', 'the local monitor live');
}, 60000);

afterAll(async () => {
  for (const r of remotes) r.stop();
  for (const r of relays) await r.close().catch(() => undefined);
  monitor?.stop();
  await cleanupAll();
});

describe('relay client when the relay restarts with other targets', () => {
  it('marks a target the relay no longer serves down with that reason, and reports (or hands over) a new one', async () => {
    const gone = new FakeMonitor('gone:9191');
    gone.emit(bigInstanceSnapshot(3, 'gone:9191'), 5);
    const first = await startRelay([monitor, gone], { port: 0 });
    relays.push(first);
    const port = first.port;

    // Client 1 adopts new targets; client 2 only gets told about them.
    const notes1: string[] = [];
    const notes2: string[] = [];
    const adopted: RemoteTargetMonitor[] = [];
    const c1 = await connectRelay(`ws://127.0.0.1:${port}`, { log: (l) => notes1.push(l), onTargetsAdded: (ms) => adopted.push(...ms), maxBackoffMs: 500 });
    const c2 = await connectRelay(`ws://127.0.0.1:${port}`, { log: (l) => notes2.push(l), maxBackoffMs: 500 });
    remotes.push(...c1, ...c2);
    expect(c1.map((m) => m.target)).toEqual([uw.statsAddress, 'gone:9191']);
    expect(c2.map((m) => m.target)).toEqual([uw.statsAddress, 'gone:9191']);

    await first.close();
    await waitFor(() => [...c1, ...c2].every((m) => m.latest()?.state.state === 'down'), 'every remote target down while no relay runs');

    const added = new FakeMonitor('new:9191');
    const addedSnap = bigInstanceSnapshot(5, 'new:9191');
    added.emit(addedSnap, 7);
    const second = await startRelay([monitor, added], { port });
    relays.push(second);

    for (const [client, name] of [[c1, 'client 1'], [c2, 'client 2']] as const) {
      const [a, b] = client;
      await waitFor(() => a!.latest()?.state.state === 'live', `${name}: the target still served live again`, 20000);
      const bs = b!.latest()!.state;
      expect(bs.state).toBe('down');
      expect(bs.state === 'down' ? bs.error : '').toMatch(/no longer served by the relay/);
      expect(b!.events().some((e) => e.type === 'target-down' && /no longer served by the relay/.test(e.message))).toBe(true);
      // The new target is named on the target still shown.
      expect(a!.events().some((e) => e.message.includes('new:9191'))).toBe(true);
    }
    expect(notes1.some((l) => l.includes('new:9191'))).toBe(true);
    expect(notes2.some((l) => l.includes('new:9191') && /restart/.test(l))).toBe(true);
    expect(notes2.some((l) => l.includes('gone:9191') && /no longer serve/.test(l))).toBe(true);

    // Client 1 got a working monitor for the new target, with the relay's document for it.
    expect(adopted.map((m) => m.target)).toEqual(['new:9191']);
    remotes.push(...adopted);
    const fresh = adopted[0]!;
    const snap = fresh.latest()!.snapshot!;
    expect(snap.kind === 'instance' && snap.doc.workers.map((w) => w.pid)).toEqual(addedSnap.kind === 'instance' && addedSnap.doc.workers.map((w) => w.pid));
    const next = bigInstanceSnapshot(6, 'new:9191', 1);
    added.emit(next, 9);
    await waitFor(() => {
      const s = fresh.latest()?.snapshot;
      return s?.kind === 'instance' && s.doc.workers.length === 6;
    }, 'the next update of the new target on the adopted monitor');
    expect(fresh.history('rps').values().at(-1)).toBe(9);

    // Another restart with the same targets: the vanished one still says why (not "connection lost"), and
    // the new one is neither announced nor handed over twice.
    await second.close();
    await waitFor(() => c1[0]!.latest()?.state.state === 'down', 'the relay lost again');
    const third = await startRelay([monitor, added], { port });
    relays.push(third);
    await waitFor(() => c1[0]!.latest()?.state.state === 'live' && c2[0]!.latest()?.state.state === 'live', 'both clients back', 20000);
    await waitFor(() => fresh.latest()?.state.state === 'live', 'the adopted monitor back too');
    for (const b of [c1[1]!, c2[1]!]) {
      const st = b.latest()!.state;
      expect(st.state === 'down' ? st.error : st.state).toMatch(/no longer served by the relay/);
      expect(b.events().filter((e) => /no longer served by the relay/.test(e.message))).toHaveLength(1);
    }
    expect(adopted).toHaveLength(1);
    expect(notes2.filter((l) => l.includes('new:9191'))).toHaveLength(1);
    expect(notes2.filter((l) => l.includes('gone:9191'))).toHaveLength(1);

    // Stopping what each client was given closes its connection (client 2 never got a monitor for new:9191).
    for (const m of c2) m.stop();
    await waitFor(() => third.stats().clients === 1, 'client 2 disconnected once its monitors stopped');
    for (const m of [...c1, ...adopted]) m.stop();
    await waitFor(() => third.stats().clients === 0, 'client 1 disconnected once its monitors (adopted one included) stopped');
  }, 60000);
});
