/**
 * Which master FIFO a given uWSGI master is reading. In a zerg-dance layout several instances declare the
 * same FIFO paths (new/running/sleeping) and each path is read by whichever instance has that slot
 * selected, so a path alone does not say which instance a byte will reach: the master's open files do.
 */
import { readdir, readFile, stat } from 'node:fs/promises';

/**
 * Paths among `candidates` that process `pid` holds open, or null when that cannot be told: its open files
 * are not ours to read, or `pid` here is not a uWSGI process (the stats may come from another pid namespace,
 * e.g. a container whose FIFO is bind-mounted, where the document's pid means another process on this host).
 */
export async function fifosHeldBy(pid: number, candidates: readonly string[]): Promise<string[] | null> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'latin1');
    if (!/uwsgi/i.test(cmdline)) return null;
  } catch {
    return null;
  }
  const wanted = new Map<string, string>();
  for (const path of candidates) {
    try {
      const s = await stat(path);
      wanted.set(`${s.dev}:${s.ino}`, path);
    } catch {
      // A path that does not exist now is held by nobody.
    }
  }
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const held: string[] = [];
  for (const fd of fds) {
    try {
      const s = await stat(`/proc/${pid}/fd/${fd}`);
      const path = wanted.get(`${s.dev}:${s.ino}`);
      if (path !== undefined && !held.includes(path)) held.push(path);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return held;
}
