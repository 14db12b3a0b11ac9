/**
 * Input files read whole (ini files, TLS certificates and keys, token files, recording segments) are read
 * only when they are regular files, and only up to a bound. The file is opened with O_NONBLOCK, so a FIFO
 * put where a file was expected cannot block the open, and its kind is checked on the open descriptor
 * (fstat), so a path swapped between a check and the open is still caught. The size is checked before a
 * byte is read, and no more than the size fstat gave is read: /proc files (size 0) and devices give nothing.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readlinkSync, type Stats } from 'node:fs';
import { FileInputError } from './errors.js';

/** What a non-regular file is, in words a user knows. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The system's refusal as a short reason (the errno code kept for callers). */
export function fsReason(err: unknown): { code: string; reason: string } {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'EIO';
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a part of the path is not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EIO: 'input/output error',
    ELOOP: 'too many symbolic links',
    EISDIR: 'it is a directory',
    ENXIO: 'no such device',
  };
  return { code, reason: `${reasons[code] ?? (err instanceof Error ? err.message : String(err))} (${code})` };
}

/** Where a dangling symbolic link points, or null when `path` is not one. */
export function danglingLink(path: string): string | null {
  try {
    if (!lstatSync(path).isSymbolicLink()) return null;
    return readlinkSync(path);
  } catch {
    return null;
  }
}

export interface ReadBounds {
  /** Refuse a file larger than this. */
  maxBytes: number;
  /** What the file is for, in the messages ("the ini file", "--tls-key"). */
  what: string;
}

/** Read a regular file whole, bounded; FileInputError naming the path and the reason otherwise. */
export function readRegularFileSync(path: string, bounds: ReadBounds): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const { code, reason } = fsReason(err);
    const target = code === 'ENOENT' ? danglingLink(path) : null;
    const why = target !== null ? `a dangling symbolic link (to ${target}, which does not exist)` : reason;
    throw new FileInputError(`${bounds.what} ${path}: ${why}`, code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileInputError(`${bounds.what} ${path} is ${fileKind(st)}, not a regular file: not read`, 'not-regular');
    if (st.size > bounds.maxBytes) {
      throw new FileInputError(`${bounds.what} ${path} is ${sizeText(st.size)}, more than the ${sizeText(bounds.maxBytes)} it may be: not read`, 'too-large');
    }
    const out = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < st.size) {
      let n: number;
      try {
        n = readSync(fd, out, at, st.size - at, at);
      } catch (err) {
        throw new FileInputError(`${bounds.what} ${path}: ${fsReason(err).reason} at byte ${at}`, fsReason(err).code);
      }
      if (n === 0) break; // shrank since fstat
      at += n;
    }
    return out.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
