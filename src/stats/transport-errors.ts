/** One-line, actionable StatsReadErrors for every way a stats read can fail. */
import { sizeText } from '../core/units.js';
import { accessSync, constants, existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StatsReadError } from '../core/errors.js';
import type { StatsAddress } from './address.js';

/** How an address is written in messages and in uWSGI's --stats option. */
export function label(address: StatsAddress): string {
  switch (address.kind) {
    case 'tcp':
      return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
    case 'unix':
      return address.path;
    case 'abstract':
      return `@${address.name}`;
    case 'http':
    case 'relay':
      return address.url;
    case 'file':
      return `file:${address.path}`;
    case 'stdin':
      return 'standard input';
  }
}

/** What the user should have passed to uWSGI for this address to be served. */
function statsOption(address: StatsAddress): string {
  if (address.kind === 'http') {
    const url = new URL(address.url);
    return `--stats ${url.host} --stats-http`;
  }
  return `--stats ${label(address)}`;
}

/** The user name for a uid from /etc/passwd (the uid alone when unknown). */
export function userName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[2] === String(uid) && fields[0]) return `${fields[0]} (uid ${uid})`;
    }
  } catch {
    /* no passwd file: fall through */
  }
  return `uid ${uid}`;
}

function mode(stats: Stats): string {
  return (stats.mode & 0o7777).toString(8).padStart(4, '0');
}

/** Explain EACCES on a path: which directory or file refuses, its owner and mode. */
export function explainPermission(path: string, what: 'socket' | 'file' = 'socket'): string {
  const absolute = resolve(path);
  // A directory on the way without search (x) permission is the usual culprit: name the first one.
  const dirs: string[] = [];
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of dirs) {
    try {
      accessSync(dir, constants.X_OK);
    } catch {
      try {
        const stats = statSync(dir);
        return `the directory ${dir} (owner ${userName(stats.uid)}, mode ${mode(stats)}) cannot be entered by this user`;
      } catch {
        return `the directory ${dir} cannot be entered by this user`;
      }
    }
  }
  try {
    const stats = statSync(absolute);
    const fix = what === 'socket' ? 'have uWSGI give the socket a mode that lets this user write to it' : 'make the file readable to this user';
    return `${path} is owned by ${userName(stats.uid)} with mode ${mode(stats)}: run as that user, or ${fix}`;
  } catch {
    return `${path} is not accessible to this user`;
  }
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFile()) return 'a regular file';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a socket';
}

/**
 * The error for a unix path that is not a socket at all (a directory, a file, a FIFO), whatever connect()
 * said: as another user, Linux answers EACCES for a file that user cannot write, which is not the problem.
 */
function notASocket(path: string, where: string): StatsReadError | null {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return null;
  }
  if (stats.isSocket()) return null;
  const extra = stats.isFile() ? ` (a saved stats document? read it with file:${path})` : '';
  return new StatsReadError(`${where} is ${describeKind(stats)}, not a unix socket${extra}`, 'not-found', false);
}

