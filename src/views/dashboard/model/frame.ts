/**
 * One frame of the dashboard as data: every text line (exactly the screen size), the charts to draw and
 * the popup. Pure: the same input gives the same frame, so tests and the benchmark use it directly and the
 * renderer only paints it.
 */
import type { MonitorEvent } from '../../../metrics/types.js';
import type { SeriesData, SeriesName } from '../../../metrics/series.js';
import type { TargetUpdate } from '../../../monitor/types.js';
import type { Snapshot } from '../../../stats/snapshot.js';
import { safeText } from '../../../core/safe-text.js';
import { fmtClock } from '../../../core/units.js';
import { FIFO_COMMANDS } from '../control.js';
import type { BodyModel } from './body.js';
import { workerDetail } from './detail.js';
import { distinguishingPart, fleetLine, labelled, type FleetRow } from './fleet.js';
import { ALL_SERIES, chartData, placeCharts, STRIP_SERIES, type ChartModel } from './graphs.js';
import { helpLines } from './help.js';
import { dataClock } from '../../../present/columns/ages.js';
import { hintText, keyHints } from './hints.js';
import { splitBody, type BodySplit } from './layout.js';
import { eventsNeed, eventsPane, inflightNeed, inflightPane, lastEventLine, oldestRequestLine } from './panes.js';
import { fitLine, line, lineWidth, spread, type Line } from './line.js';
import { cutMiddle, cutToWidth, wrapWords } from '../../../present/width.js';
import type { ReplayMark, UiState } from './state.js';
import { tableState } from './state.js';
import { SUMMARY_LINES, summaryLines } from './summary.js';
import type { TableView } from './table.js';
import { viewBody } from './views.js';
import { isTableView, resolveView, viewOf, viewsFor, viewTitle, type TableViewId, type ViewId } from './view-registry.js';

/** What the frame needs to know about one target. */
export interface TargetView {
  target: string;
  /** What the user knows the target by when that is not its address (its ini file or vassal name). */
  label?: string;
  /** The update on screen: the latest one, or the one captured when the display was frozen. */
  shown: TargetUpdate | null;
  /** The latest update, whatever the freeze (its state still tells when a target goes down). */
  live: TargetUpdate | null;
  events: readonly MonitorEvent[];
  series(name: SeriesName): SeriesData;
  hasControl: boolean;
  intervalMs: number;
  /** The FIFO command running on this target with its progress (`chain-reload 12s: 2 of 8 workers replaced`), if any. */
  running: string | null;
}

export interface FrameInput {
  state: UiState;
  targets: readonly TargetView[];
  width: number;
  height: number;
  nowMs: number;
}

export interface OverlayModel {
  top: number;
  left: number;
  width: number;
  height: number;
  title: string;
  /** The visible lines only, each exactly width-2 wide. */
  lines: Line[];
  /** The scroll position actually used (clamped). */
  scroll: number;
  /** Lines in the popup content (to clamp scrolling). */
  total: number;
}

export interface Frame {
  width: number;
  height: number;
  lines: Line[];
  charts: ChartModel[];
  overlay: OverlayModel | null;
  view: ViewId;
  table: TableView | null;
  /** Visible table rows (a page). */
  pageRows: number;
  /** Visible popup lines (a page in a popup). */
  overlayRows: number;
}

/** How long a message stays on the status line. */
export const MESSAGE_MS = 15_000;

/** Terminal size at which the workers view also shows a strip of graphs. */
export const GRAPH_STRIP_MIN = { width: 100, height: 40 };
const STRIP_HEIGHT = 10;

