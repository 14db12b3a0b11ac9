// @module-tag calendar
/** Normalisation and validation on edited copies of real samples: slots, statuses, requests, warnings, kinds. */
import { describe, expect, it } from 'vitest';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { EmperorSnapshot, InstanceSnapshot, RouterSnapshot, Snapshot } from '../../src/stats/snapshot.js';
import { docBytes, meta, sampleJson, varOf } from '../support/decode-fixtures.js';

function decode(doc: unknown, readAtS?: number): Snapshot {
  return decodeSnapshot(docBytes(doc), meta(readAtS));
}

function decodeInstance(doc: unknown, readAtS?: number): InstanceSnapshot {
  const snap = decode(doc, readAtS);
  expect(snap.kind).toBe('instance');
  return snap as InstanceSnapshot;
}

/** A copy of instance-busy.json and the index of its worker and core serving a request. */
function busyCopy(): { doc: any; wi: number; ci: number } {
  const doc = sampleJson('instance-busy.json');
  const wi = doc.workers.findIndex((w: any) => w.cores.some((c: any) => c.in_request === 1));
  const ci = doc.workers[wi].cores.findIndex((c: any) => c.in_request === 1);
  return { doc, wi, ci };
}

describe('workers', () => {
  it('cheap slots (id 0, pid 0) keep their slot number: array index + 1', () => {
    const doc = sampleJson('instance-idle.json');
    expect(doc.workers.length).toBeGreaterThanOrEqual(4);
    for (const i of [1, 3]) Object.assign(doc.workers[i], { id: 0, pid: 0, status: 'cheap', accepting: 0 });
    const w = decodeInstance(doc).doc.workers;
    expect(w.map((x) => x.slot)).toEqual(doc.workers.map((_: unknown, i: number) => i + 1));
    expect(w.map((x) => x.id)).toEqual(doc.workers.map((x: any) => x.id));
    expect(w[1]!.status).toBe('cheap');
    expect(w[3]!.status).toBe('cheap');
    expect(w[1]!.accepting).toBe(false);
    expect(w[0]!.status).toBe(doc.workers[0].status);
  });

  it('sig<N> is the sig status with the signal number; an unknown status is kept raw', () => {
    const doc = sampleJson('instance-idle.json');
    doc.workers[0].status = 'sig13';
    doc.workers[1].status = 'respawning?';
    const w = decodeInstance(doc).doc.workers;
    expect([w[0]!.status, w[0]!.signal, w[0]!.statusRaw]).toEqual(['sig', 13, 'sig13']);
    expect([w[1]!.status, w[1]!.signal, w[1]!.statusRaw]).toEqual(['unknown', null, 'respawning?']);
  });

  it('uss/pss present are bytes as sent, absent are null; --stats-no-cores gives cores null', () => {
    const doc = sampleJson('instance-idle.json');
    doc.workers[0].uss = 4096 * 1000;
    doc.workers[0].pss = 4096 * 1500;
    for (const w of doc.workers) delete w.cores;
    const w = decodeInstance(doc).doc.workers;
    expect([w[0]!.ussBytes, w[0]!.pssBytes]).toEqual([doc.workers[0].uss, doc.workers[0].pss]);
    expect([w[1]!.ussBytes, w[1]!.pssBytes]).toEqual([null, null]);
    expect(w.every((x) => x.cores === null && x.inFlight.length === 0)).toBe(true);
  });
});

