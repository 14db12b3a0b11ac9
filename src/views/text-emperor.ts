/** The plain-text report of an Emperor document: summary line, vassal table, blacklist. */
import type { EmperorSnapshot } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { safeText } from '../core/safe-text.js';
import { vassalRows, vassalsSpec } from '../present/columns/emperor.js';
import { specTable } from './text-spec.js';
import { appendLines, renderTable, type Column } from './text-table.js';
import { fmtEpochShort, plainNumber, yesNo } from '../core/units.js';

const r = (header: string): Column => ({ header, align: 'right' });
const l = (header: string): Column => ({ header, align: 'left' });

/** Summary line of an Emperor: vassal counts, throttle, tyrant mode, watched directories. */
export function emperorSummary(snap: EmperorSnapshot): string[] {
  const doc = snap.doc;
  const ready = doc.vassals.filter((v) => v.ready).length;
  const accepting = doc.vassals.filter((v) => v.accepting).length;
  const cursed = doc.vassals.filter((v) => v.cursed > 0).length;
  return [
    [
      `vassals ${doc.vassals.length}: ready ${ready}, accepting ${accepting}, cursed ${cursed}`,
      `blacklisted ${doc.blacklist.length}`,
      `throttle level ${doc.throttleLevel}`,
      `tyrant ${yesNo(doc.emperorTyrant)}`,
    ].join('  '),
    `watching ${doc.emperor.length > 0 ? doc.emperor.map((e) => safeText(e, 80)).join(', ') : 'nothing'}`,
  ];
}

/** Vassal and blacklist tables of an Emperor, each preceded by a blank line. */
export function emperorSections(snap: EmperorSnapshot, derived: Derived): string[] {
  const doc = snap.doc;
  const now = snap.readAtMs;
  const out: string[] = ['', `Vassals (${doc.vassals.length})`];
  appendLines(out, specTable(vassalsSpec, vassalRows(doc.vassals, derived.vassals, now)));
  if (doc.blacklist.length > 0) {
    out.push('', `Blacklist (${doc.blacklist.length})`);
    appendLines(out, renderTable(
        [l('VASSAL'), r('THROTTLE'), r('ATTEMPTS'), l('FIRST'), l('LAST')],
        doc.blacklist.map((b) => [
          safeText(b.id, 60),
          plainNumber(b.throttleLevel),
          plainNumber(b.attempt),
          fmtEpochShort(b.firstAttempt, now),
          fmtEpochShort(b.lastAttempt, now),
        ]),
      ),
    );
  }
  return out;
}
