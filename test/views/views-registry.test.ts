/**
 * A dashboard view is one object (src/views/dashboard/model/view-registry.ts) plus its body (VIEW_BODIES in
 * views.ts): the keys, the help and the tabs are built from the registry, every table view of every kind has a
 * body of its own, and a half-added view fails to compile (the `@ts-expect-error` lines below are themselves
 * errors for tsc -p tsconfig.test.json the day the mistake they show would be accepted).
 */
import { describe, expect, it } from 'vitest';
import { KEYMAP } from '../../src/views/dashboard/keymap.js';
import { lineText } from '../../src/views/dashboard/model/line.js';
import { newTableState } from '../../src/views/dashboard/model/table.js';
import { VIEW_BODIES, viewBody, type BodiesOf, type ViewBodies } from '../../src/views/dashboard/model/views.js';
import { isTableView, VIEW_KEYS, viewForKey, viewsFor, type ViewSpec } from '../../src/views/dashboard/model/view-registry.js';
import { FakeMonitor, HARNESS_NOW_MS, sample } from '../support/views-support.js';

const KINDS = ['instance', 'emperor', 'router'] as const;
const DOCS = { instance: 'instance-busy.json', emperor: 'emperor.json', router: 'fastrouter.json' } as const;

describe('the view registry', () => {
  it('gives every number key a view, and no kind two views on one key', () => {
    for (const key of VIEW_KEYS) expect(KINDS.some((kind) => viewForKey(kind, key) !== null), key).toBe(true);
    for (const kind of KINDS) {
      const keys = viewsFor(kind).map((v) => v.key);
      expect(new Set(keys).size, kind).toBe(keys.length);
    }
  });

  it('builds the help\'s number-key and Enter lines from the views', () => {
    const viewsHelp = KEYMAP.find((b) => b.action === 'view')!.help;
    const openHelp = KEYMAP.find((b) => b.action === 'open')!.help;
    for (const kind of KINDS) {
      for (const v of viewsFor(kind)) {
        expect(viewsHelp, v.id).toMatch(new RegExp(`${v.key}\u00a0([A-Za-z]+/)*${v.title}\\b`));
        if (v.open !== undefined) expect(openHelp, v.id).toContain(v.title);
      }
    }
  });

  it('gives every table view of every kind a body of its own: only the workers view shows the workers table', () => {
    for (const kind of KINDS) {
      const m = new FakeMonitor('t:1');
      m.push(sample(DOCS[kind]), 0);
      for (const v of viewsFor(kind)) {
        if (!isTableView(v.id)) {
          expect(v.draws, v.id).toBe('charts');
          continue;
        }
        const body = viewBody({
          view: v.id, update: m.latest(), events: [], fleet: [], table: newTableState(), width: 120, height: 20, nowMs: HARNESS_NOW_MS, clockMs: HARNESS_NOW_MS,
        });
        const workersHeader = lineText(viewBody({
          view: 'workers', update: null, events: [], fleet: [], table: newTableState(), width: 120, height: 20, nowMs: HARNESS_NOW_MS, clockMs: HARNESS_NOW_MS,
        }).table!.header);
        expect(lineText(body.table!.header) === workersHeader, `${kind} ${v.id}`).toBe(v.id === 'workers');
      }
    }
  });

  it('refuses a half-added view at compile time', () => {
    const { caches: _caches, ...withoutCaches } = VIEW_BODIES;
    // @ts-expect-error caches draws a table: the bodies without it do not compile
    const missing: ViewBodies = withoutCaches;
    // @ts-expect-error graphs draws charts (frame.ts builds them): a table body for it does not compile
    const extra: ViewBodies = { ...VIEW_BODIES, graphs: VIEW_BODIES.workers };
    const proxy = {
      // @ts-expect-error 'proxy' is not a document kind
      key: '4', title: 'Proxy', short: 'Prx', kinds: ['proxy'], draws: 'table',
    } satisfies ViewSpec;
    // A new table view in a registry asks for its body: an empty record does not compile, one body does.
    const registry = { spool: { key: '8', title: 'Spool', short: 'Spl', kinds: ['instance'], draws: 'table' } } as const satisfies Record<string, ViewSpec>;
    // @ts-expect-error spool draws a table and has no body
    const none: BodiesOf<typeof registry> = {};
    const one: BodiesOf<typeof registry> = { spool: VIEW_BODIES.tasks };
    expect([missing, extra, proxy, none, one]).toHaveLength(5);
  });
});
