// @module-tag calendar
/** decodeSnapshot on every real uWSGI 2.0.21 sample: expected values come from the sample's own JSON. */
import { describe, expect, it } from 'vitest';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { EmperorSnapshot, InstanceSnapshot, RouterSnapshot, Snapshot } from '../../src/stats/snapshot.js';
import { meta, sampleBytes, sampleJson, varOf } from '../support/decode-fixtures.js';

function decodeInstance(name: string, readAtS?: number): InstanceSnapshot {
  const snap: Snapshot = decodeSnapshot(sampleBytes(name), meta(readAtS));
  expect(snap.kind).toBe('instance');
  return snap as InstanceSnapshot;
}

const INSTANCE_SAMPLES = [
  'instance-idle.json',
  'instance-busy.json',
  'instance-paused.json',
  'legion-lord.json',
  'legion-member.json',
];

describe('instance samples', () => {
  for (const name of INSTANCE_SAMPLES) {
    it(`${name}: every worker, core, socket and lock as the document says, nothing repaired or warned`, () => {
      const json = sampleJson(name);
      const snap = decodeInstance(name);
      expect(snap.bytes).toBe(sampleBytes(name).length);
      expect(snap.target).toBe(meta().target);
      expect(snap.readAtMs).toBe(meta().readAtMs);
      expect(snap.monotonicMs).toBe(meta().monotonicMs);
      expect(snap.durationMs).toBe(meta().durationMs);
      expect(snap.repairs).toEqual([]);
      expect(snap.warnings).toEqual([]);
      const doc = snap.doc;
      expect(doc.version).toBe(json.version);
      expect(doc.pid).toBe(json.pid);
      expect(doc.cwd).toBe(json.cwd);
      expect(doc.listenQueue).toBe(json.listen_queue);
      expect(doc.listenQueueErrors).toBe(json.listen_queue_errors);
      expect(doc.signalQueue).toBe(json.signal_queue);
      expect(doc.workers).toHaveLength(json.workers.length);
      json.workers.forEach((jw: any, i: number) => {
        const w = doc.workers[i]!;
        expect(w.slot).toBe(i + 1);
        expect(w.id).toBe(jw.id);
        expect(w.pid).toBe(jw.pid);
        expect(w.accepting).toBe(jw.accepting === 1);
        expect(w.requests).toBe(jw.requests);
        expect(w.deltaRequests).toBe(jw.delta_requests);
        expect(w.exceptions).toBe(jw.exceptions);
        expect(w.statusRaw).toBe(jw.status);
        expect(w.status).toBe(jw.status);
        expect(w.rssBytes).toBe(jw.rss);
        expect(w.vszBytes).toBe(jw.vsz);
        expect(w.ussBytes).toBe(jw.uss ?? null);
        expect(w.runningTimeUs).toBe(jw.running_time);
        expect(w.lastSpawn).toBe(jw.last_spawn);
        expect(w.respawnCount).toBe(jw.respawn_count);
        expect(w.txBytes).toBe(jw.tx);
        expect(w.avgRtUs).toBe(jw.avg_rt);
        expect(w.apps.map((a) => a.requests)).toEqual(jw.apps.map((a: any) => a.requests));
        expect(w.cores).toHaveLength(jw.cores.length);
        expect(w.cores!.map((c) => c.inRequest)).toEqual(jw.cores.map((c: any) => c.in_request === 1));
        expect(w.cores!.map((c) => c.requests)).toEqual(jw.cores.map((c: any) => c.requests));
        expect(w.inFlight).toHaveLength(jw.cores.filter((c: any) => c.in_request === 1).length);
      });
      expect(doc.sockets.map((s) => [s.name, s.proto, s.maxQueue])).toEqual(
        json.sockets.map((s: any) => [s.name, s.proto, s.max_queue]),
      );
      expect(doc.locks).toEqual(
        json.locks.map((l: any) => ({ name: Object.keys(l)[0], pid: Object.values(l)[0] })),
      );
    });
  }

  it('paused sample: workers uWSGI reports as "pause" are typed pause', () => {
    const json = sampleJson('instance-paused.json');
    const snap = decodeInstance('instance-paused.json');
    const paused = json.workers.map((w: any) => w.status === 'pause');
    expect(paused).toContain(true);
    expect(snap.doc.workers.map((w) => w.status === 'pause')).toEqual(paused);
    expect(snap.doc.workers.every((w) => w.signal === null)).toBe(true);
  });

  it('busy sample: the in-flight request has the method, host, URI, remote address and age of its vars', () => {
    const json = sampleJson('instance-busy.json');
    const wi = json.workers.findIndex((w: any) => w.cores.some((c: any) => c.in_request === 1));
    const jw = json.workers[wi];
    const jc = jw.cores.find((c: any) => c.in_request === 1);
    const start = jc.req_info.request_start;
    const snap = decodeInstance('instance-busy.json', start + 7.5);
    const w = snap.doc.workers[wi]!;
    expect(w.status).toBe('busy');
    expect(w.inFlight).toHaveLength(1);
    const r = w.inFlight[0]!;
    expect(r.workerSlot).toBe(wi + 1);
    expect(r.workerPid).toBe(jw.pid);
    expect(r.coreId).toBe(jc.id);
    expect(r.method).toBe(varOf(jc.vars, 'REQUEST_METHOD'));
    expect(r.host).toBe(varOf(jc.vars, 'HTTP_HOST'));
    expect(r.uri).toBe(varOf(jc.vars, 'REQUEST_URI'));
    expect(r.path).toBe(varOf(jc.vars, 'PATH_INFO'));
    expect(r.query).toBe(varOf(jc.vars, 'QUERY_STRING'));
    expect(r.remoteAddr).toBe(varOf(jc.vars, 'REMOTE_ADDR'));
    expect(r.startedAt).toBe(start);
    expect(r.ageSeconds).toBeCloseTo(7.5, 6);
    // Every variable except uWSGI's terminating empty string, in document order.
    const expectedVars = (jc.vars as string[]).slice(0, -1).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]);
    expect(r.vars).toEqual(expectedVars);
    expect(jc.vars[jc.vars.length - 1]).toBe('');
    // The core carries the same request object the worker lists.
    expect(w.cores!.find((c) => c.id === jc.id)!.request).toBe(r);
    // Idle cores carry none.
    expect(snap.doc.workers.flatMap((x) => x.cores!).filter((c) => !c.inRequest).every((c) => c.request === null)).toBe(true);
  });

  it('busy sample: metrics with their types and caches with hits/misses', () => {
    const json = sampleJson('instance-busy.json');
    const snap = decodeInstance('instance-busy.json');
    const names = Object.keys(json.metrics);
    expect(snap.doc.metrics.map((m) => m.name)).toEqual(names);
    const typeNames = ['counter', 'gauge', 'absolute', 'alias'];
    for (const m of snap.doc.metrics) {
      expect(m.type).toBe(typeNames[json.metrics[m.name].type]);
      expect(m.value).toBe(json.metrics[m.name].value);
      expect(m.oid).toBe(json.metrics[m.name].oid);
    }
    expect(snap.doc.caches).toHaveLength(json.caches.length);
    expect(snap.doc.caches[0]!.name).toBe(json.caches[0].name);
    expect(snap.doc.caches[0]!.misses).toBe(json.caches[0].miss);
    expect(snap.doc.caches[0]!.maxItems).toBe(json.caches[0].max_items);
  });

  for (const name of ['legion-lord.json', 'legion-member.json']) {
    it(`${name}: legion, lord and members`, () => {
      const jl = sampleJson(name).legions[0];
      const l = decodeInstance(name).doc.legions[0]!;
      expect(l.legion).toBe(jl.legion);
      expect(l.iAmTheLord).toBe(jl.i_am_the_lord);
      expect(l.lordUuid).toBe(jl.lord_uuid);
      expect(l.nodes).toEqual(jl.nodes);
      expect(l.members.map((m) => [m.uuid, m.valor, m.lastSeen])).toEqual(
        jl.members.map((m: any) => [m.uuid, m.valor, m.last_seen]),
      );
    });
  }
});

