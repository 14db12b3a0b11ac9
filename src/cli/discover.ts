/**
 * Discovery for a local instance: what its master's command line and the ini files it names say about its
 * master FIFOs, tracebacker and stats socket, found without flags. Read once per master pid (a restart
 * brings a new pid), asynchronously for /proc; an ini is a small file read once.
 */
import { isAbsolute, resolve } from 'node:path';
import { masterOptions, readMasterArgs } from '../stats/master-options.js';
import { readIniTargets } from '../config/ini.js';

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
