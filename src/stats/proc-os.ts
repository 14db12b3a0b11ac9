/**
 * What the stats server cannot say about a local instance, read from /proc: each process's CPU time and
 * memory. A pid in a document is trusted only when /proc proves it is this instance's process here: the
 * master is a uwsgi process, each worker a uwsgi child of that master started after it (a document read
 * from another pid namespace, e.g. a container, names pids that mean other processes on this box).
 * Nothing here waits on a process: opens and memory-locked files are asynchronous, stat lines are cheap reads.
 */
import { close, open, readSync } from 'node:fs';
import { readFile, open as openHandle } from 'node:fs/promises';
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
  const bytes = Buffer.from(text, 'latin1');
  return parseProcStatBytes(bytes, bytes.length);
}

const SPACE = 0x20;
const ZERO = 0x30;
const CLOSE_PAREN = 0x29;
/** The fields used, numbered as proc(5) numbers them: ppid, utime, stime, starttime, vsize, rss. */
const WANTED_FIELDS = [4, 14, 15, 22, 23, 24] as const;

/**
 * Parse the first `length` bytes of a /proc/PID/stat read; null when they are not one. Digits are read off
 * the bytes: a poll reads a line for every worker, and a string per line was most of the parse's cost.
 */
export function parseProcStatBytes(buf: Buffer, length: number): ProcStat | null {
  const open = buf.indexOf(0x28);
  let close = length - 1;
  while (close > open && buf[close] !== CLOSE_PAREN) close--;
  if (open < 0 || open >= length || close <= open) return null;
  // The command name may hold spaces and parentheses: the fields are counted after the last ')', which
  // ends field 2; each later field starts after one space.
  const values = [0, 0, 0, 0, 0, 0];
  let field = 2;
  let at = close + 1;
  for (let k = 0; k < WANTED_FIELDS.length; k++) {
    const want = WANTED_FIELDS[k]!;
    while (field < want) {
      while (at < length && buf[at] !== SPACE) at++;
      if (at >= length) return null;
      at++;
      field++;
    }
    let value = 0;
    let digits = 0;
    for (; at < length && buf[at] !== SPACE && buf[at] !== 0x0a; at++, digits++) {
      const d = buf[at]! - ZERO;
      if (d < 0 || d > 9) return null;
      value = value * 10 + d;
    }
    if (digits === 0) return null;
    values[k] = value;
  }
  const [ppid, utime, stime, startTicks, vszBytes, rssPages] = values as [number, number, number, number, number, number];
  const cpuTicks = utime + stime;
  if (![ppid, cpuTicks, startTicks, vszBytes, rssPages].every(Number.isSafeInteger)) return null;
  return { comm: buf.toString('latin1', open + 1, close), ppid, cpuTicks, startTicks, vszBytes, rssPages };
}

/**
 * Open /proc/PID/stat files, kept between polls: one positioned read a poll instead of open, fstat, reads
 * and close (measured: 3.7 ms of CPU a poll for 33 processes with fs.promises.readFile). A held descriptor
 * stays bound to its process: once the process is gone the read fails and the descriptor is closed, so a
 * reused pid is opened afresh.
 */
interface HeldFd {
  fd: number;
  buffer: Buffer;
  usedAtMs: number;
}
const held = new Map<number, HeldFd>();
/** Beyond this many held descriptors, a file is opened and closed for each read. */
const MAX_HELD_FDS = 4096;
/** A descriptor not read for this long is closed (a respawned worker's old pid is never read again). */
const IDLE_CLOSE_MS = 60_000;
/** /proc/PID/stat is at most about 700 bytes (52 fields, a 15-byte name). */
const STAT_BYTES = 1024;

function closeFd(fd: number): void {
  close(fd, () => undefined);
}

