/**
 * Every dashboard view's id, number key and titles: the one table the view switcher, the help and the
 * README's key table read. No imports, so the CLI's --help can read it without loading the views.
 */
export type ViewId =
  | 'workers'
  | 'requests'
  | 'graphs'
  | 'caches'
  | 'sockets'
  | 'metrics'
  | 'legions'
  | 'tasks'
  | 'vassals'
  | 'nodes'
  | 'events'
  | 'fleet';

export interface ViewInfo {
  id: ViewId;
  /** The number key (0 for the tenth). */
  key: string;
  title: string;
  short: string;
}

export const ALL: Record<ViewId, ViewInfo> = {
  workers: { id: 'workers', key: '1', title: 'Workers', short: 'Wrk' },
  vassals: { id: 'vassals', key: '1', title: 'Vassals', short: 'Vas' },
  nodes: { id: 'nodes', key: '1', title: 'Nodes', short: 'Nod' },
  requests: { id: 'requests', key: '2', title: 'Requests', short: 'Req' },
  graphs: { id: 'graphs', key: '3', title: 'Graphs', short: 'Gra' },
  caches: { id: 'caches', key: '4', title: 'Caches', short: 'Cac' },
  sockets: { id: 'sockets', key: '5', title: 'Sockets', short: 'Soc' },
  metrics: { id: 'metrics', key: '6', title: 'Metrics', short: 'Met' },
  legions: { id: 'legions', key: '7', title: 'Legions', short: 'Leg' },
  tasks: { id: 'tasks', key: '8', title: 'Tasks', short: 'Tsk' },
  events: { id: 'events', key: '9', title: 'Events', short: 'Evt' },
  fleet: { id: 'fleet', key: '0', title: 'Fleet', short: 'Flt' },
};

/** The number keys in keyboard order (0 is the tenth). */
export const VIEW_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;

/** The help's line for the number keys, from the views themselves: "1 Workers/Vassals/Nodes 2 Requests …". */
export function viewKeysHelp(): string {
  // No-break spaces keep each number with its view's name when the line wraps.
  return VIEW_KEYS.map((key) => `${key}\u00a0${Object.values(ALL).filter((v) => v.key === key).map((v) => v.title).join('/')}`).join(' ');
}

