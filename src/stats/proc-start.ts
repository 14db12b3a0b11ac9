/**
 * When a local uWSGI master started, from /proc: the stats document has no master start time, and the
 * oldest worker's age is not the instance's uptime after a chain reload.
 */
import { readFileSync } from 'node:fs';

/** Linux reports start times in USER_HZ clock ticks, 100 per second on every architecture Node runs on. */
const USER_HZ = 100;

let bootTimeS: number | null | undefined;

function bootTime(): number | null {
  if (bootTimeS !== undefined) return bootTimeS;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    bootTimeS = m ? Number(m[1]) : null;
  } catch {
    bootTimeS = null;
  }
  return bootTimeS;
}

/**
 * The epoch second process `pid` started, or null when it cannot be told here: no /proc, or `pid` is not
 * a uWSGI process on this host (the stats may come from another pid namespace, e.g. a container).
 */
export function uwsgiStartEpochSeconds(pid: number): number | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const boot = bootTime();
  if (boot === null) return null;
  try {
    if (!/uwsgi/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))) return null;
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? boot + ticks / USER_HZ : null;
  } catch {
    return null;
  }
}