/** Map a failure to connect (errno code) into the error a user can act on. */
export function connectError(address: StatsAddress, err: NodeJS.ErrnoException): StatsReadError {
  const code = err.code ?? 'EIO';
  const where = label(address);
  const hint = `is uWSGI running with ${statsOption(address)}?`;
  const path = address.kind === 'unix' ? address.path : null;
  if (path !== null && (code === 'ECONNREFUSED' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTSOCK')) {
    const kind = notASocket(path, where);
    if (kind !== null) return kind;
  }
  switch (code) {
    case 'ECONNREFUSED': {
      // Linux refuses connect() on anything that is not a listening socket: a file was told apart above.
      if (path !== null && existsSync(path)) return new StatsReadError(`nothing listens on ${where} (ECONNREFUSED): the socket file is left over; ${hint}`, 'refused');
      return new StatsReadError(`nothing listens on ${where} (ECONNREFUSED): ${hint}`, 'refused');
    }
    case 'ENOENT': {
      if (path !== null) {
        const dir = dirname(resolve(path));
        try {
          statSync(dir);
        } catch {
          return new StatsReadError(`no socket at ${where} (ENOENT): the directory ${dir} does not exist; ${hint}`, 'not-found');
        }
      }
      return new StatsReadError(`no socket at ${where} (ENOENT): ${hint}`, 'not-found');
    }
    case 'ENOTDIR':
      return new StatsReadError(`no socket at ${where} (ENOTDIR): a part of the path is not a directory`, 'not-found', false);
    case 'EACCES':
    case 'EPERM':
      return new StatsReadError(
        `permission denied connecting to ${where} (${code}): ${path !== null ? explainPermission(path) : 'the system refused the connection'}`,
        'permission',
        false,
      );
    case 'ENOTSOCK':
      return new StatsReadError(`${where} is not a socket (ENOTSOCK)`, 'not-found', false);
    case 'EMFILE':
    case 'ENFILE':
      return new StatsReadError(`cannot open a connection to ${where} (${code}): too many open files in ${code === 'EMFILE' ? 'this process (raise ulimit -n)' : 'the system'}`, 'io');
    case 'ECONNRESET':
    case 'EPIPE':
      return new StatsReadError(`${where} reset the connection before sending anything (${code})`, 'reset');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StatsReadError(`cannot resolve the host of ${where} (${code})`, 'unreachable', code === 'EAI_AGAIN');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return new StatsReadError(`cannot reach ${where} (${code}): ${code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' ? 'this address family or address is not available on this machine' : 'network unreachable'}`, 'unreachable');
    default:
      if (/CERT|SSL|TLS|SELF_SIGNED|ALTNAME/.test(code)) {
        return new StatsReadError(`TLS verification of ${where} failed (${code}): ${err.message}`, 'unreachable', false);
      }
      return new StatsReadError(`cannot read ${where} (${code}): ${err.message}`, 'io');
  }
}

/** The reply did not complete within the time limit. */
export function timeoutError(address: StatsAddress, timeoutMs: number, received: number, phase: 'connect' | 'silent' | 'sending', sentRequest: boolean): StatsReadError {
  const where = label(address);
  if (phase === 'connect') {
    return new StatsReadError(`could not connect to ${where} within ${timeoutMs} ms (timeout)`, 'timeout');
  }
  if (phase === 'silent') {
    const tried = sentRequest ? ', even after an HTTP request' : '';
    return new StatsReadError(
      `${where} accepted the connection but sent nothing within ${timeoutMs} ms${tried} (timeout): is it a uWSGI stats server? (the master answers one client at a time and may be busy)`,
      'timeout',
    );
  }
  return new StatsReadError(`${where} was still sending after ${timeoutMs} ms (${received} bytes so far, timeout): the reply is too slow or never ends`, 'timeout');
}

/** The reply grew past the size cap. */
export function tooLargeError(address: StatsAddress, maxBytes: number): StatsReadError {
  return new StatsReadError(`the reply from ${label(address)} exceeds ${sizeText(maxBytes)} (the size limit): stopped reading`, 'too-large', false);
}

/** The server closed without a byte: uWSGI does that when it cannot build the document. */
export function emptyError(address: StatsAddress): StatsReadError {
  return new StatsReadError(`${label(address)}: the stats server closed without sending anything: uWSGI could not build the document; will retry`, 'empty');
}

/** The connection broke after part of the reply arrived. */
export function resetError(address: StatsAddress, received: number, code = 'ECONNRESET'): StatsReadError {
  return new StatsReadError(`${label(address)} reset the connection after ${received} bytes (${code}): the reply is incomplete`, 'reset');
}

/** The caller aborted the read. */
export function cancelledError(address: StatsAddress): StatsReadError {
  return new StatsReadError(`reading ${label(address)} was cancelled`, 'io');
}

