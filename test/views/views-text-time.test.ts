// @module-tag calendar
/** The text report's time columns: a spawn minutes ago reads as a clock time, one days ago as month-day and minute. */
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/metrics/derive.js';
import { workersTable } from '../../src/views/text-instance.js';
import { inst, sample } from '../support/metrics-fixtures.js';
import { localClock, localMonthDayTime } from '../support/clock.js';

const DAY_MS = 86_400_000;

/** The LastSpwn cell of the worker with `pid` in a workers table. */
function lastSpawnCell(lines: string[], pid: number): string {
  const header = lines[0]!;
  const row = lines.find((l) => l.includes(` ${pid} `))!;
  // Right-aligned under its title: the cell ends where the title ends and starts after the RunT column.
  return row.slice(header.indexOf('RunT') + 'RunT'.length, header.indexOf('LastSpwn') + 'LastSpwn'.length).trim();
}

describe('LastSpwn in the text report', () => {
  it('is the local clock time when the worker was spawned within a day of the read', () => {
    const doc = sample('instance-busy.json');
    const snap = inst(doc, 0);
    const lines = workersTable(snap, derive(null, snap));
    expect(lastSpawnCell(lines, doc.workers[0].pid)).toBe(localClock(doc.workers[0].last_spawn));
  });

  it('is month-day and minute, whole, when the read is ten days after the spawn', () => {
    const doc = sample('instance-busy.json');
    const snap = inst(doc, 10 * DAY_MS);
    const lines = workersTable(snap, derive(null, snap));
    expect(lastSpawnCell(lines, doc.workers[0].pid)).toBe(localMonthDayTime(doc.workers[0].last_spawn));
  });

  it('is a date when the spawn is more than half a year before the read, and - for an impossible time', () => {
    const doc = sample('instance-busy.json');
    doc.workers[1].last_spawn = 1e308;
    const snap = inst(doc, 400 * DAY_MS);
    const lines = workersTable(snap, derive(null, snap));
    const d = new Date(doc.workers[0].last_spawn * 1000);
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    expect(lastSpawnCell(lines, doc.workers[0].pid)).toBe(day);
    expect(lastSpawnCell(lines, doc.workers[1].pid)).toBe('-');
  });
});
