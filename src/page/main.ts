/**
 * The relay page: connects to /ws, keeps each target's state (the hello, then whole updates or deltas),
 * and renders it with the dashboard's own column declarations and formatters. One render per animation
 * frame whatever the number of messages; state changes (a target down or back) go to a polite live region.
 */
import type { MonitorEvent } from '../metrics/types.js';
import { applyDelta } from '../relay/delta.js';
import type { DeltaMessage, HelloMessage, HelloTarget, ServerMessage, UpdateMessage } from '../relay/protocol.js';
import { clock, type ChartColors, type Chart } from './chart.js';
import { setClass, setText } from './dom.js';
import { SERIES, TargetView, type PageContext, type TargetData } from './target-view.js';

const PROTOCOL = 2;
const MAX_EVENTS = 300;

const token = new URLSearchParams(location.search).get('token');
const targets = new Map<string, TargetData>();
const dirty = new Set<string>();
let historySize = 600;
let control = false;
let commands: string[] = [];
let socket: WebSocket | null = null;
let retryMs = 1000;
let offline = false;
let frameQueued = false;

const liveRegion = document.getElementById('announce')!;
/** Say something to screen readers once (polite: after what they are reading). */
function announce(text: string): void {
  liveRegion.textContent = text;
}

const context: PageContext = {
  offline: () => offline,
  commands: () => (control ? commands : null),
  sendCommand: (target, command) => sendCommand(target, command),
  markDirty: (name) => markDirty(name),
  announce,
  historySize: () => historySize,
};

function markDirty(name?: string): void {
  if (name === undefined) for (const n of targets.keys()) dirty.add(n);
  else dirty.add(name);
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(() => {
    frameQueued = false;
    const charts: Chart[] = [];
    for (const n of dirty) {
      const t = targets.get(n);
      if (t !== undefined) charts.push(...t.view.render(t));
    }
    dirty.clear();
    if (charts.length === 0) return;
    const style = getComputedStyle(document.documentElement);
    const colors: ChartColors = {
      grid: style.getPropertyValue('--grid').trim() || '#333',
      muted: style.getPropertyValue('--muted').trim() || '#888',
      accent: style.getPropertyValue('--accent').trim() || '#4ea1ff',
      text: style.getPropertyValue('--text').trim() || '#eee',
    };
    // Every size read, then every paint: one layout per frame.
    for (const c of charts) c.measure();
    for (const c of charts) c.paint(colors);
  });
}

function addEvents(t: TargetData, events: readonly MonitorEvent[] | undefined): void {
  if (!Array.isArray(events)) return;
  t.events.push(...events);
  if (t.events.length > MAX_EVENTS) t.events.splice(0, t.events.length - MAX_EVENTS);
}

function onHello(msg: HelloMessage): void {
  offline = false;
  control = msg.control === true;
  commands = Array.isArray(msg.commands) ? msg.commands : [];
  historySize = typeof msg.historySize === 'number' && msg.historySize > 0 ? msg.historySize : 600;
  const names = msg.targets.map((t) => t.target);
  for (const [name, t] of targets) {
    if (!names.includes(name)) {
      t.view.section.remove();
      t.view.chip.remove();
      targets.delete(name);
    }
  }
  const main = document.getElementById('targets')!;
  const nav = document.getElementById('nav')!;
  msg.targets.forEach((ht: HelloTarget, i) => {
    let t = targets.get(ht.target);
    if (t === undefined) {
      t = { name: ht.target, rev: 0, state: null, hist: {}, events: [], intervalMs: 1000, view: new TargetView(ht.target, i, context) };
      targets.set(ht.target, t);
    }
    main.appendChild(t.view.section);
    nav.appendChild(t.view.chip);
    t.rev = ht.rev;
    t.state = ht.latest;
    t.intervalMs = ht.intervalMs;
    t.hist = {};
    for (const s of SERIES) {
      const h = ht.history?.[s.name];
      t.hist[s.name] = h ? { t: h.t.slice(-historySize), v: h.v.slice(-historySize) } : { t: [], v: [] };
    }
    t.events = [];
    addEvents(t, ht.events);
    dirty.add(ht.target);
  });
  document.getElementById('empty')!.hidden = names.length > 0;
  markDirty();
}

