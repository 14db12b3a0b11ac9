/**
 * One target's section of the relay page: header, cards, charts and a panel per record kind, each panel a
 * table built from the dashboard's own column declaration. What it needs from the page (connection state,
 * commands, the render scheduler, the live region) comes through PageContext.
 */
import type { MonitorEvent } from '../metrics/types.js';
import type { TargetUpdate } from '../monitor/types.js';
import type { InstanceDocument, InstanceSnapshot, Snapshot, Worker } from '../stats/snapshot.js';
import type { FeedState, WireSeries } from '../relay/protocol.js';
import { fmtCount, fmtDuration, fmtRate } from '../core/units.js';
import { workerRows, workersSpec, type WorkerRow } from '../present/columns/workers.js';
import { inflightRows, inflightSpec, type InFlightRow } from '../present/columns/inflight.js';
import { socketsSpec } from '../present/columns/sockets.js';
import { metricRows, metricsSpec } from '../present/columns/metrics.js';
import { cacheRows, cachesSpec } from '../present/columns/caches.js';
import { memberRows, membersSpec } from '../present/columns/legions.js';
import { taskRows, tasksSpec } from '../present/columns/tasks.js';
import { vassalRows, vassalsSpec } from '../present/columns/emperor.js';
import { nodeRows, nodesSpec } from '../present/columns/router.js';
import { eventRows, eventsSpec } from '../present/columns/events.js';
import { Chart, clock } from './chart.js';
import { effectiveDocument } from '../metrics/kernel-queue.js';
import { instanceFigures } from '../present/summary.js';
import { clear, definitionList, el, setClass, setText } from './dom.js';
import { DataTable } from './table.js';
import { workerFields } from '../present/worker-fields.js';

/** The history series the page draws, in order. */
export const SERIES = [
  { name: 'rps', label: 'Requests / s', fmt: fmtRate },
  { name: 'avgRtMs', label: 'Mean response, per interval (ms)', fmt: (v: number | null) => (v === null ? '-' : v.toFixed(v >= 100 ? 0 : 1)) },
  { name: 'busyWorkers', label: 'Busy workers', fmt: fmtCount },
  { name: 'listenQueue', label: 'Listen queue', fmt: fmtCount },
] as const;

/** What the page holds for one target. */
export interface TargetData {
  name: string;
  rev: number;
  state: FeedState | null;
  hist: Record<string, WireSeries>;
  events: MonitorEvent[];
  intervalMs: number;
  view: TargetView;
}

/** What a target's section needs from the page around it. */
export interface PageContext {
  /** True while the relay connection is lost: every target's data is then as old as the last message. */
  offline(): boolean;
  /** The FIFO commands the relay accepts, null when control is off. */
  commands(): readonly string[] | null;
  sendCommand(target: string, command: string): void;
  /** Render this target (or every one) at the next frame. */
  markDirty(name?: string): void;
  /** Say something in the polite live region. */
  announce(text: string): void;
  /** Points kept per series (serve --history). */
  historySize(): number;
}

/** A collapsible panel holding one table (and a details area under it). */
export class Panel<R> {
  readonly box: HTMLDetailsElement;
  readonly count: HTMLSpanElement;
  readonly table: DataTable<R>;
  readonly detail: HTMLDivElement;

  constructor(cls: string, title: string, table: DataTable<R>, private readonly changed: () => void, open = true) {
    this.box = el('details', `panel ${cls}`);
    this.box.open = open;
    const summary = el('summary', '', title);
    this.count = el('span', 'count');
    summary.appendChild(this.count);
    this.box.appendChild(summary);
    this.table = table;
    this.box.appendChild(table.box);
    this.detail = el('div', 'detail');
    this.detail.hidden = true;
    this.detail.setAttribute('role', 'region');
    this.box.appendChild(this.detail);
  }

  private shownKey: string | null = null;
  private list: HTMLDListElement | null = null;

