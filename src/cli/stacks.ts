/**
 * Where each target's worker stacks come from: `--tracebacker PATH`, or what the master's command line (or
 * the ini it names) says for a local instance. Discovery runs once per master pid, when first needed.
 */
import type { TargetMonitor } from '../monitor/types.js';
import { readTraceback } from '../stats/tracebacker.js';
import type { StackOutcome, StackReader } from '../views/dashboard/stack.js';
import { discoverLocal, type Discovery } from './discover.js';

const ENABLE = 'start uWSGI with --py-tracebacker /run/app/tb (one socket per worker: /run/app/tb1, /run/app/tb2...) and it is found from the master\'s command line, or give uwsgitop-ts --tracebacker PATH';

/** A stack reader over the live monitors; `explicit` is --tracebacker, `local(target)` says whether /proc may be asked. */
export function createStackReader(monitors: readonly TargetMonitor[], explicit: string | null, local: (target: string) => boolean): StackReader {
  const found = new Map<string, Discovery | null>();
  return {
    async read(target: string, workerId: number): Promise<StackOutcome> {
      if (explicit !== null) return { kind: 'ok', traceback: await readTraceback(explicit, workerId), from: '--tracebacker' };
      if (!local(target)) return { kind: 'none', why: `${target} is not on this host, so its tracebacker sockets cannot be reached; on its host, ${ENABLE}` };
      const snap = monitors.find((m) => m.target === target)?.latest()?.snapshot;
      if (snap?.kind !== 'instance') return { kind: 'none', why: 'no instance document yet' };
      const d = await discoveryOf(found, target, snap.doc.pid, snap.doc.cwd);
      if (d === null) return { kind: 'none', why: `the command line of master ${snap.doc.pid} cannot be read here (another user's process?): give --tracebacker PATH` };
      if (d.tracebacker === null) return { kind: 'none', why: `this instance runs without a tracebacker: ${ENABLE}` };
      return { kind: 'ok', traceback: await readTraceback(d.tracebacker, workerId), from: d.from };
    },
  };
}

/** The discovery of a target's master, again only when the master pid changed. */
async function discoveryOf(cache: Map<string, Discovery | null>, target: string, pid: number, cwd: string): Promise<Discovery | null> {
  const known = cache.get(target);
  if (known !== undefined && known !== null && known.masterPid === pid) return known;
  const d = await discoverLocal(pid, cwd);
  cache.set(target, d);
  return d;
}
