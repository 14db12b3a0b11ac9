/**
 * Node's side of the kernel listen-queue helper (sock-diag-script.ts): one long-lived perl process,
 * started on the first query, unref'ed (it never keeps a finished CLI alive), asked at most once at a time.
 * Measured here: 22 µs of CPU per query in the helper, where an `ss -xlH` child per poll costs ~13 ms.
 */
import type { ChildProcess } from 'node:child_process';
import { readdir, readlink } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { KernelQueue, Socket } from './snapshot.js';
import { SOCK_DIAG_MARK, SOCK_DIAG_SCRIPT } from './sock-diag-script.js';
import { killScriptHelper, startScriptHelper } from './script-helper.js';

/** An answer that does not come within this time is given up (the helper is then replaced). */
const QUERY_TIMEOUT_MS = 1000;
/** The first answer waits for the interpreter to start too: python3 took over a second on a loaded machine here. */
const FIRST_QUERY_TIMEOUT_MS = 5000;

type Pending = { resolve: (line: string | null) => void; timer: NodeJS.Timeout };

class Helper {
  readonly child: ChildProcess;
  dead = false;
  private buffer = '';
  private pending: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private answered = false;

  constructor(perl: string) {
    const child = startScriptHelper({ interpreter: perl, flag: '-e' }, SOCK_DIAG_SCRIPT, SOCK_DIAG_MARK, 'ignore');
    this.child = child;
    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    const gone = (): void => {
      this.dead = true;
      this.finish(null);
    };
    child.once('error', gone);
    child.once('close', gone);
  }

  /** One query line out, one answer line back (null when the helper failed or was too slow). */
  ask(line: string): Promise<string | null> {
    const run = this.chain.then(
      () =>
        new Promise<string | null>((ok) => {
          if (this.dead) return ok(null);
          const timer = setTimeout(() => {
            this.kill();
            this.finish(null);
          }, this.answered ? QUERY_TIMEOUT_MS : FIRST_QUERY_TIMEOUT_MS);
          // Not unref'ed: while a query waits, its timer is what keeps a one-shot run alive until the answer.
          this.pending = { resolve: ok, timer };
          this.child.stdin?.write(line + '\n');
        }),
    );
    this.chain = run;
    return run;
  }

  kill(): void {
    this.dead = true;
    killScriptHelper(this.child);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    // A helper out of step (an answer nobody asked for, or a runaway line) is not trusted again.
    if (this.buffer.length > 1 << 20) {
      this.kill();
      this.finish(null);
      return;
    }
    const nl = this.buffer.indexOf('\n');
    if (nl < 0) return;
    const line = this.buffer.slice(0, nl);
    this.buffer = this.buffer.slice(nl + 1);
    this.answered = true;
    this.finish(line);
  }

  private finish(line: string | null): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve(line);
  }
}

let helper: Helper | null = null;

/** The socket name as the kernel keeps it (as uWSGI bound it: a relative path stays relative), `@name` abstract; null for TCP. */
export function kernelName(name: string): Buffer | null {
  // TCP and UDP sockets (HOST:PORT, :PORT) are not unix sockets; uWSGI's own figure is right for TCP.
  if (!name.startsWith('/') && !name.startsWith('@') && /:\d+$/.test(name)) return null;
  const bytes = name.startsWith('@') ? Buffer.concat([Buffer.from([0]), Buffer.from(name.slice(1), 'utf8')]) : Buffer.from(name, 'utf8');
  // No unix socket name is longer than sun_path (108 bytes): a longer one in a document is not asked about.
  return bytes.length === 0 || bytes.length > 108 ? null : bytes;
}

/**
 * How the helper is asked about a TCP listener whose figures uWSGI left out (0/0: it reads TCP_INFO for
 * IPv4 only, so an IPv6 listener shows 0/0 however full): `t6-::1-3031`; null for any other socket, a host
 * name (which address it bound is not known here) or a scoped address.
 */
export function tcpToken(s: Pick<Socket, 'name' | 'queue' | 'maxQueue'>): string | null {
  if (s.maxQueue !== 0 || s.queue !== 0) return null;
  const m = /^(?:\[([0-9A-Fa-f:.]{2,45})\]|([0-9.]{7,15})|)?:(\d{1,5})$/.exec(s.name);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  // `:PORT` is uWSGI's 0.0.0.0:PORT.
  const address = m[1] ?? m[2] ?? '0.0.0.0';
  const family = isIP(address);
  return family === 0 ? null : `t${family}-${address}-${port}`;
}