  /**
   * Show the details of `key` (title + pairs) and focus its close button; Escape or Close hides them and
   * focuses the row again. Called again for the same key (a new poll), only the values are replaced.
   */
  showDetail(key: string, title: string, pairs: Array<readonly [string, string]>): void {
    if (!this.detail.hidden && this.shownKey === key && this.list !== null) {
      const list = definitionList(pairs);
      this.list.replaceWith(list);
      this.list = list;
      return;
    }
    clear(this.detail);
    this.shownKey = key;
    const head = el('div', 'detail-head');
    const h = el('h3', '', title);
    h.id = `d-${Math.random().toString(36).slice(2)}`;
    this.detail.setAttribute('aria-labelledby', h.id);
    head.appendChild(h);
    const close = el('button', 'close', 'Close');
    close.type = 'button';
    close.setAttribute('aria-label', `Close ${title}`);
    const hide = (): void => {
      this.detail.hidden = true;
      this.shownKey = null;
      this.table.openKey = null;
      this.table.focusRow(key);
      this.changed();
    };
    close.addEventListener('click', hide);
    this.detail.onkeydown = (e): void => {
      if (e.key === 'Escape') hide();
    };
    head.appendChild(close);
    this.detail.appendChild(head);
    this.list = definitionList(pairs);
    this.detail.appendChild(this.list);
    this.detail.hidden = false;
    close.focus();
  }
}

/** The fields of a worker's details panel: the dashboard's worker detail's, in one list. */
export function workerPairs(w: Worker, nowMs: number, d?: WorkerRow['d']): Array<readonly [string, string]> {
  return workerFields(w, d, nowMs);
}

/** One target's section of the page (and its chip in the top bar). */
export class TargetView {
  readonly section: HTMLElement;
  readonly chip: HTMLAnchorElement;
  private readonly badge: HTMLSpanElement;
  private readonly meta: HTMLSpanElement;
  private readonly controls: HTMLDivElement;
  private readonly error: HTMLParagraphElement;
  private readonly cards: HTMLDivElement;
  private readonly cardMap = new Map<string, { box: HTMLDivElement; value: HTMLDivElement; sub: HTMLDivElement; used: boolean }>();
  private readonly chartRow: HTMLDivElement;
  readonly charts: Chart[];
  private readonly workers = new Panel('workers', 'Workers', new DataTable(workersSpec, 'Worker', 'no workers'), () => this.ctx.markDirty(this.name));
  private readonly requests = new Panel('requests', 'Requests in flight', new DataTable(inflightSpec, 'Request', 'no request in flight'), () => this.ctx.markDirty(this.name));
  private readonly sockets = new Panel('sockets', 'Sockets', new DataTable(socketsSpec, 'Socket', 'no sockets'), () => this.ctx.markDirty(this.name));
  private readonly metrics = new Panel('metrics', 'uWSGI metrics', new DataTable(metricsSpec, 'Metric', 'no metrics (uWSGI runs without --enable-metrics)'), () => this.ctx.markDirty(this.name), false);
  private readonly caches = new Panel('caches', 'Caches', new DataTable(cachesSpec, 'Cache', 'no caches'), () => this.ctx.markDirty(this.name));
  private readonly legions = new Panel('legions', 'Legions', new DataTable(membersSpec, 'Member', 'no legion members'), () => this.ctx.markDirty(this.name));
  private readonly tasks = new Panel('tasks', 'Spoolers, crons and daemons', new DataTable(tasksSpec, 'Task', 'none'), () => this.ctx.markDirty(this.name));
  private readonly vassals = new Panel('vassals', 'Vassals', new DataTable(vassalsSpec, 'Vassal', 'no vassals'), () => this.ctx.markDirty(this.name));
  private readonly nodes = new Panel('nodes', 'Subscription nodes', new DataTable(nodesSpec, 'Node', 'no nodes'), () => this.ctx.markDirty(this.name));
  private readonly eventsPanel = new Panel('events', 'Events', new DataTable(eventsSpec, 'Event', 'no events yet'), () => this.ctx.markDirty(this.name));
  private controlsBuilt = '';
  private lastState = '';