/** The tabs line; the freeze marker goes on it when it fits (`frozenShown` says whether it did). */
function tabsLine(kind: 'instance' | 'emperor' | 'router' | null, view: ViewId, inflight: number | null, width: number, frozenAtMs: number | null, replay: ReplayMark | null): { line: Line; frozenShown: boolean } {
  const views = viewsFor(kind);
  const build = (short: boolean): Line => {
    const out: Line = [];
    for (const v of views) {
      const name = short ? v.short : v.title;
      const count = v.countsInFlight && inflight !== null ? `(${inflight})` : '';
      out.push({ text: ` ${v.key} ${name}${count} `, style: v.id === view ? 'tabActive' : 'tab' });
    }
    return out;
  };
  const frozen: Line = replay ? [{ text: ` ${replayText(replay)} `, style: 'prompt' }] : frozenAtMs !== null ? [{ text: ` FROZEN at ${fmtClock(frozenAtMs / 1000)} `, style: 'prompt' }] : [];
  const fits = (tabs: Line, right: Line): boolean => lineWidth(tabs) + lineWidth(right) + 1 <= width;
  // Every tab stays visible: the long names give way first, then the freeze marker (the status line keeps it).
  for (const short of [false, true]) {
    const tabs = build(short);
    if (fits(tabs, frozen)) return { line: spread(tabs, frozen, width, 'tab'), frozenShown: frozen.length > 0 };
  }
  return { line: fitLine(build(true), width, 'tab'), frozenShown: false };
}

