// @module-tag calendar
/**
 * Relay parts without uWSGI: Prometheus samples from the real sample documents (emperor, router, legion),
 * token and Origin rules, and a slow WebSocket reader skipped then dropped while a fast one gets everything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyDelta } from '../../src/relay/delta.js';
import { isLoopbackHost, originAllowed, hostAllowed, tokenMatches, validateToken } from '../../src/relay/auth.js';
import { collectSamples } from '../../src/web/prom-samples.js';
import { pageAddress } from '../../src/web/page-address.js';
import { createRelayMetrics } from '../../src/web/prometheus.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import type { TargetUpdate } from '../../src/monitor/types.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { emperor, router, inst, sample } from '../support/metrics-fixtures.js';
import { FakeMonitor, bigInstanceSnapshot, parsePrometheus, promValue, recordingClient } from '../support/web-fixtures.js';

function live(target: string, snapshot: Snapshot): TargetUpdate {
  return { target, seq: 1, state: { state: 'live' }, snapshot, derived: null, events: [], error: null };
}

describe('Prometheus samples', () => {
  it('exposes vassals of an Emperor with the values of the document', async () => {
    const doc = sample('emperor.json');
    const fake = new FakeMonitor('emp');
    fake.emit(emperor(doc, 0));
    const fam = parsePrometheus(await createRelayMetrics([fake]).render());
    const base = { target: 'emp', stats_uri: 'emp' };
    expect(promValue(fam, 'uwsgi_emperor_vassals', base)).toBe(doc.vassals.length);
    for (const v of doc.vassals) {
      expect(promValue(fam, 'uwsgi_vassal_respawns_total', { ...base, vassal: v.id })).toBe(v.respawns);
      expect(promValue(fam, 'uwsgi_vassal_ready', { ...base, vassal: v.id })).toBe(v.ready ? 1 : 0);
    }
  });

  it('exposes subscription nodes of a router with the values of the document', () => {
    const doc = sample('fastrouter.json');
    const samples = collectSamples([{ target: 'fr', update: live('fr', router(doc, 0)) }], Date.now());
    const nodes = doc.subscriptions.flatMap((s: { key: string; nodes: Array<{ name: string; requests: number }> }) => s.nodes.map((n) => ({ key: s.key, ...n })));
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      const got = samples.get('uwsgi_subscription_node_requests_total')!.find((s) => s.labels.key === n.key && s.labels.node === n.name);
      expect(got?.value).toBe(n.requests);
    }
    expect(samples.get('uwsgi_router_active_sessions')![0]!.value).toBe(doc.active_sessions);
  });

  it('says who is the legion lord, and counts paused workers', () => {
    const lord = sample('legion-lord.json');
    const s1 = collectSamples([{ target: 'l', update: live('l', inst(lord, 0)) }], Date.now());
    for (const l of lord.legions) expect(s1.get('uwsgi_legion_lord')!.find((x) => x.labels.legion === l.legion)!.value).toBe(l.i_am_the_lord ? 1 : 0);
    const paused = sample('instance-paused.json');
    const s2 = collectSamples([{ target: 'p', update: live('p', inst(paused, 0)) }], Date.now());
    const expected = paused.workers.filter((w: { status: string; id: number }) => w.status === 'pause' && w.id !== 0).length;
    expect(expected).toBeGreaterThan(0);
    expect(s2.get('uwsgi_workers_paused')![0]!.value).toBe(expected);
  });

  it('reports a down target as uwsgi_up 0 without stale worker values', () => {
    const snap = inst(sample('instance-idle.json'), 0);
    const down: TargetUpdate = { target: 'd', seq: 2, state: { state: 'down', error: 'refused', sinceMs: 0, nextRetryAtMs: null }, snapshot: snap, derived: null, events: [], error: 'refused' };
    const s = collectSamples([{ target: 'd', update: down }, { target: 'never', update: null }], Date.now());
    expect(s.get('uwsgi_up')!.map((x) => [x.labels.target, x.value])).toEqual([['d', 0], ['never', 0]]);
    expect(s.get('uwsgi_worker_requests_total')).toBeUndefined();
  });
});

describe('access rules', () => {
  it('matches tokens exactly and validates their shape', () => {
    expect(tokenMatches('abcdefghijklmnop', 'abcdefghijklmnop')).toBe(true);
    expect(tokenMatches('abcdefghijklmnop', 'abcdefghijklmno')).toBe(false);
    expect(tokenMatches('abcdefghijklmnop', null)).toBe(false);
    expect(validateToken('  0123456789abcdef0123\n')).toBe('0123456789abcdef0123');
    expect(() => validateToken('short')).toThrow(/16 to 512/);
    expect(() => validateToken('has spaces in the token text')).toThrow();
  });

  it('knows loopback hosts, same-origin pages and rebinding attempts', () => {
    expect(['127.0.0.1', 'localhost', '[::1]', '::1', '127.3.2.1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com', '127.0.0.1.evil.com'].some(isLoopbackHost)).toBe(false);
    expect(originAllowed(undefined, 'x')).toBe(true);
    expect(originAllowed('http://127.0.0.1:9192', '127.0.0.1:9192')).toBe(true);
    expect(originAllowed('http://127.0.0.1:9193', '127.0.0.1:9192')).toBe(false);
    expect(originAllowed('null', '127.0.0.1:9192')).toBe(false);
    expect(hostAllowed('localhost:9192', 9192)).toBe(true);
    expect(hostAllowed('rebind.evil.com:9192', 9192)).toBe(false);
    expect(hostAllowed(undefined, 9192)).toBe(false);
  });
});

describe('slow WebSocket readers', () => {
  let relay: Relay | null = null;
  afterEach(async () => {
    await relay?.close();
    relay = null;
  });

  it('skips then drops a client that stops reading, while a reading client gets every update', async () => {
    const fake = new FakeMonitor('slow:9191');
    const snapshots = [0, 1].map((r) => bigInstanceSnapshot(300, 'slow:9191', r));
    fake.emit(snapshots[0]!);
    relay = await startRelay([fake], { port: 0, maxBufferedBytes: 256 * 1024, maxConsecutiveSkips: 3 });
    const url = `ws://127.0.0.1:${relay.port}/ws`;
    const slow = await recordingClient(url);
    const fast = await recordingClient(url);
    await slow.waitFor((m) => m.type === 'hello');
    await fast.waitFor((m) => m.type === 'hello');
    // The slow client's process stops reading its socket: the relay's send buffer for it fills up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let sent = 0;
    while (relay.stats().dropped === 0 && sent < 400) {
      fake.emit(snapshots[sent % 2]!);
      sent++;
      await new Promise((r) => setTimeout(r, 2));
    }
    const stats = relay.stats();
    expect(stats.dropped).toBe(1);
    expect(stats.skipped).toBeGreaterThanOrEqual(3);
    // Dropped on the relay's side (the paused client cannot notice until it reads again).
    expect(stats.clients).toBe(1);
    // The reading client got every poll, in order (revision 0 in its hello, then one message per poll), and the
    // state it rebuilt from them is the last poll's.
    const polls = (m: { type: string }): boolean => m.type === 'delta' || m.type === 'update';
    await fast.waitFor((m) => polls(m) && m.rev === sent, 20000);
    const revs = fast.messages.filter(polls).map((m) => m.rev);
    expect(revs).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    let state = fast.messages[0].targets[0].latest;
    for (const m of fast.messages.filter(polls)) state = m.type === 'delta' ? applyDelta(state, m.ops) : m;
    expect(state.seq).toBe(fake.seq);
    fast.close();
    slow.close();
  }, 60000);
});

describe('page address printed by serve', () => {
  const addresses = [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '10.1.2.3', family: 'IPv4', internal: false },
    { address: 'fe80::1', family: 'IPv6', internal: false },
    { address: '2001:db8::7', family: 'IPv6', internal: false },
  ];

  it('names a specific address as given, with the token file as a placeholder', () => {
    expect(pageAddress('10.1.2.3', 9192, '/etc/t', { hostname: 'box', addresses }).headline).toBe('http://10.1.2.3:9192/?token=<the token in /etc/t>');
    expect(pageAddress('::1', 9192, null, { hostname: 'box', addresses }).headline).toBe('http://[::1]:9192/');
  });

  it('falls back to an external address when the host has no usable name, and caps the list', () => {
    const nameless = pageAddress('0.0.0.0', 80, null, { hostname: 'localhost', addresses });
    expect(nameless.headline).toBe('listening on all IPv4 interfaces, port 80: open http://10.1.2.3:80/');
    expect(nameless.alternatives).toEqual([]);
    const many = Array.from({ length: 9 }, (_, i) => ({ address: `10.0.0.${i + 1}`, family: 'IPv4', internal: false }));
    const crowded = pageAddress('0.0.0.0', 80, null, { hostname: 'box', addresses: many });
    expect(crowded.alternatives).toEqual(['http://10.0.0.1:80/', 'http://10.0.0.2:80/', 'http://10.0.0.3:80/', 'http://10.0.0.4:80/', '(5 more addresses)']);
  });

  it('on :: lists IPv6 addresses too, without link-local ones (they need a zone id)', () => {
    const any = pageAddress('::', 80, null, { hostname: 'box', addresses });
    expect(any.alternatives).toEqual(['http://10.1.2.3:80/', 'http://[2001:db8::7]:80/']);
  });
});