  constructor(
    readonly name: string,
    index: number,
    private readonly ctx: PageContext,
  ) {
    this.section = el('section', 'target');
    this.section.id = `t${index}`;
    const head = el('div', 'target-head');
    const h2 = el('h2', 'target-name', name);
    h2.id = `t${index}-name`;
    this.section.setAttribute('aria-labelledby', h2.id);
    head.appendChild(h2);
    this.badge = el('span', 'badge state-connecting', 'connecting');
    head.appendChild(this.badge);
    this.meta = el('span', 'meta');
    head.appendChild(this.meta);
    this.controls = el('div', 'controls');
    head.appendChild(this.controls);
    this.section.appendChild(head);
    this.error = el('p', 'error-line');
    this.error.hidden = true;
    this.section.appendChild(this.error);
    this.cards = el('div', 'cards');
    this.section.appendChild(this.cards);
    this.chartRow = el('div', 'charts');
    this.charts = SERIES.map((s) => new Chart(s));
    for (const c of this.charts) this.chartRow.appendChild(c.box);
    this.section.appendChild(this.chartRow);
    for (const p of [this.workers, this.requests, this.sockets, this.metrics, this.caches, this.legions, this.tasks, this.vassals, this.nodes, this.eventsPanel]) {
      this.section.appendChild(p.box);
    }
    this.workers.table.onOpen = (key, row: WorkerRow) => {
      this.workers.table.openKey = key;
      this.workers.showDetail(key, `Worker ${row.w.slot} (pid ${row.w.pid || '-'})`, workerPairs(row.w, Date.now(), row.d));
      this.ctx.markDirty(this.name);
    };
    this.requests.table.onOpen = (key, row: InFlightRow) => {
      this.requests.table.openKey = key;
      const r = row.r;
      this.requests.showDetail(key, `Request on worker ${r.workerSlot}, core ${r.coreId}`, r.vars);
      this.ctx.markDirty(this.name);
    };
    this.chip = el('a', 'chip state-connecting', name);
    this.chip.href = `#${this.section.id}`;
  }

  private setCard(key: string, label: string, value: string, sub = '', cls = ''): void {
    let card = this.cardMap.get(key);
    if (card === undefined) {
      const box = el('div', 'card');
      const v = el('div', 'card-value');
      const s = el('div', 'card-sub');
      box.appendChild(v);
      box.appendChild(el('div', 'card-label', label));
      box.appendChild(s);
      this.cards.appendChild(box);
      card = { box, value: v, sub: s, used: true };
      this.cardMap.set(key, card);
    }
    card.used = true;
    setText(card.value, value);
    setText(card.sub, sub);
    setClass(card.box, `card${cls ? ` ${cls}` : ''}`);
  }

  private setControls(): void {
    const commands = this.ctx.commands();
    const sig = commands === null ? '' : commands.join(',');
    if (this.controlsBuilt === sig) return;
    this.controlsBuilt = sig;
    clear(this.controls);
    if (commands === null) return;
    for (const name of commands) {
      const b = el('button', 'cmd', name);
      b.type = 'button';
      b.addEventListener('click', () => {
        if (window.confirm(`Run ${name} on ${this.name}?`)) this.ctx.sendCommand(this.name, name);
      });
      this.controls.appendChild(b);
    }
  }

  /** Announce a state change of this target (not the first state seen). */
  private noteState(state: string, error: string): void {
    if (this.lastState !== '' && this.lastState !== state) {
      if (state === 'down') this.ctx.announce(`${this.name} is down: ${error}`);
      else if (state === 'live' && this.lastState !== 'connecting') this.ctx.announce(`${this.name} is up again`);
      else if (state === 'stale') this.ctx.announce(`${this.name} is stale: no new stats`);
    }
    this.lastState = state;
  }