/** One descriptor's stat line, or null once its process is gone (a held descriptor is then closed). */
function readHeld(pid: number, entry: HeldFd, nowMs: number): ProcStat | null {
  entry.usedAtMs = nowMs;
  try {
    // One read at offset 0: /proc regenerates the whole line for each read from the start.
    const n = readSync(entry.fd, entry.buffer, 0, entry.buffer.length, 0);
    return parseProcStatBytes(entry.buffer, n);
  } catch {
    // A descriptor not kept in `held` is its caller's to close.
    if (held.get(pid) === entry) {
      held.delete(pid);
      closeFd(entry.fd);
    }
    return null;
  }
}

/**
 * The stat lines of `pids` (null where a pid is 0 or gone). A held descriptor is read synchronously: the
 * kernel builds /proc/PID/stat from the task's counters (no disk, not the memory lock), so the read returns
 * in microseconds, while a threadpool round trip per file cost more CPU than the read itself (docs/benchmarks.md,
 * issue 21). Files that take the process's memory lock (cmdline, smaps) and opens stay asynchronous.
 */
function readStats(pids: readonly number[], nowMs: number): Promise<Array<ProcStat | null>> {
  const out = new Array<ProcStat | null>(pids.length).fill(null);
  const unopened: number[] = [];
  pids.forEach((pid, i) => {
    if (!(pid > 0) || !Number.isSafeInteger(pid)) return;
    const entry = held.get(pid);
    if (entry === undefined) unopened.push(i);
    else out[i] = readHeld(pid, entry, nowMs);
  });
  if (unopened.length === 0) return Promise.resolve(out);
  return new Promise((resolve) => {
    let pending = unopened.length;
    for (const i of unopened) {
      const pid = pids[i]!;
      open(`/proc/${pid}/stat`, 'r', (err, fd) => {
        if (!err) {
          const fresh: HeldFd = { fd, buffer: Buffer.allocUnsafe(STAT_BYTES), usedAtMs: nowMs };
          const keep = held.size < MAX_HELD_FDS && !held.has(pid);
          if (keep) held.set(pid, fresh);
          out[i] = readHeld(pid, fresh, nowMs);
          if (!keep) closeFd(fd);
        }
        if (--pending === 0) resolve(out);
      });
    }
  });
}

/** Close the descriptors of processes no longer read (gone, or replaced by a respawn under a new pid). */
function closeIdle(nowMs: number): void {
  for (const [pid, entry] of held) {
    if (nowMs - entry.usedAtMs <= IDLE_CLOSE_MS) continue;
    held.delete(pid);
    closeFd(entry.fd);
  }
}

/** How many /proc descriptors are held open (tests). */
export function heldProcFds(): number {
  return held.size;
}

let pageSize: Promise<number> | null = null;

/** The kernel's page size (statm and stat count pages), from the first mapping of /proc/self/smaps; 4096 without it. */
function kernelPageSize(): Promise<number> {
  pageSize ??= (async () => {
    try {
      const handle = await openHandle('/proc/self/smaps', 'r');
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
  const nowMs = Date.now();
  closeIdle(nowMs);
  // The master and every worker in one batch: the master is checked once the lines are in.
  const [stats, page] = await Promise.all([readStats([doc.pid, ...doc.workers.map((w) => w.pid)], nowMs), kernelPageSize()]);
  const masterStat = stats[0] ?? null;
  if (masterStat === null) return notLocal(`not local: no process ${doc.pid} here`);
  if (!(await isUwsgiMaster(doc.pid, masterStat))) return notLocal(`not local: process ${doc.pid} here is not uwsgi`);
  const workers = doc.workers.map((w, i): ProcessOs | null => {
    const s = stats[i + 1];
    if (s === null || s === undefined) return null;
    if (s.ppid !== doc.pid || s.startTicks < masterStat.startTicks || !UWSGI_NAME.test(s.comm)) return null;
    return sample(w.pid, s, page);
  });
  return { local: true, note: 'local: /proc/PID/stat', master: sample(doc.pid, masterStat, page), workers };
}
