// @module-tag calendar
/**
 * The text report for every kind of document and its layout: emperor vassals, router subscriptions and
 * nodes, legions and caches from real uWSGI; columns aligned; `--count` prints N reports an interval apart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cleanupAll, httpRequests, rawStats, startUwsgi, waitFor } from '../support/uwsgi.js';
import { startEmperor, startFastrouterWithSubscriber, startLegion } from '../support/topologies.js';
import { parseTable, runCli, section } from '../support/cli-helpers.js';

afterAll(cleanupAll);

/** Column start offsets of a header line (each name begins after two or more spaces, or at 0). */
function headerColumns(header: string): Map<string, [number, number]> {
  const cols = new Map<string, [number, number]>();
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) cols.set(m[0], [m.index!, m.index! + m[0].length]);
  return cols;
}

describe('text report of each kind of document', () => {
  it('lists every vassal of an emperor with its pid', async () => {
    const { emperor } = await startEmperor(['alpha', 'beta', 'gamma']);
    const raw = await waitFor(async () => {
      const doc = await rawStats(emperor);
      return doc.vassals.length === 3 && doc.vassals.every((v: any) => v.pid > 0) ? doc : null;
    }, 'three running vassals');
    const { code, stdout } = await runCli(['--once', '-i', '0.2', emperor.statsAddress]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toContain(`uWSGI Emperor`);
    expect(stdout.split('\n')[0]).toContain(`master pid ${emperor.pid}`);
    expect(stdout).toMatch(/^vassals 3: /m);
    const rows = parseTable(section(stdout, 'Vassals (').map((l) => l.replace('LAST MOD', 'LAST_MOD')));
    const byId = new Map(rows.map((r) => [r.VASSAL, r]));
    for (const v of raw.vassals) expect(byId.get(v.id)?.PID).toBe(String(v.pid));
  }, 60_000);

  it("shows a router's subscriptions with their nodes", async () => {
    const { router, nodeAddress } = await startFastrouterWithSubscriber('shop.local');
    await waitFor(async () => ((await rawStats(router)).subscriptions?.length ?? 0) > 0, 'the subscription');
    const { code, stdout } = await runCli(['--once', '-i', '0.2', router.statsAddress]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^fastrouter {2}active sessions \d+ {2}subscriptions 1 \(1 nodes\)/m);
    const nodes = parseTable(section(stdout, 'Subscription shop.local').map((l) => l.replace('LAST CHECK', 'LAST_CHECK')));
    expect(nodes.map((n) => n.NODE)).toEqual([nodeAddress]);
  }, 60_000);

  it('shows a legion with its lord and members', async () => {
    const nodes = await startLegion([99, 50]);
    const lord = await waitFor(async () => {
      for (const n of nodes) {
        const doc = await rawStats(n);
        if (doc.legions?.[0]?.i_am_the_lord > 0 && doc.legions[0].members.length > 0) return { n, doc };
      }
      return null;
    }, 'a legion lord', 30_000, 300);
    const { code, stdout } = await runCli(['--once', '-i', '0.2', lord.n.statsAddress]);
    expect(code).toBe(0);
    const legion = section(stdout, `Legion ${lord.doc.legions[0].legion} at `).join('\n');
    expect(legion).toContain('this node is lord since');
    expect(legion).toContain(`valor ${lord.doc.legions[0].valor}`);
    for (const m of lord.doc.legions[0].members) expect(legion).toContain(m.uuid);
  }, 60_000);

  it('shows caches with hits, misses and items after known cache traffic, in aligned columns', async () => {
    const proc = await startUwsgi({ workers: 2, args: ['--cache2', 'name=default,items=50', '--memory-report'] });
    // /cache?KEY: a miss then a set the first time, a hit afterwards.
    await httpRequests(proc.httpPort!, '/cache?alpha', 3);
    await httpRequests(proc.httpPort!, '/cache?beta', 1);
    const raw = await rawStats(proc);
    const cache = raw.caches[0];
    const { code, stdout } = await runCli(['--once', '-i', '0.2', proc.statsAddress]);
    expect(code).toBe(0);
    const [row] = parseTable(section(stdout, 'Caches ('));
    expect(row).toMatchObject({ NAME: cache.name, 'ITEMS/MAX': `${cache.items}/${cache.max_items}`, HITS: String(cache.hits), MISSES: String(cache.miss) });
    expect(cache.items).toBe(2);

    // Every cell of the workers table sits under its header: right-aligned cells end where the header ends.
    const table = section(stdout, 'Workers (');
    const cols = headerColumns(table[0]!);
    for (const line of table.slice(1)) {
      const [, pidEnd] = cols.get('PID')!;
      expect(line[pidEnd - 1]).toMatch(/\d/);
      expect(line[pidEnd] ?? ' ').toBe(' ');
      const [statusStart] = cols.get('STATUS')!;
      expect(line.slice(statusStart)).toMatch(/^(idle|busy) /);
    }
  }, 60_000);
});

describe('--count', () => {
  it('prints N reports of the same target, each with rates', async () => {
    const proc = await startUwsgi({ workers: 2 });
    const { code, stdout } = await runCli(['--count', '3', '-i', '0.2', proc.statsAddress]);
    expect(code).toBe(0);
    const titles = stdout.split('\n').filter((l) => l.startsWith('== '));
    expect(titles).toHaveLength(3);
    expect(titles.every((t) => t.includes(`master pid ${proc.pid}`))).toBe(true);
    const rpsValues = [...stdout.matchAll(/^requests \d+ {2}rps (\S+)/gm)].map((m) => m[1]);
    expect(rpsValues).toHaveLength(3);
    expect(rpsValues.every((v) => /^\d+\.\d$/.test(v!))).toBe(true);
  }, 30_000);
});

describe('memory columns', () => {
  it("shows uWSGI's RSS with --memory-report, and the kernel's for a local instance without it", async () => {
    const [plain, measured] = await Promise.all([startUwsgi({ workers: 1 }), startUwsgi({ workers: 1, args: ['--memory-report'] })]);
    await Promise.all([httpRequests(plain.httpPort!, '/', 3), httpRequests(measured.httpPort!, '/', 3)]);
    const rawMeasured = await waitFor(async () => {
      const doc = await rawStats(measured);
      return doc.workers[0].rss > 0 ? doc : null;
    }, 'a measured RSS');
    expect((await rawStats(plain)).workers[0].rss).toBe(0);
    const rowOf = async (address: string) => {
      const { stdout } = await runCli(['--once', '-i', '0.2', address]);
      return parseTable(section(stdout, 'Workers ('))[0]!;
    };
    const plainRow = await rowOf(plain.statsAddress);
    // uWSGI says 0 (not measured); the instance is local, so /proc says what it is.
    const pid = (await rawStats(plain)).workers[0].pid;
    const vmRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]) / 1024;
    expect(Number.parseFloat(plainRow.RSS!)).toBeCloseTo(vmRss, 0);
    expect(plainRow.VSZ).not.toBe('-');
    const measuredRow = await rowOf(measured.statsAddress);
    expect(measuredRow.RSS).not.toBe('-');
    // uWSGI reports bytes; the report shows them in binary units (e.g. 11.7M).
    const mib = rawMeasured.workers[0].rss / 1024 / 1024;
    expect(Number.parseFloat(measuredRow.RSS!)).toBeCloseTo(mib, 0);
  }, 60_000);
});