  render(t: TargetData): Chart[] {
    const s = t.state;
    const state = s?.state.state ?? 'connecting';
    const err = s === null ? '' : s.state.state === 'down' ? s.state.error : (s.error ?? '');
    this.noteState(state, err);
    const offline = this.ctx.offline();
    const cls = offline ? 'state-stale' : `state-${state}`;
    setClass(this.badge, `badge ${cls}`);
    setText(this.badge, offline ? 'no relay' : state);
    setClass(this.chip, `chip ${cls}`);
    setClass(this.section, `target${offline || state === 'down' ? ' old-data' : ''}`);
    this.setControls();
    this.error.hidden = err === '';
    setText(this.error, err);
    const snap: Snapshot | null = s?.snapshot ?? null;
    const der = s?.derived ?? null;
    const nowMs = Date.now();
    setText(this.meta, snap === null ? '' : [snap.kind, `uWSGI ${snap.doc.version}`, `pid ${snap.doc.pid}`, `read ${clock(snap.readAtMs)} in ${snap.durationMs.toFixed(1)} ms`].join(' \u00b7 '));
    for (const c of this.cardMap.values()) c.used = false;
    const kind = snap?.kind ?? null;
    const show = (p: { box: HTMLElement; count: HTMLElement }, on: boolean, count: string): void => {
      p.box.hidden = !on;
      setText(p.count, count);
    };
    if (snap !== null && snap.kind === 'instance') this.renderInstance(snap, der, nowMs);
    else if (snap !== null && snap.kind === 'emperor') {
      const doc = snap.doc;
      this.setCard('vassals', 'vassals', String(doc.vassals.length), `${doc.vassals.filter((v) => v.ready).length} ready`);
      this.setCard('throttle', 'throttle level', String(doc.throttleLevel));
      this.setCard('blacklist', 'blacklisted', String(doc.blacklist.length), '', doc.blacklist.length ? 'warn' : '');
      this.vassals.table.update(vassalRows(doc.vassals, der?.vassals ?? [], nowMs));
      setText(this.vassals.count, String(doc.vassals.length));
    } else if (snap !== null && snap.kind === 'router') {
      const doc = snap.doc;
      const rows = nodeRows(doc, der?.nodes ?? [], nowMs);
      this.setCard('sessions', 'active sessions', String(doc.activeSessions), doc.routerName);
      this.setCard('subs', 'subscriptions', String(doc.subscriptions.length), `${rows.length} nodes`);
      this.nodes.table.update(rows);
      setText(this.nodes.count, String(rows.length));
    }
    for (const c of this.cardMap.values()) c.box.hidden = !c.used;
    const inst = kind === 'instance';
    const doc = inst ? (snap!.doc as InstanceDocument) : null;
    show(this.workers, inst, doc ? `${doc.workers.length}` : '');
    this.requests.box.hidden = !inst;
    show(this.sockets, inst, doc ? String(doc.sockets.length) : '');
    show(this.metrics, inst, doc ? String(doc.metrics.length) : '');
    show(this.caches, inst && doc!.caches.length > 0, doc ? String(doc.caches.length) : '');
    show(this.legions, inst && doc!.legions.length > 0, doc ? String(doc.legions.length) : '');
    show(this.tasks, inst && doc!.spoolers.length + doc!.crons.length + doc!.daemons.length > 0, doc ? String(doc.spoolers.length + doc.crons.length + doc.daemons.length) : '');
    this.vassals.box.hidden = kind !== 'emperor';
    this.nodes.box.hidden = kind !== 'router';
    this.eventsPanel.table.update(eventRows(t.events));
    setText(this.eventsPanel.count, String(t.events.length));
    const shown: Chart[] = [];
    this.charts.forEach((c, i) => {
      const on = kind === null || kind === 'instance' || (kind === 'router' && SERIES[i]!.name === 'rps');
      c.box.hidden = !on;
      if (!on) return;
      c.setData(t.hist[SERIES[i]!.name] ?? { t: [], v: [] }, this.ctx.historySize() * t.intervalMs);
      shown.push(c);
    });
    this.chartRow.hidden = kind === 'emperor';
    return shown;
  }

