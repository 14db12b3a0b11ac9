/**
 * When a local uWSGI master started, from /proc: the stats document has no master start time, and the
 * oldest worker's age is not the instance's uptime after a chain reload.
 */
import { readFileSync } from 'node:fs';

/** Linux reports start times in USER_HZ clock ticks, 100 per second on every architecture Node runs on. */
const USER_HZ = 100;

/** Seconds since boot (/proc/uptime), or null without /proc. */
function secondsSinceBoot(): number | null {
  try {
    const up = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
    return Number.isFinite(up) ? up : null;
  } catch {
    return null;
  }
}

/**
 * The epoch second process `pid` started, or null when it cannot be told here: no /proc, or `pid` is not
 * a uWSGI process on this host (the stats may come from another pid namespace, e.g. a container).
 */
export function uwsgiStartEpochSeconds(pid: number, nowMs: number = Date.now()): number | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const up = secondsSinceBoot();
  if (up === null) return null;
  try {
    if (!/uwsgi/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))) return null;
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    // The age comes from the kernel's own clock (uptime minus start, both since boot) and is placed on this
    // process's wall clock: btime would mix the kernel's wall clock with ours, and they need not agree.
    return Number.isFinite(ticks) ? nowMs / 1000 - (up - ticks / USER_HZ) : null;
  } catch {
    return null;
  }
}