describe('emperor and router samples', () => {
  it('emperor.json is an emperor document with its vassals', () => {
    const json = sampleJson('emperor.json');
    const snap = decodeSnapshot(sampleBytes('emperor.json'), meta());
    expect(snap.kind).toBe('emperor');
    const doc = (snap as EmperorSnapshot).doc;
    expect(snap.warnings).toEqual([]);
    expect(doc.pid).toBe(json.pid);
    expect(doc.emperor).toEqual(json.emperor);
    expect(doc.emperorTyrant).toBe(json.emperor_tyrant !== 0);
    expect(doc.vassals.map((v) => [v.id, v.pid, v.ready, v.accepting, v.lastReady, v.respawns])).toEqual(
      json.vassals.map((v: any) => [v.id, v.pid, v.ready === 1, v.accepting === 1, v.last_ready, v.respawns]),
    );
    expect(doc.blacklist).toHaveLength(json.blacklist.length);
  });

  it('fastrouter.json is a router document named by its socket list', () => {
    const json = sampleJson('fastrouter.json');
    const snap = decodeSnapshot(sampleBytes('fastrouter.json'), meta());
    expect(snap.kind).toBe('router');
    const doc = (snap as RouterSnapshot).doc;
    expect(snap.warnings).toEqual([]);
    expect(doc.routerName).toBe('fastrouter');
    expect(doc.routerSockets).toEqual(json.fastrouter);
    expect(doc.activeSessions).toBe(json.active_sessions);
    expect(doc.cheap).toBe(json.cheap !== 0);
    expect(doc.subscriptions.map((s) => s.key)).toEqual(json.subscriptions.map((s: any) => s.key));
    const jn = json.subscriptions[0].nodes[0];
    const n = doc.subscriptions[0]!.nodes[0]!;
    expect([n.name, n.lastCheck, n.cores, n.weight, n.deathMark]).toEqual([
      jn.name,
      jn.last_check,
      jn.cores,
      jn.weight,
      jn.death_mark !== 0,
    ]);
  });

  it('stats-http-response.raw: the body after the HTTP headers decodes as an instance', () => {
    const raw = sampleBytes('stats-http-response.raw');
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    const json = JSON.parse(body.toString('utf8'));
    const snap = decodeSnapshot(body, meta());
    expect(snap.kind).toBe('instance');
    expect(snap.bytes).toBe(body.length);
    expect((snap as InstanceSnapshot).doc.pid).toBe(json.pid);
    expect((snap as InstanceSnapshot).doc.workers).toHaveLength(json.workers.length);
  });
});