  private renderInstance(snap: InstanceSnapshot, der: TargetUpdate['derived'], nowMs: number): void {
    const doc = effectiveDocument(snap);
    const readAtMs = snap.readAtMs;
    const inst = der?.instance ?? null;
    const f = instanceFigures(snap, der);
    this.setCard('rps', 'requests / s', f.rps, `${f.requests} total`);
    // The interval's mean; uWSGI's running average in the note (each card's note keeps to one line).
    this.setCard('avg', 'mean response', f.avg, `uWSGI avg ${f.uwsgiAvg}`);
    if (f.cpu !== null) this.setCard('cpu', 'cpu, all processes', f.cpu === 'not local' ? '-' : f.cpu, f.cpu === 'not local' ? 'not local' : 'from /proc');
    const w = f.workers;
    this.setCard('workers', 'busy / running', `${w.busy} / ${w.total - w.cheap}`, w.paused ? `${w.paused} paused` : '', w.paused ? 'warn' : '');
    this.setCard('inflight', 'in flight', f.inFlight, inst && inst.inFlight === null ? 'not reported' : '');
    const lqNote = [f.queueSocket === null ? '' : `on ${f.queueSocket}`, f.queueKernel ? 'from the kernel' : '', f.queueErrors !== null && f.queueErrors !== '0' ? `${f.queueErrors} overflows` : ''];
    this.setCard('lq', 'listen queue', f.queue, lqNote.filter(Boolean).join(', '), (doc.listenQueue ?? 0) > 0 ? 'warn' : '');
    this.setCard('eps', 'exceptions / s', f.eps, `${f.exceptions} total`, (inst?.eps ?? 0) > 0 ? 'warn' : '');
    this.setCard('tx', 'sent / s', f.txps, `${f.tx} total`);
    this.setCard('uptime', 'uptime', fmtDuration(inst?.uptimeSeconds), f.busyness === '-' ? '' : `${f.busyness} busy`);
    const lord = doc.legions.find((l) => l.iAmTheLord > 0);
    if (doc.legions.length > 0) this.setCard('legion', `legion ${doc.legions[0]!.legion}`, lord ? 'lord' : 'member', `quorum ${doc.legions[0]!.quorum}`, lord ? 'ok' : '');
    const workers = workerRows(doc.workers, der?.workers ?? [], nowMs);
    this.workers.table.update(workers);
    const openW = this.workers.table.openKey;
    const ow = openW === null ? undefined : workers.find((r) => String(r.w.slot) === openW);
    if (ow !== undefined && !this.workers.detail.hidden) this.workers.showDetail(openW!, `Worker ${ow.w.slot} (pid ${ow.w.pid || '-'})`, workerPairs(ow.w, nowMs, ow.d));
    const reqs = inflightRows(doc.workers, readAtMs, nowMs);
    this.requests.table.update(reqs);
    const coresKnown = doc.workers.length === 0 || doc.workers.some((w) => w.cores !== null);
    setText(this.requests.count, coresKnown ? String(reqs.length) : '-');
    setText(this.requests.table.empty, coresKnown ? 'no request in flight' : 'unknown: this uWSGI runs with --stats-no-cores, so its stats do not list the requests being served');
    this.sockets.table.update(doc.sockets);
    this.metrics.table.update(metricRows(doc.metrics, der?.metrics ?? []));
    this.caches.table.update(cacheRows(doc.caches, der?.caches ?? []));
    this.legions.table.update(memberRows(doc.legions, nowMs));
    this.tasks.table.update(taskRows(doc, nowMs));
  }
}

