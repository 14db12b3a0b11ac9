/**
 * The one-shot plain-text report of one target (`--once`, `--count`, non-TTY default), like `top -b`:
 * a title line, summary lines, then the tables of whatever the document holds. Pure: returns the text.
 */
import type { Snapshot } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { safeText } from '../core/safe-text.js';
import { fmtDuration, fmtLocalTime } from '../core/units.js';
import { instanceSections, instanceSummary } from './text-instance.js';
import { emperorSections, emperorSummary } from './text-emperor.js';
import { routerSections, routerSummary } from './text-router.js';

export interface ReportOptions {
  /** Why there are no rates in this report (e.g. a file target), shown under the summary. */
  ratesNote?: string | null;
}

const KIND_LABEL = { instance: 'uWSGI', emperor: 'uWSGI Emperor', router: 'uWSGI router' } as const;

/** The title line: target, kind, version, master pid, uptime (instances) and when the document was read. */
function titleLine(snapshot: Snapshot, derived: Derived): string {
  const parts = [
    `== ${safeText(snapshot.target, 80)}`,
    `${KIND_LABEL[snapshot.kind]} ${safeText(snapshot.doc.version, 30)}`,
    `master pid ${snapshot.doc.pid}`,
  ];
  const uptime = derived.instance?.uptimeSeconds;
  if (uptime != null) {
    const from = derived.instance?.uptimeFrom;
    // Only the master's own start is the instance's uptime; the workers' age restarts with every reload.
    if (from === 'saved') parts.push(`oldest worker spawned ${fmtLocalTime(snapshot.readAtMs - uptime * 1000)}`);
    else parts.push(`${from === 'master' ? 'up' : 'workers up'} ${fmtDuration(uptime)}`);
  }
  parts.push(`read ${fmtLocalTime(snapshot.readAtMs)}`);
  return parts.join('  ');
}

/** Render the full report of one snapshot (with its derived values) as newline-terminated text. */
export function renderTextReport(snapshot: Snapshot, derived: Derived, options: ReportOptions = {}): string {
  const lines: string[] = [titleLine(snapshot, derived)];
  if (snapshot.kind === 'instance') lines.push(...instanceSummary(snapshot, derived));
  else if (snapshot.kind === 'emperor') lines.push(...emperorSummary(snapshot));
  else lines.push(...routerSummary(snapshot));

  if (options.ratesNote) lines.push(`rates: ${options.ratesNote}`);
  else if (derived.restarted) lines.push('rates: none (the instance restarted between the two reads)');
  for (const w of snapshot.warnings.slice(0, 5)) lines.push(`warning: ${safeText(w, 160)}`);
  if (snapshot.warnings.length > 5) lines.push(`warning: ${snapshot.warnings.length - 5} more (see --json)`);
  for (const rep of snapshot.repairs.slice(0, 3)) lines.push(`repaired: ${safeText(rep, 160)}`);

  // One line per worker: 100,000 of them would overflow the stack as arguments of push(...), so concat.
  const sections =
    snapshot.kind === 'instance' ? instanceSections(snapshot, derived) : snapshot.kind === 'emperor' ? emperorSections(snapshot, derived) : routerSections(snapshot, derived);
  return lines.concat(sections).join('\n') + '\n';
}
