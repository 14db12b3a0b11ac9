/**
 * Every dashboard view as one object: its number key, titles, the document kinds that offer it (in this
 * table's order, which is the tab order), what it draws, what Enter opens and the hints it adds. The view
 * switcher, the tabs, the help's number-key and Enter lines (so README's key table), the status-line hints
 * and the frame's layout read this table; a table view's body is its entry in `VIEW_BODIES` (views.ts), which
 * the compiler holds to exactly the table views here. Type-only imports: the keymap reads this file for the
 * CLI's --help, which must not load the views' columns.
 */
import type { DocumentKind } from '../../../stats/snapshot.js';
import type { Action } from '../keymap.js';

/** The number keys in keyboard order (0 is the tenth). */
export const VIEW_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;

/** What Enter does on the selected row. */
export type OpenKind = 'worker' | 'worker-variables' | 'event' | 'target';

/** How the help's Enter line names what each kind of opening shows. */
const OPENS: Record<OpenKind, string> = { worker: 'a worker', 'worker-variables': 'a worker', event: 'an event whole', target: 'the target' };

export interface ViewSpec {
  /** The number key (0 for the tenth); several views share one when no kind offers two of them. */
  key: (typeof VIEW_KEYS)[number];
  title: string;
  /** The title on narrow terminals. */
  short: string;
  /** The document kinds that offer the view (none read yet counts as an instance). */
  kinds: readonly [DocumentKind, ...DocumentKind[]];
  /** 'table': rows, its body in views.ts's VIEW_BODIES; 'charts': the history graphs frame.ts draws, no table. */
  draws: 'table' | 'charts';
  /** Enter on a row: its word on the status line and what it opens. */
  open?: { word: string; opens: OpenKind };
  /** Hints of the view's own keys: `lead` after Enter's, `tail` after the table keys once an instance is read. */
  hints?: { lead?: readonly Action[]; tail?: readonly Action[] };
  /** The main view of its kinds: the in-flight and events panes below take what its table leaves. */
  panes?: true;
  /** A tall terminal adds the graph strip under the table. */
  strip?: true;
  /** The tab counts the requests in flight. */
  countsInFlight?: true;
}

/** Every view; the order is the tab order of each kind. */
export const VIEWS = {
  workers: {
    key: '1', title: 'Workers', short: 'Wrk', kinds: ['instance'], draws: 'table', open: { word: 'detail', opens: 'worker' },
    hints: { tail: ['cores'] }, panes: true, strip: true,
  },
  vassals: { key: '1', title: 'Vassals', short: 'Vas', kinds: ['emperor'], draws: 'table', panes: true },
  nodes: { key: '1', title: 'Nodes', short: 'Nod', kinds: ['router'], draws: 'table', panes: true },
  requests: {
    key: '2', title: 'Requests', short: 'Req', kinds: ['instance'], draws: 'table', open: { word: 'worker', opens: 'worker-variables' },
    hints: { lead: ['vars'] }, countsInFlight: true,
  },
  graphs: { key: '3', title: 'Graphs', short: 'Gra', kinds: ['instance'], draws: 'charts', hints: { lead: ['next-view', 'slower', 'freeze'] } },
  caches: { key: '4', title: 'Caches', short: 'Cac', kinds: ['instance'], draws: 'table' },
  sockets: { key: '5', title: 'Sockets', short: 'Soc', kinds: ['instance'], draws: 'table' },
  metrics: { key: '6', title: 'Metrics', short: 'Met', kinds: ['instance'], draws: 'table' },
  legions: { key: '7', title: 'Legions', short: 'Leg', kinds: ['instance'], draws: 'table' },
  tasks: { key: '8', title: 'Tasks', short: 'Tsk', kinds: ['instance'], draws: 'table' },
  events: { key: '9', title: 'Events', short: 'Evt', kinds: ['instance', 'emperor', 'router'], draws: 'table', open: { word: 'whole event', opens: 'event' } },
  fleet: { key: '0', title: 'Fleet', short: 'Flt', kinds: ['instance', 'emperor', 'router'], draws: 'table', open: { word: 'go to target', opens: 'target' } },
} as const satisfies Record<string, ViewSpec>;

export type ViewId = keyof typeof VIEWS;

/** The ids of the views of a registry that draw a table (so need a body). */
export type TableIdsOf<V extends Record<string, ViewSpec>> = { [K in keyof V & string]: V[K]['draws'] extends 'table' ? K : never }[keyof V & string];

/** The views with a table body. */
export type TableViewId = TableIdsOf<typeof VIEWS>;

export interface View extends ViewSpec {
  id: ViewId;
}

const ALL: readonly View[] = (Object.keys(VIEWS) as ViewId[]).map((id) => ({ id, ...VIEWS[id] }));
const BY_ID = new Map<ViewId, View>(ALL.map((v) => [v.id, v]));
const BY_KIND = new Map<DocumentKind, View[]>((['instance', 'emperor', 'router'] as const).map((k) => [k, ALL.filter((v) => v.kinds.includes(k))]));

/** The view object of an id. */
export function viewOf(id: ViewId): View {
  return BY_ID.get(id)!;
}

/** Whether a view shows a table (its body in VIEW_BODIES) rather than charts. */
export function isTableView(id: ViewId): id is TableViewId {
  return viewOf(id).draws === 'table';
}

/** The views offered for a document kind (instance when nothing was read yet), in tab order. */
export function viewsFor(kind: DocumentKind | null): readonly View[] {
  return BY_KIND.get(kind ?? 'instance')!;
}

/** The view a number key selects for this kind, or null when that number has no view here. */
export function viewForKey(kind: DocumentKind | null, key: string): ViewId | null {
  return viewsFor(kind).find((v) => v.key === key)?.id ?? null;
}

/** The view to show for this kind: `wanted` when offered, else the kind's main view. */
export function resolveView(kind: DocumentKind | null, wanted: ViewId): ViewId {
  const views = viewsFor(kind);
  return views.some((v) => v.id === wanted) ? wanted : views[0]!.id;
}

/** Title of a view. */
export function viewTitle(id: ViewId): string {
  return viewOf(id).title;
}

/** Short title (narrow terminals). */
export function viewShort(id: ViewId): string {
  return viewOf(id).short;
}

/** The help's line for the number keys, from the views themselves: "1 Workers/Vassals/Nodes 2 Requests …". */
export function viewKeysHelp(): string {
  // No-break spaces keep each number with its view's name when the line wraps.
  return VIEW_KEYS.map((key) => `${key}\u00a0${ALL.filter((v) => v.key === key).map((v) => v.title).join('/')}`).join(' ');
}

/** What Enter opens, for the help: "a worker (Workers, Requests), an event whole (Events), the target (Fleet)". */
export function openHelp(): string {
  const byWhat = new Map<string, string[]>();
  for (const v of ALL) {
    if (v.open === undefined) continue;
    const what = OPENS[v.open.opens];
    byWhat.set(what, [...(byWhat.get(what) ?? []), v.title]);
  }
  return [...byWhat].map(([what, titles]) => `${what} (${titles.join(', ')})`).join(', ');
}
