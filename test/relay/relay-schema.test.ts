/**
 * The relay protocol's schemas: every message the relay really builds (from the real sample documents, with
 * derived values and events) passes unchanged, and a malformed message of every type is reported in one
 * line naming the field, never thrown.
 */
import { describe, expect, it } from 'vitest';
import { encodeMessage, type ServerMessage } from '../../src/relay/protocol.js';
import { decodeClientMessage, decodeHelloTarget, decodeServerFrame } from '../../src/relay/schema.js';
import { asMonitor, realHello, polled, realUpdate } from '../support/relay-fixtures.js';

const KINDS = ['instance-busy.json', 'instance-idle.json', 'instance-paused.json', 'emperor.json', 'fastrouter.json', 'legion-lord.json', 'legion-member.json'];

/** The real update of instance-busy.json with one edit applied to its JSON. */
function editedUpdate(edit: (m: any) => void): string {
  const { json } = realUpdate('instance-busy.json');
  edit(json);
  return JSON.stringify(json);
}

function invalid(text: string): { type: string; target: string | null; problem: string } {
  const frame = decodeServerFrame(text);
  if (frame.kind !== 'invalid') throw new Error(`expected an invalid frame, got ${frame.kind}`);
  return frame;
}

describe('relay messages the relay builds pass the schema unchanged', () => {
  it.each(KINDS)('update of %s', (name) => {
    const { text, json } = realUpdate(name);
    const frame = decodeServerFrame(text);
    expect(frame.kind).toBe('update');
    if (frame.kind !== 'update') return;
    // Nothing dropped: the checked message is the one sent (the second poll has derived values).
    expect(frame.message).toEqual(json);
    expect(frame.message.derived).not.toBeNull();
  });

  it("a live local read's /proc figures and the kernel's listen queues (one socket answered, one not)", () => {
    const { json } = realUpdate('instance-busy.json');
    const snapshot = json['snapshot'] as Record<string, unknown>;
    snapshot['os'] = {
      local: true,
      note: 'local: /proc/PID/stat',
      master: { pid: 10, cpuTicks: 12, rssBytes: 4096, vszBytes: 8192 },
      workers: [{ pid: 11, cpuTicks: 3, rssBytes: 2048, vszBytes: 8192 }, null],
      sockets: [{ queue: 11, maxQueue: 10 }, null],
      socketsNote: 'asked the kernel (sock_diag) about 1 socket',
    };
    const frame = decodeServerFrame(JSON.stringify(json));
    expect(frame.kind).toBe('update');
    if (frame.kind !== 'update') return;
    // A dropped key would be missing on the relay's clients, and the next delta through it would not apply.
    expect(frame.message).toEqual(json);
  });

  it('a hello of every kind of target', () => {
    const monitors = KINDS.map((name) => asMonitor(polled(name)));
    const text = realHello(monitors, true, ['chain-reload']);
    const frame = decodeServerFrame(text);
    expect(frame.kind).toBe('hello');
    if (frame.kind !== 'hello') return;
    const json = JSON.parse(text);
    frame.message.targets.forEach((value, i) => {
      const checked = decodeHelloTarget(value, i);
      expect(checked.ok).toBe(true);
      if (checked.ok) expect(checked.target).toEqual(json.targets[i]);
    });
    expect(frame.message.targets).toHaveLength(KINDS.length);
  });

  it('event, command-result and error messages', () => {
    const messages: ServerMessage[] = [
      { v: 2, type: 'event', target: 't', events: [{ atMs: 1, target: 't', type: 'command', severity: 'info', message: 'reload-workers: ok', data: { ok: true, remote: '[::1]:5' } }] },
      { v: 2, type: 'command-result', id: 'c1', target: 't', command: 'reload-workers', ok: false, message: 'no FIFO' },
      { v: 2, type: 'error', message: 'one command at a time' },
    ];
    for (const m of messages) {
      const frame = decodeServerFrame(encodeMessage(m));
      expect(frame.kind).toBe(m.type);
      expect('message' in frame ? frame.message : null).toEqual(m);
    }
  });

  it('a non-finite number, sent as null by JSON, reads back as NaN in a number field', () => {
    const frame = decodeServerFrame(editedUpdate((m) => (m.snapshot.doc.load = null)));
    expect(frame.kind).toBe('update');
    if (frame.kind === 'update' && frame.message.snapshot?.kind === 'instance') expect(frame.message.snapshot.doc.load).toBeNaN();
  });

  it('ignores unknown fields and unknown message types, refuses another version', () => {
    const frame = decodeServerFrame(editedUpdate((m) => (m.extra = { anything: 1 })));
    expect(frame.kind === 'update' && !('extra' in frame.message)).toBe(true);
    expect(decodeServerFrame('{"v":2,"type":"future-thing","x":1}')).toEqual({ kind: 'unknown' });
    expect(decodeServerFrame('{"v":3,"type":"hello"}')).toEqual({ kind: 'version', v: 3 });
    expect(decodeServerFrame('{"v":1,"type":"hello"}')).toEqual({ kind: 'version', v: 1 });
  });
});

