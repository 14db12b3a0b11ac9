/**
 * The recipe for a workers column (docs/architecture.md): one row in src/present/columns/workers.ts (plus, for a
 * new figure, its derivation in src/metrics). The dashboard's table, the `--once` report and the page's table
 * all read that one spec, so a row added there shows everywhere. The row here is added at run time and
 * removed after, to show that nothing else has to change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inst, sample } from '../support/metrics-fixtures.js';
import { workersSpec, type WorkerRow } from '../../src/present/columns/workers.js';
import type { Column } from '../../src/present/columns/spec.js';
import { buildTable, newTableState } from '../../src/views/dashboard/model/table.js';
import { lineText } from '../../src/views/dashboard/model/line.js';
import { workersTable } from '../../src/views/text-instance.js';
import { workerRows } from '../../src/present/columns/workers.js';
import { derive } from '../../src/metrics/derive.js';

// The signals each worker handled: 3 on worker 2 in the edited sample, 0 elsewhere.
const SIGNALS: Column<WorkerRow> = { id: 'signals', title: 'SIGNALS', width: 7, align: 'right', priority: 1, text: (r) => String(r.w.signals), sort: (r) => r.w.signals };

afterEach(() => {
  const at = workersSpec.columns.indexOf(SIGNALS);
  if (at >= 0) workersSpec.columns.splice(at, 1);
});

describe('adding a workers column', () => {
  it('is one row in the spec: the dashboard and the text report show it', () => {
    const doc = sample('instance-busy.json');
    doc.workers[1].signals = 3;
    const snap = inst(doc, 0);
    const derived = derive(null, snap);
    workersSpec.columns.push(SIGNALS);
    const rows = workerRows(snap.doc.workers, derived.workers, snap.readAtMs);
    const dash = buildTable(rows, workersSpec, newTableState(), 200, 10);
    expect(lineText(dash.header)).toContain('SIGNALS');
    const text = workersTable(snap, derived);
    expect(text[0]).toMatch(/SIGNALS$/);
    expect(text[2]).toMatch(/ 3$/);
  });
});