describe('in-flight requests', () => {
  it('host falls back to SERVER_NAME, URI to PATH_INFO?QUERY_STRING; vars split on the first "="', () => {
    const { doc, wi, ci } = busyCopy();
    const core = doc.workers[wi].cores[ci];
    const serverName = varOf(core.vars, 'SERVER_NAME');
    const path = varOf(core.vars, 'PATH_INFO');
    const query = varOf(core.vars, 'QUERY_STRING');
    core.vars = core.vars.filter((v: string) => !v.startsWith('HTTP_HOST=') && !v.startsWith('REQUEST_URI='));
    core.vars.splice(core.vars.length - 1, 0, 'HTTP_COOKIE=a=1; b=2');
    const r = decodeInstance(doc).doc.workers[wi]!.inFlight[0]!;
    expect(r.host).toBe(serverName);
    expect(r.uri).toBe(`${path}?${query}`);
    expect(r.path).toBe(path);
    expect(r.query).toBe(query);
    expect(r.vars.find(([k]) => k === 'HTTP_COOKIE')).toEqual(['HTTP_COOKIE', 'a=1; b=2']);
    expect(r.vars).toHaveLength(core.vars.length - 1);
    expect(r.vars.some(([k, v]) => k === '' && v === '')).toBe(false);
  });

  it('no request_start: startedAt and ageSeconds are null; a start in the future gives age 0, not negative', () => {
    const { doc, wi, ci } = busyCopy();
    const start = doc.workers[wi].cores[ci].req_info.request_start;
    const snapFuture = decodeInstance(doc, start - 5);
    expect(snapFuture.doc.workers[wi]!.inFlight[0]!.ageSeconds).toBe(0);
    doc.workers[wi].cores[ci].req_info = {};
    const r = decodeInstance(doc, start + 10).doc.workers[wi]!.inFlight[0]!;
    expect(r.startedAt).toBeNull();
    expect(r.ageSeconds).toBeNull();
  });

  it('a request object behaves as plain data: keys, spread, JSON and structuredClone include vars', () => {
    const { doc, wi, ci } = busyCopy();
    const r = decodeInstance(doc).doc.workers[wi]!.inFlight[0]!;
    const expectedVars = (doc.workers[wi].cores[ci].vars as string[]).slice(0, -1).map((v) => {
      const eq = v.indexOf('=');
      return [v.slice(0, eq), v.slice(eq + 1)];
    });
    expect(Object.keys(r)).toContain('vars');
    expect({ ...r }.vars).toEqual(expectedVars);
    expect(JSON.parse(JSON.stringify(r)).vars).toEqual(expectedVars);
    expect(structuredClone(r).vars).toEqual(expectedVars);
    expect(Object.keys(JSON.parse(JSON.stringify(r))).sort()).toEqual(Object.keys(r).sort());
    r.vars = [['X', 'y']];
    expect(r.vars).toEqual([['X', 'y']]);
  });

  it('every busy core of every worker is listed in its worker inFlight', () => {
    const { doc } = busyCopy();
    for (const w of doc.workers) for (const c of w.cores) {
      c.in_request = 1;
      c.vars = [`REQUEST_URI=/w${w.id}/c${c.id}`, ''];
    }
    const snap = decodeInstance(doc);
    snap.doc.workers.forEach((w, i) => {
      expect(w.inFlight.map((r) => r.uri)).toEqual(doc.workers[i].cores.map((c: any) => `/w${doc.workers[i].id}/c${c.id}`));
      expect(w.inFlight.every((r) => r.workerSlot === i + 1)).toBe(true);
    });
  });
});

