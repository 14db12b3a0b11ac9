/**
 * Writes command bytes into a uWSGI master FIFO without ever hanging or creating a file:
 * open O_WRONLY|O_NONBLOCK (never O_CREAT), check the open fd is a FIFO, one write() call, close.
 */
import { constants, fstatSync, promises as fsp, readFileSync, type Stats } from 'node:fs';
import { FifoError } from '../core/errors.js';

/** Linux PIPE_BUF: writes up to this size into a pipe are atomic, so the master reads them in order, unmixed. */
export const PIPE_BUF = 4096;

export interface WriteFifoOptions {
  /** How long to keep retrying while the path is missing (the master re-creates it after each writer), ms. */
  retryMs?: number;
  /** Pause between retries, ms. */
  retryStepMs?: number;
}

/** What is at a FIFO path right now, from the writer's point of view. */
export type FifoState = 'answering' | 'no-reader' | 'missing' | 'not-fifo' | 'permission' | 'error';

/** Write `bytes` to the master FIFO at `path` in one write() call; throws FifoError with an actionable message. */
export async function writeFifo(path: string, bytes: string | Uint8Array, options: WriteFifoOptions = {}): Promise<void> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  if (data.length === 0) throw new FifoError('nothing to write to the master FIFO', 'usage');
  if (data.length > PIPE_BUF) throw new FifoError(`a master FIFO command must fit in one pipe write (${PIPE_BUF} bytes), got ${data.length}`, 'usage');
  const handle = await openFifo(path, options);
  try {
    let written: number;
    try {
      ({ bytesWritten: written } = await handle.write(data, 0, data.length));
    } catch (err) {
      throw writeError(path, err);
    }
    if (written !== data.length) {
      throw new FifoError(`only ${written} of ${data.length} bytes reached ${path}: the master is not reading its FIFO; nothing more was sent`, 'partial');
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Look at a FIFO path without sending a command: 'answering' when a master reads it.
 * Opening and closing a writer makes the master re-create the FIFO, which is harmless (no byte is sent).
 */
export async function probeFifo(path: string): Promise<{ state: FifoState; message: string }> {
  try {
    const handle = await openFifo(path, { retryMs: 0 });
    await handle.close().catch(() => undefined);
    return { state: 'answering', message: `a uWSGI master reads ${path}` };
  } catch (err) {
    if (err instanceof FifoError) {
      const state: FifoState =
        err.code === 'no-reader' ? 'no-reader' : err.code === 'missing' ? 'missing' : err.code === 'not-fifo' ? 'not-fifo' : err.code === 'permission' ? 'permission' : 'error';
      return { state, message: err.message };
    }
    return { state: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

/** Open the FIFO for writing after checking what the path is; retries briefly while it is being re-created. */
async function openFifo(path: string, options: WriteFifoOptions): Promise<fsp.FileHandle> {
  const retryMs = options.retryMs ?? 1500;
  const stepMs = options.retryStepMs ?? 50;
  const deadline = Date.now() + retryMs;
  // ENXIO can also be seen in the microseconds between the master's mkfifo() and its open(): retry it a few times only.
  let noReaderTries = 0;
  for (;;) {
    let error: FifoError;
    try {
      return await openOnce(path);
    } catch (err) {
      if (!(err instanceof FifoError)) throw err;
      error = err;
    }
    const retriable = error.code === 'missing' || (error.code === 'no-reader' && noReaderTries++ < 3);
    if (!retriable || Date.now() + stepMs > deadline) {
      if (error.code === 'missing' && retryMs > 0) {
        throw new FifoError(`${error.message} (waited ${retryMs} ms for the master to re-create it)`, error.code);
      }
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, error.code === 'no-reader' ? 20 : stepMs));
  }
}

async function openOnce(path: string): Promise<fsp.FileHandle> {
  let info: Stats;
  try {
    info = await fsp.lstat(path);
    // A symlink to the FIFO is a common deployment trick: judge the target, the fd check below guards the race.
    if (info.isSymbolicLink()) info = await fsp.stat(path);
  } catch (err) {
    throw openError(path, err, null);
  }
  if (!info.isFIFO()) throw notFifo(path, info);
  let handle: fsp.FileHandle;
  try {
    // No O_CREAT: a missing path is never created. O_NONBLOCK: no reader gives ENXIO instead of hanging forever.
    handle = await fsp.open(path, constants.O_WRONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    throw openError(path, err, info);
  }
  try {
    const opened = await handle.stat();
    // The path may have been replaced between lstat and open: trust only what the fd points to.
    if (!opened.isFIFO()) throw notFifo(path, opened);
    const own = ownStream(opened);
    if (own !== null) {
      throw new FifoError(`${path} is this process's own ${own} (a pipe, not a master FIFO): refusing to write to it; nothing was sent`, 'not-fifo');
    }
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err instanceof FifoError ? err : openError(path, err, info);
  }
  return handle;
}

const STREAM_NAMES = ['standard input', 'standard output', 'standard error'];

/** The name of the standard stream (fd 0-2) that `info` is the same pipe as, or null (/dev/stdout, /proc/self/fd/1). */
function ownStream(info: Stats): string | null {
  for (let fd = 0; fd <= 2; fd++) {
    try {
      const std = fstatSync(fd);
      if (std.dev === info.dev && std.ino === info.ino) return STREAM_NAMES[fd]!;
    } catch {
      /* that stream is closed */
    }
  }
  return null;
}

function kindOf(info: Stats): string {
  if (info.isFile()) return 'a regular file';
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a unix socket (a stats socket? the master FIFO is a different path)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a FIFO';
}

function notFifo(path: string, info: Stats): FifoError {
  return new FifoError(`${path} is ${kindOf(info)}, not a FIFO: refusing to write to it (uWSGI's --master-fifo creates a FIFO there; nothing was changed)`, 'not-fifo');
}

function errnoOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function openError(path: string, err: unknown, info: Stats | null): FifoError {
  const code = errnoOf(err);
  switch (code) {
    case 'ENOENT':
      return new FifoError(`no master FIFO at ${path} (ENOENT): is the instance running with --master-fifo ${path}, and is this the slot it has selected? (nothing was created)`, 'missing');
    case 'ENOTDIR':
      return new FifoError(`no master FIFO at ${path}: a parent of it is not a directory (nothing was created)`, 'missing');
    case 'ENXIO':
      return new FifoError(
        `no uWSGI master is reading ${path} (ENXIO): is the instance running? A FIFO left by a stopped instance, or a slot that is not selected, looks like this too`,
        'no-reader',
      );
    case 'EACCES':
    case 'EPERM':
      return new FifoError(permissionMessage(path, info, code), 'permission');
    case 'ELOOP':
      return new FifoError(`${path} is a symlink loop: refusing to write`, 'not-fifo');
    default:
      return new FifoError(`cannot open the master FIFO ${path}: ${err instanceof Error ? err.message : String(err)}`, 'io');
  }
}

function writeError(path: string, err: unknown): FifoError {
  const code = errnoOf(err);
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
    return new FifoError(`the master FIFO ${path} is full (EAGAIN): the master is not reading it (stuck or busy); nothing was written`, 'busy');
  }
  if (code === 'EPIPE') {
    return new FifoError(`the uWSGI master stopped reading ${path} during the write (EPIPE): is it shutting down?`, 'no-reader');
  }
  return new FifoError(`cannot write to the master FIFO ${path}: ${err instanceof Error ? err.message : String(err)}`, 'io');
}

function permissionMessage(path: string, info: Stats | null, code: string): string {
  const me = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (!info) return `permission denied looking at ${path} (${code}): a parent directory is not searchable by uid ${me}`;
  const owner = userName(info.uid);
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  const who = owner ? `${owner} (uid ${info.uid})` : `uid ${info.uid}`;
  return (
    `permission denied writing ${path} (${code}): the FIFO is mode ${mode} owned by ${who}, and this process runs as ${userName(me) ?? 'uid'} (uid ${me}); ` +
    (info.uid === 0 ? 'run as root (e.g. sudo ...)' : `run as ${owner ?? `uid ${info.uid}`} (e.g. sudo -u ${owner ?? `'#${info.uid}'`} ...) or as root`)
  );
}

/** The login name for a uid from /etc/passwd, null when it has none. */
export function userName(uid: number): string | null {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields.length >= 3 && Number(fields[2]) === uid && fields[2] !== '') return fields[0] ?? null;
    }
  } catch {
    /* no passwd file: the uid alone is said */
  }
  return null;
}
