/**
 * The keys that move around the screen, as changes of the UI state: views, targets, sort, selection, what
 * Enter opens, popup scrolling. Each returns the message to show, or null when there is nothing to say.
 */
import type { MonitorEvent } from '../../metrics/types.js';
import type { Action } from './keymap.js';
import { fmtClock } from '../../core/units.js';
import type { Frame } from './model/frame.js';
import { tableState, type UiState } from './model/state.js';
import { resolveView, viewForKey, viewOf, viewsFor, type OpenKind, type ViewId } from './model/view-registry.js';

type Kind = 'instance' | 'emperor' | 'router' | null;

/** Show `view` (a popup open over the old one closes). */
export function setView(state: UiState, view: ViewId): void {
  state.view = view;
  state.overlay = null;
}

/** Tab / Shift-Tab: the next or previous view this kind of target has. */
export function cycleView(state: UiState, kind: Kind, step: number): void {
  const views = viewsFor(kind);
  const cur = views.findIndex((v) => v.id === resolveView(kind, state.view));
  setView(state, views[(cur + step + views.length) % views.length]!.id);
}

/** A view's digit key. */
export function selectViewKey(state: UiState, kind: Kind, key: string): string | null {
  const view = viewForKey(kind, key);
  if (view === null) return `no view ${key} for this ${kind ?? 'target'} (press ? for the views)`;
  setView(state, view);
  return null;
}

/** `]` / `[`: the target at `index` (wrapping) out of `count`. */
export function switchTarget(state: UiState, count: number, index: number): string | null {
  if (count <= 1) return 'only one target (give several addresses to switch between them)';
  state.targetIndex = ((index % count) + count) % count;
  state.overlay = null;
  return null;
}

/** `>` / `<`: sort by the next or previous column shown. */
export function cycleSort(state: UiState, frame: Frame | null, step: number): void {
  const table = frame?.table;
  if (!table || table.shown.length === 0) return;
  // Several keys can arrive in one read, before the next frame: move from the state, not the last frame.
  const ts = tableState(state, state.view);
  const cols = table.shown;
  const cur = cols.indexOf(ts.sortId ?? table.sortId);
  ts.sortId = cols[(cur + step + cols.length) % cols.length]!;
  ts.reverse = false;
}

/** `r` (as uwsgitop's `I`): reverse the sort. */
export function reverseSort(state: UiState): void {
  const ts = tableState(state, state.view);
  ts.reverse = !ts.reverse;
}

/** Move the selection by `delta` rows (±Infinity: first or last). */
export function moveSelection(state: UiState, frame: Frame | null, delta: number): void {
  const table = frame?.table;
  if (!table || table.keys.length === 0) return;
  const ts = tableState(state, state.view);
  const known = ts.selectedKey === null ? -1 : table.keys.indexOf(ts.selectedKey);
  const cur = known >= 0 ? known : Math.min(ts.selectedIndex, table.keys.length - 1);
  const next = delta === -Infinity ? 0 : delta === Infinity ? table.keys.length - 1 : Math.max(0, Math.min(table.keys.length - 1, cur + delta));
  ts.selectedIndex = next;
  ts.selectedKey = table.keys[next] ?? null;
}

/** What Enter does on a selected row (its key), by what the view's object says it opens. */
const OPENERS: Record<OpenKind, (state: UiState, key: string, events: readonly MonitorEvent[]) => void> = {
  worker: (state, key) => {
    state.overlay = { kind: 'detail', slot: Number(key.split(':')[0]), scroll: 0, showVars: false };
  },
  'worker-variables': (state, key) => {
    state.overlay = { kind: 'detail', slot: Number(key.split(':')[0]), scroll: 0, showVars: true };
  },
  event: (state, key, events) => {
    const [atMs, index] = key.split(':').map(Number);
    const e = events[index!]?.atMs === atMs ? events[index!] : events.find((x) => x.atMs === atMs);
    if (e) state.overlay = { kind: 'text', title: `${fmtClock(e.atMs / 1000)} ${e.severity} ${e.type}`, text: e.message, scroll: 0 };
  },
  target: (state, key) => {
    state.targetIndex = Number(key);
    state.view = 'workers';
  },
};

/** Enter: a worker's or request's detail, an event whole, or the fleet row's target (the view's `open`). */
export function openSelected(state: UiState, frame: Frame | null, events: readonly MonitorEvent[]): void {
  const table = frame?.table;
  const key = tableState(state, state.view).selectedKey ?? table?.selectedKey;
  if (!table || key === null || key === undefined) return;
  const open = viewOf(state.view).open;
  if (open !== undefined) OPENERS[open.opens](state, key, events);
}

/** `v` on the main screen: the selected worker or request in its popup, every request variable shown; else why not. */
export function openVariables(state: UiState, frame: Frame | null): string | null {
  const opens = viewOf(state.view).open?.opens;
  if (opens !== 'worker' && opens !== 'worker-variables') return 'v shows the request variables of a worker (1) or a request in flight (2)';
  const key = tableState(state, state.view).selectedKey ?? frame?.table?.selectedKey;
  if (key === null || key === undefined || !frame?.table) return state.view === 'requests' ? 'no request in flight to show' : 'no worker selected';
  state.overlay = { kind: 'detail', slot: Number(key.split(':')[0]), scroll: 0, showVars: true };
  return null;
}

/** A key of an open popup: scroll, close, or show a request's variables. */
export function popupAction(state: UiState, frame: Frame | null, action: Action): void {
  const ov = state.overlay!;
  const page = frame?.overlayRows ?? 10;
  const scrollBy = (n: number): void => {
    const total = frame?.overlay?.total ?? 0;
    ov.scroll = Math.max(0, Math.min(ov.scroll + n, Math.max(0, total - page)));
  };
  switch (action) {
    case 'close': state.overlay = null; return;
    case 'up': return scrollBy(-1);
    case 'down': return scrollBy(1);
    case 'page-up': return scrollBy(-page);
    case 'page-down': return scrollBy(page);
    case 'home': ov.scroll = 0; return;
    case 'end': return scrollBy(Infinity);
    case 'vars':
      if (ov.kind === 'detail') ov.showVars = !ov.showVars;
      return;
    default:
      return;
  }
}

/** `a` (as uwsgitop): workers only -> one row per core -> cores under their worker -> workers only. */
export function cycleCores(state: UiState, kind: Kind): string {
  const order = ['off', 'merged', 'under'] as const;
  state.coreMode = order[(order.indexOf(state.coreMode) + 1) % order.length]!;
  if (resolveView(kind, state.view) !== 'workers') setView(state, 'workers');
  return state.coreMode === 'off'
    ? 'cores hidden: one row per worker'
    : state.coreMode === 'merged'
      ? 'one row per core (WID:core); a again: cores under their worker'
      : 'each worker with its cores under it; a again: workers only';
}
