/**
 * What the stats server cannot say about a local instance, read from /proc: each process's CPU time and
 * memory. A pid in a document is trusted only when /proc proves it is this instance's process here: the
 * master is a uwsgi process, each worker a uwsgi child of that master started after it (a document read
 * from another pid namespace, e.g. a container, names pids that mean other processes on this box).
 * Reads are asynchronous (one small file per process per poll) so the event loop never waits on /proc.
 */
import { readFile, open } from 'node:fs/promises';
import type { InstanceDocument, OsFacts, ProcessOs } from './snapshot.js';

/** Linux reports CPU times in USER_HZ clock ticks, 100 per second on every architecture Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat this module uses. */
export interface ProcStat {
  /** The command name (field 2), at most 15 bytes, as the kernel keeps it. */
  comm: string;
  ppid: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
  /** Start time after boot, clock ticks. */
  startTicks: number;
  vszBytes: number;
  rssPages: number;
}

/** Parse /proc/PID/stat text; null when it is not one. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // The command name may hold spaces and parentheses: the fields are counted after the last ')'.
  const f = text.slice(close + 2).split(' ');
  const n = (i: number): number => Number(f[i]);
  // f[0] is field 3 (state): field k is f[k - 3].
  const stat = { comm: text.slice(open + 1, close), ppid: n(1), cpuTicks: n(11) + n(12), startTicks: n(19), vszBytes: n(20), rssPages: n(21) };
  return [stat.ppid, stat.cpuTicks, stat.startTicks, stat.vszBytes, stat.rssPages].every(Number.isFinite) ? stat : null;
}

async function readStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

let pageSize: Promise<number> | null = null;

/** The kernel's page size (statm and stat count pages), from the first mapping of /proc/self/smaps; 4096 without it. */
function kernelPageSize(): Promise<number> {
  pageSize ??= (async () => {
    try {
      const handle = await open('/proc/self/smaps', 'r');
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
        const kb = /KernelPageSize:\s+(\d+) kB/.exec(buffer.toString('latin1', 0, bytesRead));
        return kb ? Number(kb[1]) * 1024 : 4096;
      } finally {
        await handle.close();
      }
    } catch {
      return 4096;
    }
  })();
  return pageSize;
}

/** A uwsgi process by name: Debian's binary and every build call themselves uwsgi unless --procname changed it. */
const UWSGI_NAME = /uwsgi/i;

/** The verdict for a target whose pids cannot be proven to be processes here. */
export function notLocal(note: string): OsFacts {
  return { local: false, note, master: null, workers: [] };
}

/** Masters already proven by their command line, so the cmdline is read once per master, not every poll. */
const provenMasters = new Map<number, number>();

async function isUwsgiMaster(pid: number, stat: ProcStat): Promise<boolean> {
  if (provenMasters.get(pid) === stat.startTicks) return true;
  if (!UWSGI_NAME.test(stat.comm)) {
    // --procname-master renames the process; its command line still names the binary.
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'latin1');
      if (!UWSGI_NAME.test(cmdline.split('\0')[0] ?? '')) return false;
    } catch {
      return false;
    }
  }
  if (provenMasters.size > 64) provenMasters.clear();
  provenMasters.set(pid, stat.startTicks);
  return true;
}

function sample(pid: number, stat: ProcStat, page: number): ProcessOs {
  return { pid, cpuTicks: stat.cpuTicks, rssBytes: stat.rssPages * page, vszBytes: stat.vszBytes };
}

/**
 * The OS facts of an instance document read from a local address: the master's and each worker's CPU ticks
 * and memory, each worker proven (parent = the document's master, started after it, named uwsgi); a slot
 * whose pid fails the proof is null.
 */
export async function readOsFacts(doc: InstanceDocument): Promise<OsFacts> {
  if (!Number.isSafeInteger(doc.pid) || doc.pid <= 0) return notLocal('not local: the document names no master pid');
  const [masterStat, page] = await Promise.all([readStat(doc.pid), kernelPageSize()]);
  if (masterStat === null) return notLocal(`not local: no process ${doc.pid} here`);
  if (!(await isUwsgiMaster(doc.pid, masterStat))) return notLocal(`not local: process ${doc.pid} here is not uwsgi`);
  const stats = await Promise.all(doc.workers.map((w) => (w.pid > 0 && Number.isSafeInteger(w.pid) ? readStat(w.pid) : Promise.resolve(null))));
  const workers = doc.workers.map((w, i): ProcessOs | null => {
    const s = stats[i];
    if (s === null || s === undefined) return null;
    if (s.ppid !== doc.pid || s.startTicks < masterStat.startTicks || !UWSGI_NAME.test(s.comm)) return null;
    return sample(w.pid, s, page);
  });
  return { local: true, note: 'local: /proc/PID/stat', master: sample(doc.pid, masterStat, page), workers };
}