/** At most this many sockets of one document are asked about (a hostile document can list thousands). */
const MAX_ASKED = 256;

/** One listener the kernel reported under a name. */
export interface Listener {
  queue: number;
  maxQueue: number;
  inode: number;
}

/** Parse one answer line for `count` names: the listeners under each; null when it is not such a line. */
export function parseAnswer(line: string, count: number): Listener[][] | null {
  const parts = line.trim() === '' ? [] : line.trim().split(' ');
  if (parts.length !== count) return null;
  const out: Listener[][] = [];
  for (const p of parts) {
    if (p === '-') {
      out.push([]);
      continue;
    }
    const entries: Listener[] = [];
    for (const e of p.split(';')) {
      const m = /^(\d{1,10}),(\d{1,10}),(\d{1,20})$/.exec(e);
      if (!m) return null;
      entries.push({ queue: Number(m[1]), maxQueue: Number(m[2]), inode: Number(m[3]) });
    }
    out.push(entries);
  }
  return out;
}

/** The socket inodes a process holds open (null when /proc does not let us look: another user's process). */
async function socketInodes(pid: number): Promise<Set<number> | null> {
  try {
    const fds = await readdir(`/proc/${pid}/fd`);
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    const inodes = new Set<number>();
    for (const l of links) {
      const m = /^socket:\[(\d+)\]$/.exec(l);
      if (m) inodes.add(Number(m[1]));
    }
    return inodes;
  } catch {
    return null;
  }
}

/** The master's socket inodes, read again only when a listener is not among them (a reload binds anew). */
let masterInodes: { pid: number; inodes: Set<number> | null } | null = null;

async function holds(pid: number, inode: number): Promise<boolean | null> {
  if (masterInodes?.pid !== pid || (masterInodes.inodes !== null && !masterInodes.inodes.has(inode))) {
    masterInodes = { pid, inodes: await socketInodes(pid) };
  }
  return masterInodes.inodes === null ? null : masterInodes.inodes.has(inode);
}

/**
 * The listener that is this master's: the one whose inode the master holds open; when /proc does not let us
 * look, the only listener at an absolute path (a relative name can be anyone's). Null when none is proven.
 */
async function ownListener(name: string, listeners: Listener[], masterPid: number): Promise<Listener | null> {
  for (const l of listeners) {
    const held = await holds(masterPid, l.inode);
    if (held === true) return l;
    // A numeric TCP address and port is one listener on this host (like an absolute path).
    if (held === null) return listeners.length === 1 && (name.startsWith('/') || name.startsWith('@') || /:\d+$/.test(name)) ? l : null;
  }
  return null;
}

/**
 * The kernel's listen queue of each of an instance's unix sockets and of each TCP listener uWSGI gave no
 * figures for (same order as `sockets`; null for the others and for one not proven to be this master's
 * listener), or null when the kernel cannot be asked.
 */
export async function kernelQueues(sockets: readonly Socket[], masterPid: number, perl = 'perl'): Promise<Array<KernelQueue | null> | null> {
  const names = sockets.map((s, i) => (i < MAX_ASKED ? (tcpToken(s) ?? kernelName(s.name)?.toString('hex') ?? null) : null));
  const asked = names.filter((n): n is string => n !== null);
  if (asked.length === 0) return sockets.map(() => null);
  if (helper === null || helper.dead) helper = new Helper(perl);
  const line = await helper.ask(asked.join(' '));
  const answer = line === null || line.startsWith('!') ? null : parseAnswer(line, asked.length);
  if (answer === null) return null;
  let i = 0;
  const out: Array<KernelQueue | null> = [];
  for (const [k, n] of names.entries()) {
    if (n === null) {
      out.push(null);
      continue;
    }
    const own = await ownListener(sockets[k]!.name, answer[i++]!, masterPid);
    out.push(own === null ? null : { queue: own.queue, maxQueue: own.maxQueue });
  }
  return out;
}

/** Stop the helper (by pid): tests, and a CLI that wants no child left. */
export function stopSockDiag(): void {
  helper?.kill();
  helper = null;
}

/** The helper's pid, or null when none runs. */
export function sockDiagPid(): number | null {
  return helper === null || helper.dead ? null : (helper.child.pid ?? null);
}
