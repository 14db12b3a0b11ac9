/** `--sort COLUMN` and `--filter TEXT` (htop's -s and -F): the first table's order and filter at start. */
import { UsageError } from '../../../core/errors.js';
import { vassalsSpec } from '../../../present/columns/emperor.js';
import { nodesSpec } from '../../../present/columns/router.js';
import { tableState, type UiState } from './state.js';
import { workersSpec } from '../../../present/columns/workers.js';
import { FILTER_CHARS } from '../input.js';

/** What the dashboard starts with, as the command line gave it. */
export interface StartTable {
  sort?: string;
  filter?: string;
}

const SPECS = [workersSpec, vassalsSpec, nodesSpec] as const;

/**
 * The column id `--sort` names, by the title shown (`RSS`, `BUSY%`, case aside) or its id (`busy`), in the
 * workers table or, for an Emperor or a router, the vassals or nodes table (view 1).
 */
export function sortColumnId(text: string): string {
  const wanted = text.trim().toLowerCase();
  for (const spec of SPECS) {
    for (const c of spec.columns) if (c.id.toLowerCase() === wanted || c.title.toLowerCase() === wanted) return c.id;
  }
  const titles = [...new Set(SPECS.flatMap((s) => s.columns.map((c) => c.title)))];
  throw new UsageError(`--sort: no column ${JSON.stringify(text)} in the workers (vassals, nodes) table; the columns are ${titles.join(', ')}`);
}

/** Put `start` into the dashboard's first table (view 1), as if its keys had been pressed. */
export function applyStart(state: UiState, start: StartTable): void {
  const table = tableState(state, 'workers');
  if (start.sort !== undefined) table.sortId = sortColumnId(start.sort);
  if (start.filter !== undefined) {
    if (start.filter !== '' && !FILTER_CHARS.test(start.filter)) throw new UsageError('--filter: control characters cannot be typed at the filter prompt either');
    table.filter = start.filter;
  }
}