/** The replay marker: `REPLAY 2026-12-01 03:12:05 ▶ 10x` (local time, as every clock on screen). */
export function replayText(mark: ReplayMark): string {
  const d = new Date(mark.atMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  const state = mark.atEnd ? '■ end' : mark.playing ? `▶ ${mark.speed}x` : `❚❚ ${mark.speed}x`;
  return `REPLAY ${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${fmtClock(mark.atMs / 1000)} ${state}`;
}

function intervalText(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1).replace(/\.?0+$/, '')}s`;
}

function statusLine(input: FrameInput, t: TargetView | undefined, table: TableView | null, view: ViewId, overlay: OverlayModel | null, frozenOnTabs: boolean): Line {
  const { state, width, nowMs } = input;
  const p = state.prompt;
  if (p?.kind === 'filter') {
    return fitLine([{ text: ` Filter ${viewTitle(view)}: `, style: 'prompt' }, { text: `${p.text}▏`, style: 'prompt' }, { text: '  Enter keep · Esc clear', style: 'prompt' }], width, 'prompt');
  }
  if (p?.kind === 'confirm') {
    return fitLine([{ text: confirmText(p, width).prompt, style: 'prompt' }], width, 'prompt');
  }
  if (p?.kind === 'jump') {
    return fitLine([{ text: ' Jump to (2026-12-01T03:12:00Z, 03:12:05, +90s, -5m): ', style: 'prompt' }, { text: `${p.text}▏`, style: 'prompt' }, { text: '  Enter go · Esc cancel', style: 'prompt' }], width, 'prompt');
  }
  if (p?.kind === 'command') {
    const list = FIFO_COMMANDS.map((c) => c.byte).filter(Boolean).join('');
    const ask = ` Control ${safeText(p.target, 24)}: which FIFO byte? Esc cancels`;
    // The bytes are listed with their names on the lines above: the short list only where it fits whole.
    const withList = `${ask} [${list}]`;
    return fitLine([{ text: lineWidth([{ text: withList }]) <= width ? withList : ask, style: 'prompt' }], width, 'prompt');
  }
  const right: Line = [];
  if (overlay) {
    const first = overlay.total === 0 ? 0 : overlay.scroll + 1;
    const last = Math.min(overlay.total, overlay.scroll + overlay.lines.length);
    right.push({ text: ` lines ${first}-${last} of ${overlay.total}`, style: 'status' });
  } else {
    // Which rows are on screen when not all of them fit: `rows 1-18 of 30`.
    if (table && table.rows.length < table.matched) right.push({ text: ` rows ${table.scrollTop + 1}-${table.scrollTop + table.rows.length} of ${table.matched}`, style: 'status' });
    if (table) right.push({ text: ` sort ${table.sortTitle}${table.descending ? '▼' : '▲'}`, style: 'status' });
    const filter = table ? tableState(state, view).filter : '';
    if (filter) right.push({ text: ` filter "${safeText(filter, 20)}" ${table?.matched ?? 0}/${table?.total ?? 0}`, style: 'status' });
    if (t) right.push({ text: ` every ${intervalText(t.intervalMs)}`, style: 'status' });
  }
  const replay = state.replay ?? null;
  const frozen: Line = replay ? [{ text: frozenOnTabs ? ' REPLAY' : ` ${replayText(replay)}`, style: 'prompt' }] : state.frozenAtMs !== null ? [{ text: frozenOnTabs ? ' FROZEN' : ` FROZEN at ${fmtClock(state.frozenAtMs / 1000)}`, style: 'prompt' }] : [];
  right.push(...frozen, { text: ' ', style: 'status' });
  let left: Line;
  const msg = state.message;
  // The target is named only when there are several: at 80 columns the progress matters more.
  if (t?.running) left = [{ text: ` running ${t.running}${input.targets.length > 1 ? ` on ${safeText(t.target, 30)}` : ''}…`, style: 'status' }];
  else if (msg && (msg.sticky === true || nowMs - msg.atMs < MESSAGE_MS)) {
    left = [{ text: ` ${msg.text}`, style: msg.style === 'error' ? 'prompt' : 'status' }];
    // A message that stays until read says how to read or dismiss it, whatever is cut from its end.
    if (msg.sticky === true) return spread(left, [{ text: ' m:read Esc:dismiss ', style: 'prompt' }], width, 'status');
    // A message says something now; sort and interval can wait until it has been read.
    if (lineWidth(left) + lineWidth(right) > width) return frozen.length ? spread(left, [...frozen, { text: ' ', style: 'status' }], width, 'status') : fitLine(left, width, 'status');
  } else {
    const snap = t?.shown?.snapshot;
    const hints = keyHints(view, state.overlay, t?.hasControl ?? false, snap?.kind === 'instance', Boolean(state.replay));
    left = [{ text: hintText(hints, Math.max(0, width - lineWidth(right) - 1)), style: 'status' }];
  }
  return spread(left, right, width, 'status');
}

type ConfirmPrompt = Extract<NonNullable<UiState['prompt']>, { kind: 'confirm' }>;

/**
 * The y/N line of a confirmation, and the FIFO line that goes above it when both do not fit one line (an
 * 80-column terminal cut the FIFO's path: what is written where must be read in full before y).
 */
function confirmText(p: ConfirmPrompt, width: number): { prompt: string; fifo: string | null } {
  // What to press comes first so that it survives on a narrow terminal; the danger has the lines above.
  const bytes = p.command.byte ? `"${p.command.byte}"` : 'p';
  // A chain reload is offered with a canary first: one worker tries the new code before the others.
  const canary = p.command.name === 'chain-reload' ? ', k: canary first' : '';
  const ask = ` ${p.command.name} ${safeText(p.target, 40)}? y/N${canary}`;
  const path = safeText(p.fifoPath, 200);
  const writes = `writes ${bytes} to ${path}`;
  const whole = `${ask} (${writes})`;
  if (lineWidth([{ text: whole }]) <= width) return { prompt: whole, fifo: null };
  // A path longer than its own line keeps its end, the file that tells FIFOs apart.
  return { prompt: ask, fifo: ` writes ${bytes} to ${cutMiddle(path, Math.max(8, width - 16))}` };
}

/**
 * The lines above the status line while a prompt waits, wrapped to the width: what a command will do (and to
 * how many requests) and, when the y/N line has no room for it, the FIFO it writes to; at the `!` prompt,
 * which byte is which command. At most `room` lines: the FIFO line is the last to go.
 */
function promptHelpLines(input: FrameInput, snap: Snapshot | null, room: number): Line[] {
  const p = input.state.prompt;
  const wrapped = (text: string, style: 'warn' | 'status'): Line[] =>
    wrapWords(text, Math.max(10, input.width - 1)).map((l) => fitLine([{ text: ` ${l}`, style }], input.width));
  if (p?.kind === 'command') {
    // Whole `byte name` pairs to a line: a pair is never split from its byte.
    const rows: string[] = [];
    for (const c of FIFO_COMMANDS.filter((x) => x.byte)) {
      const pair = `${c.byte} ${c.name}`;
      const last = rows.length - 1;
      if (last >= 0 && lineWidth([{ text: `${rows[last]}  ${pair}` }]) <= input.width - 1) rows[last] += `  ${pair}`;
      else rows.push(pair);
    }
    return rows.slice(0, room).map((r) => fitLine([{ text: ` ${r}`, style: 'warn' }], input.width));
  }
  if (p?.kind !== 'confirm') return [];
  // A dangerous command's summary says what it drops or stops.
  const what = p.command.summary;
  const inflight = snap?.kind === 'instance' ? snap.doc.workers.reduce((s, w) => s + w.inFlight.length, 0) : null;
  const now = inflight !== null && /in-flight|shutdown|stop/.test(what) ? ` (${inflight} in flight)` : '';
  const style = p.command.dangerous ? 'warn' : 'status';
  const fifo = confirmText(p, input.width).fifo;
  const fifoLines = fifo === null ? [] : [fitLine([{ text: fifo, style }], input.width)];
  return [...wrapped(`${what}${now}`, style).slice(0, Math.max(0, room - fifoLines.length)), ...fifoLines].slice(-room);
}

function blank(width: number): Line {
  return [{ text: ' '.repeat(width) }];
}

function bodyLines(body: BodyModel, width: number, height: number): Line[] {
  const out: Line[] = [...body.head];
  if (body.table) {
    out.push(body.table.header);
    out.push(...body.table.rows);
  }
  if (body.empty !== null && out.length < height) out.push(fitLine(line(`  ${body.empty}`, 'dim'), width));
  while (out.length < height) out.push(blank(width));
  return out.slice(0, height);
}

function graphCharts(t: TargetView, names: readonly SeriesName[], area: { top: number; left: number; width: number; height: number }, cols: number, rows: number, nowMs: number): ChartModel[] {
  return placeCharts(names, area, cols, rows).map((p) => {
    // One point per two canvas columns is as dense as a braille line can show.
    const points = Math.max(2, p.width - 12);
    return { ...p, ...chartData(p.series, t.series(p.series), points, nowMs) };
  });
}

function detailOverlay(input: FrameInput, t: TargetView, top: number, height: number, clockMs: number): OverlayModel {
  const { state, width, nowMs } = input;
  const ov = state.overlay!;
  const inner = Math.max(1, width - 2);
  const innerH = Math.max(1, height - 2);
  let title = ' Help: every key · Esc closes · ↑↓ scroll ';
  let content: Line[];
  if (ov.kind === 'help') {
    content = helpLines(inner);
  } else if (ov.kind === 'text') {
    title = ` ${safeText(ov.title, 60)} · Esc closes · ↑↓ scroll `;
    content = safeText(ov.text).split('\n').flatMap((part) => wrapWords(part, inner)).map((part) => line(part));
  } else {
    const snap = t.shown?.snapshot;
    const w = snap?.kind === 'instance' ? snap.doc.workers.find((x) => x.slot === ov.slot) : undefined;
    title = ` Worker slot ${ov.slot} · Esc closes · v ${ov.showVars ? 'hides' : 'shows'} request variables · ↑↓ scroll `;
    if (!w) content = [line(`Worker slot ${ov.slot} is not in the current document.`, 'warn')];
    else {
      const d = t.shown?.derived?.workers.find((x) => x.slot === w.slot);
      const readAtMs = snap?.readAtMs ?? nowMs;
      content = workerDetail(w, d, t.events, ov.showVars, inner, nowMs, Math.max(0, clockMs - readAtMs) / 1000, ov.stack);
    }
  }
  const scroll = Math.max(0, Math.min(ov.scroll, content.length - innerH));
  const lines = content.slice(scroll, scroll + innerH).map((l) => fitLine(l, inner));
  // blessed draws a label wider than its box across the content: keep it inside the top border.
  return { top, left: 0, width, height, title: cutToWidth(title, Math.max(0, width - 4)), lines, scroll, total: content.length };
}

/** The lines under a main table: the panes (tall terminals) or one-line facts (short ones). */
function belowTable(split: BodySplit, snap: Snapshot | null, events: readonly MonitorEvent[], width: number, clockMs: number): Line[] {
  const out: Line[] = [];
  if (split.compact > 0) {
    out.push(blank(width));
    const facts: Line[] = [];
    const oldest = snap?.kind === 'instance' ? oldestRequestLine(snap, clockMs, width) : null;
    if (oldest) facts.push(oldest);
    const last = lastEventLine(events, width);
    if (last) facts.push(last);
    // With room for one fact only, the oldest request wins: it is the one still going on.
    out.push(...facts.slice(0, split.compact));
    return out;
  }
  if (split.inflight > 0 && snap?.kind === 'instance') {
    out.push(blank(width));
    out.push(...inflightPane(snap, clockMs, width, split.inflight));
  }
  if (split.events > 0) {
    out.push(blank(width));
    out.push(...eventsPane(events, width, split.events));
  }
  return out;
}

/**
 * Whether the screen would change a second from now without a new poll: an in-flight age counting up, a
 * stale age or a retry countdown, a message about to expire. The dashboard repaints once a second only then.
 */
export function needsTick(state: UiState, targets: readonly TargetView[], nowMs: number): boolean {
  if (state.message && nowMs - state.message.atMs < MESSAGE_MS + 1000) return true;
  // A running command's elapsed time counts up.
  if (targets.some((x) => x.running !== null)) return true;
  for (const x of targets) {
    const s = x.live?.state.state;
    if (s === 'stale' || s === 'down') return true;
  }
  const snap = targets[state.targetIndex]?.shown?.snapshot;
  if (state.frozenAtMs !== null || snap?.kind !== 'instance') return false;
  return snap.doc.workers.some((w) => w.inFlight.length > 0);
}

/** The body of a table view (workers, sockets...): the table, the panes below it and the graph strip under a tall one. */
function tableViewBody(input: FrameInput, t: TargetView | undefined, view: TableViewId, bodyTop: number, bodyH: number, clockMs: number): { lines: Line[]; charts: ChartModel[]; table: TableView | null; pageRows: number } {
  const { state, targets, width, height, nowMs } = input;
  const shown = t?.shown ?? null;
  const snap = shown?.snapshot ?? null;
  const kind = snap?.kind ?? null;
  const inflight = snap?.kind === 'instance' ? snap.doc.workers.reduce((s, w) => s + w.inFlight.length, 0) : null;
  const fleet: FleetRow[] = targets.map((x, index) => ({ index, target: x.target, ...(x.label !== undefined ? { label: x.label } : {}), update: x.live, nowMs }));
  const strip = viewOf(view).strip === true && kind === 'instance' && width >= GRAPH_STRIP_MIN.width && height >= GRAPH_STRIP_MIN.height;
  const tableH = strip ? bodyH - STRIP_HEIGHT : bodyH;
  const events = t?.events ?? [];
  // A main view (workers, vassals, nodes) lends what its table does not need to the panes below it.
  const main = snap !== null && viewOf(view).panes === true;
  const chosen: { split: BodySplit | null } = { split: null };
  const heightFor = (need: number): number => {
    const split = splitBody({
      avail: tableH,
      tableNeed: need,
      inflightNeed: snap?.kind === 'instance' ? inflightNeed(snap) : null,
      eventsNeed: eventsNeed(events),
      compactFacts: (inflight ? 1 : 0) + (events.length > 0 ? 1 : 0),
      terminalHeight: height,
    });
    chosen.split = split;
    return split.table;
  };
  const body = viewBody({
    view, update: shown, events, fleet, table: tableState(state, view), width, height: main ? heightFor : tableH, nowMs, clockMs, coreMode: state.coreMode,
  });
  const bodyOut = bodyLines(body, width, body.height);
  // With a graph strip below, a pane gets no more lines than it fills: the rest goes to the graphs.
  if (chosen.split && strip) {
    const fill = chosen.split.events - eventsNeed(events);
    if (fill > 0) chosen.split = { ...chosen.split, events: chosen.split.events - fill };
  }
  if (chosen.split) bodyOut.push(...belowTable(chosen.split, snap, events, width, clockMs));
  // Lines that every row and pane leave blank (a tall terminal) go to the graphs, in steps of five so that
  // a few new events do not resize them at every poll.
  const spare = strip ? Math.max(0, tableH - bodyOut.length) : 0;
  const grow = spare - (spare % 5);
  const shownH = tableH - grow;
  while (bodyOut.length < shownH) bodyOut.push(blank(width));
  const lines = bodyOut.slice(0, shownH);
  let charts: ChartModel[] = [];
  if (strip && t) {
    const cols = Math.min(STRIP_SERIES.length, Math.floor(width / 40));
    charts = graphCharts(t, STRIP_SERIES, { top: bodyTop + shownH, left: 0, width, height: STRIP_HEIGHT + grow }, cols, 1, nowMs);
    for (let i = 0; i < STRIP_HEIGHT + grow; i++) lines.push(blank(width));
  }
  return { lines, charts, table: body.table, pageRows: Math.max(1, body.height - body.head.length - 1) };
}

/** Build the whole frame. */
export function buildFrame(input: FrameInput): Frame {
  const { state, targets, width, height, nowMs } = input;
  const t = targets[state.targetIndex];
  const shown = t?.shown ?? null;
  const snap = shown?.snapshot ?? null;
  const kind = snap?.kind ?? null;
  const view = resolveView(kind, state.view);
  const clockMs = dataClock(nowMs, state.frozenAtMs, t?.live?.state ?? null);
  const lines: Line[] = [];

  // Very small terminals keep the first summary line, the tabs and the status line.
  const summaryCount = height >= 12 ? SUMMARY_LINES : 1;
  const names = targets.map((x) => safeText(x.label ?? x.target));
  const title = { name: t ? labelled(t) : '', keep: t?.label === undefined ? distinguishingPart(names, state.targetIndex) : null };
  const summary = summaryLines(shown, t?.live?.state ?? null, title, width, nowMs, Boolean(state.replay)).slice(0, summaryCount);
  for (const l of summary) lines.push(fitLine(l, width));
  while (lines.length < summaryCount) lines.push(blank(width));

  const fleet: FleetRow[] = targets.map((x, index) => ({ index, target: x.target, ...(x.label !== undefined ? { label: x.label } : {}), update: x.live, nowMs }));
  if (targets.length > 1 && height >= 12) lines.push(fitLine(fleetLine(fleet, state.targetIndex, width), width, 'tab'));

  const inflight = snap?.kind === 'instance' ? snap.doc.workers.reduce((s, w) => s + w.inFlight.length, 0) : null;
  const tabs = tabsLine(kind, view, inflight, width, state.frozenAtMs, state.replay ?? null);
  lines.push(tabs.line);

  const bodyTop = lines.length;
  const bodyH = Math.max(0, height - bodyTop - 1);
  // The body keeps at least one line (and a popup its border) under a prompt's lines.
  const promptHelp = bodyH >= 2 ? promptHelpLines(input, snap, bodyH - 1) : [];
  let charts: ChartModel[] = [];
  let table: TableView | null = null;
  let pageRows = 1;

  if (isTableView(view)) {
    const main = tableViewBody(input, t, view, bodyTop, bodyH, clockMs);
    lines.push(...main.lines);
    charts = main.charts;
    table = main.table;
    pageRows = main.pageRows;
  } else {
    // A view that draws charts (graphs): every series of the history, as many as the body holds.
    const cols = width >= 120 ? 3 : width >= 64 ? 2 : 1;
    const rows = Math.min(Math.ceil(ALL_SERIES.length / cols), Math.floor(bodyH / 7));
    charts = t ? graphCharts(t, ALL_SERIES, { top: bodyTop, left: 0, width, height: bodyH }, cols, rows, nowMs) : [];
    const msg = charts.length ? [] : [fitLine(line('  the terminal is too small for graphs (at least 32x12 needed)', 'dim'), width)];
    for (let i = 0; i < bodyH; i++) lines.push(msg[i] ?? blank(width));
  }

  // A prompt explains itself on the lines above it (what a command does, which byte is which).
  promptHelp.forEach((l, i) => (lines[bodyTop + bodyH - promptHelp.length + i] = l));

  let overlay: OverlayModel | null = null;
  const overlayH = bodyH - promptHelp.length;
  // A popup needs its border and one line; on a smaller screen the table stays and Esc still closes it.
  if (state.overlay && t && overlayH >= 3) overlay = detailOverlay(input, t, bodyTop, overlayH, clockMs);

  lines.push(statusLine(input, t, table, view, overlay, tabs.frozenShown));
  return {
    width, height, lines: lines.slice(0, height), charts: overlay ? [] : charts.filter((c) => c.top + c.height <= bodyTop + bodyH - promptHelp.length), overlay, view, table, pageRows,
    overlayRows: overlay ? Math.max(1, overlay.height - 2) : 1,
  };
}