function addPoints(t: TargetData, msg: UpdateMessage | DeltaMessage): void {
  for (const s of SERIES) {
    if (!msg.points || !Object.prototype.hasOwnProperty.call(msg.points, s.name)) continue;
    const h = t.hist[s.name]!;
    h.t.push(msg.at);
    h.v.push(msg.points[s.name] ?? null);
    if (h.v.length > historySize) {
      h.t.splice(0, h.t.length - historySize);
      h.v.splice(0, h.v.length - historySize);
    }
  }
  addEvents(t, msg.events);
  markDirty(t.name);
}

/** Apply a delta; false when it does not follow what this page holds (then reconnect for a fresh hello). */
function onDelta(msg: DeltaMessage): boolean {
  const t = targets.get(msg.target);
  if (t === undefined) return true;
  if (t.state === null || msg.rev !== t.rev + 1) return false;
  try {
    t.state = applyDelta(t.state, msg.ops);
  } catch {
    return false;
  }
  t.rev = msg.rev;
  addPoints(t, msg);
  return true;
}

function onUpdate(msg: UpdateMessage): void {
  const t = targets.get(msg.target);
  if (t === undefined) return;
  t.rev = msg.rev;
  t.state = { seq: msg.seq, state: msg.state, snapshot: msg.snapshot, derived: msg.derived, error: msg.error };
  addPoints(t, msg);
}

let cmdSeq = 0;
function sendCommand(target: string, name: string): void {
  if (socket === null || socket.readyState !== WebSocket.OPEN) return setNotice('not connected', false);
  socket.send(JSON.stringify({ v: PROTOCOL, type: 'command', id: `c${++cmdSeq}`, target, command: name }));
  setNotice(`${name} sent to ${target}\u2026`, true);
}

function setConn(state: string, text: string): void {
  const node = document.getElementById('conn')!;
  setClass(node, `conn conn-${state}`);
  setText(node, text);
}

let noticeTimer = 0;
function setNotice(text: string, ok: boolean): void {
  const node = document.getElementById('notice')!;
  setClass(node, `notice ${ok ? 'notice-ok' : 'notice-err'}`);
  setText(node, text);
  node.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => (node.hidden = true), 15000);
}

function connect(): void {
  const url = `${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/ws${token !== null ? `?token=${encodeURIComponent(token)}` : ''}`;
  setConn('connecting', 'connecting');
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    retryMs = 1000;
    setConn('live', 'live');
  };
  ws.onmessage = (ev: MessageEvent<string>) => {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(ev.data) as ServerMessage;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null || msg.v !== PROTOCOL) {
      setConn('down', 'protocol mismatch');
      return;
    }
    setText(document.getElementById('status')!, `last update ${clock(Date.now())}`);
    if (msg.type === 'hello') onHello(msg);
    else if (msg.type === 'update') onUpdate(msg);
    else if (msg.type === 'delta') {
      if (!onDelta(msg)) ws.close(4000, 'out of step');
    } else if (msg.type === 'event') {
      const t = targets.get(msg.target);
      if (t !== undefined) {
        addEvents(t, msg.events);
        markDirty(t.name);
      }
    } else if (msg.type === 'command-result') setNotice(`${msg.command} on ${msg.target}: ${msg.ok ? 'ok' : 'failed'} \u2014 ${msg.message}`, msg.ok);
    else if (msg.type === 'error') setNotice(msg.message, false);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    if (!offline) announce('Connection to the relay lost: retrying');
    offline = true;
    markDirty();
    setConn('down', `disconnected \u00b7 retrying in ${Math.round(retryMs / 1000)} s`);
    window.setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  };
}

window.addEventListener('resize', () => markDirty());
connect();
