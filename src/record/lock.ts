/**
 * One recorder per recording: FILE.lock, created with O_EXCL, holds the recorder's pid for its whole life.
 * A second recorder is refused with the holder's pid; a lock whose pid no longer runs (a recorder killed
 * with -9, a reboot) is stale and taken over. The lock also holds its recorder's start time (from /proc), so
 * a pid reused by another process since is not taken for a live recorder. A FILE.lock that is not such a
 * lock is never touched.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { RecordingError } from '../core/errors.js';
import { fileKind } from '../core/regular-file.js';

/** The lock of the recording FILE. */
export function lockPath(file: string): string {
  return `${file}.lock`;
}

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22), or null when /proc cannot say. */
export function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks !== undefined && /^[0-9]{1,20}$/.test(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

interface Holder {
  pid: number;
  /** Its start time when the lock says it (locks written without /proc, or by an older build, do not). */
  ticks: string | null;
}

/** The holder a lock file names, or null when it is not a lock this tool wrote. */
function holderOf(path: string): Holder | null {
  const st = lstatSync(path);
  if (!st.isFile()) throw new RecordingError(`${path} is ${fileKind(st)}, not a recording lock: not touched (remove it if no recorder runs)`);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    if (fstatSync(fd).size > 64) return null;
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    const m = /^uwsgitop-ts ([0-9]{1,10})(?: ([0-9]{1,20}))?\n$/.exec(buf.subarray(0, n).toString('latin1'));
    return m ? { pid: Number(m[1]), ticks: m[2] ?? null } : null;
  } finally {
    closeSync(fd);
  }
}

/** Whether the holder still runs: its pid runs and, when the lock says when it started, started then (not a reused pid). */
function alive({ pid, ticks }: Holder): boolean {
  if (ticks !== null) {
    const now = startTicks(pid);
    if (now !== null) return now === ticks;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Take the lock of FILE for this process; RecordingError naming the holder when another recorder has it. Returns the release. */
export function acquireLock(file: string): () => void {
  const path = lockPath(file);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = holderOf(path);
      if (holder === null) throw new RecordingError(`${path} exists and is not a uwsgitop-ts recording lock: not touched (remove it if no recorder runs)`);
      if (holder.pid === process.pid || alive(holder)) {
        throw new RecordingError(`${file} is being recorded by another uwsgitop-ts (pid ${holder.pid}, lock ${path}): one recorder per recording`);
      }
      // Stale: its recorder is gone. Removed only because it holds a pid line this tool wrote.
      unlinkSync(path);
      continue;
    }
    try {
      const ticks = startTicks(process.pid);
      writeSync(fd, `uwsgitop-ts ${process.pid}${ticks === null ? '' : ` ${ticks}`}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      try {
        if (holderOf(path)?.pid === process.pid) unlinkSync(path);
      } catch {
        // Gone already.
      }
    };
  }
  throw new RecordingError(`${path}: another recorder took the lock at the same moment`);
}