describe('wrong types are warnings with a path; the rest is used', () => {
  it('workers[2].requests as a string', () => {
    const doc = sampleJson('instance-idle.json');
    doc.workers[2].requests = '12';
    const snap = decodeInstance(doc);
    expect(snap.warnings).toEqual(['workers[2].requests: expected number, got string']);
    const w = snap.doc.workers;
    expect(w[2]!.requests).toBe(0);
    expect(w[2]!.pid).toBe(doc.workers[2].pid);
    expect(w[2]!.cores).toHaveLength(doc.workers[2].cores.length);
    expect(w[1]!.requests).toBe(doc.workers[1].requests);
    expect(w).toHaveLength(doc.workers.length);
  });

  it('nested fields, a non-object worker, a top-level field and a list that is not a list', () => {
    const doc = sampleJson('instance-busy.json');
    doc.pid = 'abc';
    doc.workers[1].cores[0].vars = 5;
    doc.workers[1].cores[0].in_request = 1;
    doc.workers[1].apps[0].mountpoint = null;
    doc.workers[0] = 'gone';
    doc.sockets = { name: 'x' };
    doc.locks.push({ weird: 'x' });
    doc.metrics['core.busy_workers'].value = 'lots';
    const snap = decodeInstance(doc);
    expect([...snap.warnings].sort()).toEqual([
      'pid: expected number, got string',
      `locks[${doc.locks.length - 1}]["weird"]: expected number, got string`,
      'metrics["core.busy_workers"].value: expected number, got string',
      'sockets: expected array, got object',
      'workers[0]: expected object, got string',
      'workers[1].apps[0].mountpoint: expected string, got null',
      'workers[1].cores[0].vars: expected array, got number',
    ].sort());
    expect(snap.warnings.length).toBe(7);
    const d = snap.doc;
    expect(d.pid).toBe(0);
    expect(d.version).toBe(doc.version);
    expect(d.sockets).toEqual([]);
    // The non-object worker is left out; the others keep their slots.
    expect(d.workers.map((w) => w.slot)).toEqual(doc.workers.slice(1).map((_: unknown, i: number) => i + 2));
    expect(d.workers[0]!.apps[0]!.mountpoint).toBe('');
    expect(d.workers[0]!.apps[0]!.requests).toBe(doc.workers[1].apps[0].requests);
    const core = d.workers[0]!.cores![0]!;
    expect(core.inRequest).toBe(true);
    expect(core.request!.vars).toEqual([]);
    expect(d.metrics.find((m) => m.name === 'core.busy_workers')!.value).toBe(0);
    expect(d.locks).toHaveLength(doc.locks.length - 1);
  });

  it('unknown keys are ignored and keys older versions omit get defaults, without warnings', () => {
    const doc = sampleJson('instance-idle.json');
    delete doc.listen_queue;
    delete doc.listen_queue_errors;
    delete doc.locks;
    doc.brand_new_key = { nested: [1, 2] };
    doc.workers[0].new_counter = 7;
    delete doc.workers[0].respawn_count;
    delete doc.workers[0].cores[0].req_info;
    const snap = decodeInstance(doc);
    expect(snap.warnings).toEqual([]);
    expect(snap.doc.listenQueue).toBeNull();
    expect(snap.doc.listenQueueErrors).toBeNull();
    expect(snap.doc.locks).toEqual([]);
    expect(snap.doc.workers[0]!.respawnCount).toBe(0);
    expect(snap.doc.workers[0]!.pid).toBe(doc.workers[0].pid);
    expect('new_counter' in snap.doc.workers[0]!).toBe(false);
  });

  it('metric types: 0 counter, 1 gauge, 2 absolute, 3 alias, anything else unknown', () => {
    const doc = sampleJson('instance-busy.json');
    const names = Object.keys(doc.metrics).slice(0, 5);
    names.forEach((n, i) => (doc.metrics[n].type = i === 4 ? 9 : i));
    const byName = new Map(decodeInstance(doc).doc.metrics.map((m) => [m.name, m.type]));
    expect(names.map((n) => byName.get(n))).toEqual(['counter', 'gauge', 'absolute', 'alias', 'unknown']);
  });

  it('emperor: a vassal field of the wrong type', () => {
    const doc = sampleJson('emperor.json');
    doc.vassals[1].pid = '8839';
    const snap = decode(doc) as EmperorSnapshot;
    expect(snap.kind).toBe('emperor');
    expect(snap.warnings).toEqual(['vassals[1].pid: expected number, got string']);
    expect(snap.doc.vassals.map((v) => v.pid)).toEqual([doc.vassals[0].pid, 0, doc.vassals[2].pid]);
    expect(snap.doc.vassals[1]!.id).toBe(doc.vassals[1].id);
  });

  it('router: a subscription node field of the wrong type', () => {
    const doc = sampleJson('fastrouter.json');
    doc.subscriptions[2].nodes[0].requests = [];
    const snap = decode(doc) as RouterSnapshot;
    expect(snap.warnings).toEqual(['subscriptions[2].nodes[0].requests: expected number, got array']);
    expect(snap.doc.subscriptions[2]!.nodes[0]!.name).toBe(doc.subscriptions[2].nodes[0].name);
  });
});

describe('kind detection', () => {
  it('routers are named by the key holding their socket list, whatever the router', () => {
    for (const name of ['http', 'rawrouter', 'sslrouter', 'someday_router']) {
      const doc = sampleJson('fastrouter.json');
      const sockets = doc.fastrouter;
      delete doc.fastrouter;
      delete doc.subscriptions;
      delete doc.active_sessions;
      doc[name] = sockets;
      const snap = decode(doc) as RouterSnapshot;
      expect(snap.kind).toBe('router');
      expect(snap.doc.routerName).toBe(name);
      expect(snap.doc.routerSockets).toEqual(sockets);
    }
  });

  it('an emperor with no vassals yet is still an emperor; an instance with no workers list entries is an instance', () => {
    const emperor = sampleJson('emperor.json');
    delete emperor.vassals;
    expect(decode(emperor).kind).toBe('emperor');
    const instance = sampleJson('instance-idle.json');
    instance.workers = [];
    expect(decode(instance).kind).toBe('instance');
  });
});
