/**
 * Discovery for a local instance: what its master's command line and the ini files it names say about its
 * master FIFOs, tracebacker and stats socket, found without flags. Read once per master pid (a restart
 * brings a new pid), asynchronously for /proc; an ini is a small file read once.
 */
import { isAbsolute, resolve } from 'node:path';
import { masterOptions, readMasterArgs } from '../stats/master-options.js';
import { readIniTargets } from '../config/ini.js';
import type { TargetMonitor } from '../monitor/types.js';

export interface Discovery {
  masterPid: number;
  /** Where the values come from, for display. */
  from: string;
  masterFifos: string[];
  tracebacker: string | null;
  stats: string | null;
}

/** What the master `pid` (working in `cwd`) was started with; null when its command line cannot be read. */
export async function discoverLocal(pid: number, cwd: string): Promise<Discovery | null> {
  const args = await readMasterArgs(pid);
  if (args === null) return null;
  const cmd = masterOptions(args, cwd);
  const found: Discovery = { masterPid: pid, from: `the command line of master ${pid}`, masterFifos: cmd.masterFifos, tracebacker: cmd.tracebacker, stats: cmd.stats };
  const path = (p: string): string => (isAbsolute(p) || cwd === '' ? p : resolve(cwd, p));
  for (const ini of cmd.inis) {
    const { targets } = readIniTargets([ini]);
    const t = targets[0];
    if (t === undefined) continue;
    const used: string[] = [];
    if (found.masterFifos.length === 0 && t.fifos.length > 0) (found.masterFifos = t.fifos.map(path)), used.push('master FIFO');
    if (found.tracebacker === null && t.tracebacker !== undefined) (found.tracebacker = path(t.tracebacker)), used.push('tracebacker');
    if (found.stats === null && t.stats !== null) found.stats = t.stats;
    if (used.length > 0) found.from = `${found.from} and ${t.file}`;
  }
  return found;
}

/** One line saying what was found, for the event log (paths are the operator's, still escaped by the views). */
export function discoveryText(d: Discovery): string {
  const parts: string[] = [];
  if (d.masterFifos.length > 0) parts.push(`master FIFO ${d.masterFifos.join(', ')}`);
  if (d.tracebacker !== null) parts.push(`tracebacker ${d.tracebacker}`);
  if (d.stats !== null) parts.push(`stats ${d.stats}`);
  return parts.length === 0 ? `nothing to use in ${d.from}` : `found in ${d.from}: ${parts.join('; ')}`;
}

/**
 * For each local target without a FIFO given: on its first instance document (and after a restart, a new
 * master pid), read the master's command line (and the ini it names); a master FIFO found there becomes the
 * target's control in `controls` (made by `make` from the FIFO paths), and an event says what was found and
 * where. The dashboard and serve both use it; control still needs its confirmation there. Returns the stop.
 */
export function discoverControls<C>(targets: readonly string[], monitors: readonly TargetMonitor[], controls: Map<string, C>, make: (target: string, paths: string[]) => Promise<C>): () => void {
  const stops: Array<() => void> = [];
  for (const target of targets) {
    const m = monitors.find((x) => x.target === target);
    if (m === undefined) continue;
    let seenPid = 0;
    const stop = m.subscribe((update) => {
      const snap = update.snapshot;
      if (snap?.kind !== 'instance' || snap.doc.pid === seenPid || controls.has(target)) return;
      seenPid = snap.doc.pid;
      void discoverLocal(snap.doc.pid, snap.doc.cwd).then(async (d) => {
        // Said only when something usable was found: the stats socket alone is the address already watched.
        if (d === null || (d.masterFifos.length === 0 && d.tracebacker === null)) return;
        m.addEvent({ atMs: Date.now(), target, type: 'discovered', severity: 'info', message: discoveryText(d) });
        if (d.masterFifos.length > 0 && !controls.has(target)) controls.set(target, await make(target, d.masterFifos.slice(0, 10)));
      });
    });
    stops.push(stop);
  }
  return () => {
    for (const s of stops) s();
  };
}