describe('malformed relay messages are reported in one line, never thrown', () => {
  it.each([
    ['snapshot {kind:instance, doc:{}}', (m: any) => (m.snapshot = { ...m.snapshot, doc: {} }), 'snapshot.doc.version'],
    ["workers: 'x'", (m: any) => (m.snapshot.doc.workers = 'x'), 'snapshot.doc.workers'],
    ['a worker without its cores list', (m: any) => delete m.snapshot.doc.workers[0].cores, 'snapshot.doc.workers[0].cores'],
    ['an unknown snapshot kind', (m: any) => (m.snapshot.kind = 'spaceship'), 'snapshot.kind'],
    ["state {state:'weird'}", (m: any) => (m.state = { state: 'weird' }), 'state.state'],
    ["seq: 'x'", (m: any) => (m.seq = 'x'), 'seq'],
    ['events not a list', (m: any) => (m.events = {}), 'events'],
    ['an event of an unknown type', (m: any) => (m.events = [{ atMs: 1, target: 't', type: 'pwn', severity: 'info', message: '' }]), 'events[0].type'],
    ["points {rps:'x'}", (m: any) => (m.points = { rps: 'x' }), 'points.rps'],
    ['derived.workers not a list', (m: any) => (m.derived.workers = 5), 'derived.workers'],
    ['no target', (m: any) => delete m.target, 'target'],
  ])('update: %s', (_name, edit, path) => {
    const bad = invalid(editedUpdate(edit));
    expect(bad.type).toBe('update');
    expect(bad.problem.startsWith(`${path}: `)).toBe(true);
    expect(bad.problem).not.toMatch(/[\r\n]/);
  });

  it('the update names its target when it can be read, so the warning lands on that target', () => {
    expect(invalid(editedUpdate((m) => (m.snapshot.doc.workers = 'x'))).target).toBe('relay-test/instance-busy.json');
  });

  it.each([
    ['targets not a list', { v: 2, type: 'hello', server: 's', historySize: 600, control: false, commands: [], targets: 'x' }, 'targets'],
    ['commands of numbers', { v: 2, type: 'hello', server: 's', historySize: 600, control: false, commands: [1], targets: [] }, 'commands[0]'],
    ["control: 'yes'", { v: 2, type: 'hello', server: 's', historySize: 600, control: 'yes', commands: [], targets: [] }, 'control'],
    ['no server', { v: 2, type: 'hello', control: false, commands: [], targets: [] }, 'server'],
  ])('hello: %s', (_name, message, path) => {
    const bad = invalid(JSON.stringify(message));
    expect(bad.type).toBe('hello');
    expect(bad.problem.startsWith(`${path}: `)).toBe(true);
  });

  it.each([
    ['null', null, 'targets[3]: '],
    ['a target named by a number', { target: 1, intervalMs: 1000, latest: null, history: {}, events: [] }, 'targets[3].target: '],
    ['history times that are strings', { target: 't', intervalMs: 1000, rev: 0, latest: null, history: { rps: { t: ['x'], v: [1] } }, events: [] }, 'targets[3].history.rps.t[0]: '],
    ['a latest update with an empty document', { target: 't', intervalMs: 1, rev: 0, latest: { target: 't', seq: 1, state: { state: 'live' }, snapshot: { kind: 'instance', doc: {} }, derived: null, events: [], error: null }, history: {}, events: [] }, 'targets[3].latest.snapshot.'],
    ['events not a list', { target: 't', intervalMs: 1000, rev: 0, latest: null, history: {}, events: 'x' }, 'targets[3].events: '],
  ])('hello target: %s', (_name, value, prefix) => {
    const checked = decodeHelloTarget(value, 3);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem.startsWith(prefix)).toBe(true);
  });

  it.each([
    ['events not a list', { v: 2, type: 'event', target: 't', events: 'x' }, 'events'],
    ['an event without severity', { v: 2, type: 'event', target: 't', events: [{ atMs: 1, target: 't', type: 'command', message: 'm' }] }, 'events[0].severity'],
    ['event data holding an object', { v: 2, type: 'event', target: 't', events: [{ atMs: 1, target: 't', type: 'command', severity: 'info', message: 'm', data: { x: {} } }] }, 'events[0].data.x'],
  ])('event: %s', (_name, message, path) => {
    const bad = invalid(JSON.stringify(message));
    expect([bad.type, bad.problem.startsWith(`${path}: `)]).toEqual(['event', true]);
  });

  it.each([
    ["ok: 'yes'", { v: 2, type: 'command-result', id: 'c1', target: 't', command: 'reload', ok: 'yes', message: '' }, 'ok'],
    ['no id', { v: 2, type: 'command-result', target: 't', command: 'reload', ok: true, message: '' }, 'id'],
  ])('command-result: %s', (_name, message, path) => {
    const bad = invalid(JSON.stringify(message));
    expect([bad.type, bad.problem.startsWith(`${path}: `)]).toEqual(['command-result', true]);
  });

  it('error: a message that is not a string', () => {
    const bad = invalid('{"v":2,"type":"error","message":5}');
    expect([bad.type, bad.problem.startsWith('message: ')]).toEqual(['error', true]);
  });

  it('not JSON, or JSON that is not an object', () => {
    for (const text of ['{"v":1,', '[1,2]', 'null', '"hello"']) expect(invalid(text).type).toBe('message');
  });

  it('a problem is one line even when the relay names a field with control characters', () => {
    const bad = invalid(JSON.stringify({ v: 2, type: 'event', target: 't', events: [{ atMs: 1, target: 't', type: 'command', severity: 'info', message: 'm', data: { 'a\x1b]0;pwned\x07\nb': {} } }] }));
    expect(bad.problem).not.toMatch(/[\x00-\x1f\x7f]/);
  });
});

describe('what clients send to the relay', () => {
  it('a command passes; every other shape is refused as JSON or as a message', () => {
    expect(decodeClientMessage('{"v":1,"type":"command","id":"c1","target":"t","command":"reload"}')).toEqual({
      ok: true,
      message: { v: 1, type: 'command', id: 'c1', target: 't', command: 'reload' },
    });
    expect(decodeClientMessage('{"v":1,')).toEqual({ ok: false, reason: 'not-json' });
    for (const bad of [
      { v: 1, type: 'command', id: 'x'.repeat(65), target: 't', command: 'reload' },
      { v: 2, type: 'hello', id: 'c1', target: 't', command: 'reload' },
      { v: 3, type: 'command', id: 'c1', target: 't', command: 'reload' },
      { v: 1, type: 'command', id: 'c1', target: ['t'], command: 'reload' },
      null,
    ]) {
      expect(decodeClientMessage(JSON.stringify(bad))).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});
