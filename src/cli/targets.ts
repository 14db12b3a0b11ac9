/**
 * From what the user typed to readable targets: parse each address, refuse what cannot work, and give each
 * target its fetch function (one read of one document, with the common timeout and size limit).
 */
import type { StatsAddress } from '../stats/address.js';
import { parseAddress } from '../stats/address.js';
import { uwsgiStartEpochSeconds } from '../stats/proc-start.js';
import { notLocal, readOsFacts } from '../stats/proc-os.js';
import { kernelQueues } from '../stats/sock-diag.js';
import { settleUptime, type MasterStart } from '../metrics/uptime.js';
import { derive } from '../metrics/derive.js';
import type { Derived } from '../metrics/types.js';
import { StatsClient } from '../stats/client.js';
import type { Snapshot } from '../stats/snapshot.js';
import { maskSnapshot } from '../stats/secrets.js';
import type { TargetMonitor } from '../monitor/types.js';
import { DecodeError, StatsReadError, UsageError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import type { DocumentObserver } from '../stats/document.js';
import { ReadSlots, readsForFdLimit } from './read-slots.js';

export interface ReadLimits {
  timeoutMs: number;
  maxBytes: number;
  /** Keep credentials (cookies, Authorization, token parameters) in request variables; masked otherwise. */
  showSecrets?: boolean;
}

/** One target of this run. */
export interface Target {
  /** The address as typed: the name used in reports, records and error lines. */
  name: string;
  address: StatsAddress;
  /** A file or stdin holds one document: read once, no rates. */
  isStatic: boolean;
  /** Read one document; `observe` is told the parsed document (the flight recorder keeps it). */
  fetch(signal: AbortSignal, observe?: DocumentObserver): Promise<Snapshot>;
  /** The instance's --max-requests when known (from its ini): respawns at that count are recycling. */
  maxRequests?: number;
  /** For a target served by a relay: its live monitor (the dashboard uses it directly) and command channel. */
  remote?: TargetMonitor & { runCommand(command: string): Promise<{ ok: boolean; message: string }>; commands(): readonly string[] };
}

/** Parse every address (UsageError on the first bad one) and check the combination makes sense. */
export function parseTargets(texts: readonly string[]): StatsAddress[] {
  const addresses = texts.map((t) => parseAddress(t));
  if (addresses.filter((a) => a.kind === 'stdin').length > 1) throw new UsageError('- (stdin) can be given only once');
  return addresses;
}

/** A directly read target (not a relay) for one address. */
export function directTarget(address: StatsAddress, stdin: NodeJS.ReadableStream, limits: ReadLimits, slots?: ReadSlots): Target {
  // Its own client: what this target's endpoint speaks is remembered for this target's next reads only.
  const client = new StatsClient();
  const read = (signal: AbortSignal, observe?: DocumentObserver): Promise<Snapshot> => fetchOne(client, address, stdin, limits, signal, observe);
  return {
    name: address.text,
    address,
    isStatic: address.kind === 'file' || address.kind === 'stdin',
    fetch: slots === undefined ? read : (signal, observe) => slots.run(signal, () => read(signal, observe)),
  };
}

/**
 * The targets of this run in the order given, duplicates removed (one poll per target). `relayTargets`
 * gives, for each ws:// address, the targets its relay serves (see relay-targets.ts).
 */
export function buildTargets(
  addresses: readonly StatsAddress[],
  stdin: NodeJS.ReadableStream,
  limits: ReadLimits,
  relayTargets: (address: StatsAddress) => Target[] = () => [],
): Target[] {
  const seen = new Set<string>();
  const targets: Target[] = [];
  // Every direct target's reads share the room the open-file limit leaves, whichever mode polls them.
  const slots = new ReadSlots(readsForFdLimit(Number.MAX_SAFE_INTEGER));
  for (const address of addresses) {
    const expanded = address.kind === 'relay' ? relayTargets(address) : [directTarget(address, stdin, limits, slots)];
    for (const target of expanded) {
      if (seen.has(target.name)) continue;
      seen.add(target.name);
      targets.push(target);
    }
  }
  return targets;
}

async function fetchOne(client: StatsClient, address: StatsAddress, stdin: NodeJS.ReadableStream, limits: ReadLimits, signal: AbortSignal, observe?: DocumentObserver): Promise<Snapshot> {
  const snapshot = await client.readSnapshot(address, { timeoutMs: limits.timeoutMs, maxBytes: limits.maxBytes, signal, stdin }, observe);
  // CPU and memory from the OS, read right after the document so both describe the same moment.
  if (snapshot.kind === 'instance' && address.kind !== 'file' && address.kind !== 'stdin') {
    snapshot.os = onThisHost(address) ? await readOsFacts(snapshot.doc) : notLocal('not local: the stats address is not on this host');
    // uWSGI reports 0/0 for unix sockets: the kernel knows how many connections wait (as `ss -xl` shows).
    if (snapshot.os.local && snapshot.doc.sockets.length > 0) {
      const queues = await kernelQueues(snapshot.doc.sockets, snapshot.doc.pid);
      if (queues === null) snapshot.os.socketsNote = 'kernel listen queues unavailable (needs perl and netlink sock_diag)';
      else snapshot.os.sockets = queues;
    }
  }
  // Masked at the source, so every view, report, record and the relay see the same safe data.
  return limits.showSecrets === true ? snapshot : maskSnapshot(snapshot);
}

/** The one-line message of a failed read, without the target's name repeated. */
export function failureText(target: string, err: unknown): string {
  let text = err instanceof Error ? err.message || err.name : String(err);
  text = escapeControls(text.replace(/\s*[\r\n]+\s*/g, ' ').trim()) || 'unknown error';
  const prefix = `${target}: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** The stderr line for a failed read: `uwsgitop-ts: TARGET: why`. */
export function failureLine(target: string, message: string): string {
  return `uwsgitop-ts: ${escapeControls(target)}: ${message}\n`;
}

/** The error code of a failed read, for JSON records (null when not a stats read error). */
export function failureCode(err: unknown): string | null {
  if (err instanceof StatsReadError) return err.code;
  if (err instanceof DecodeError) return 'decode';
  return null;
}

/** A failing local socket is retried at least this often: a refused connect costs nothing, and a restart shows in ~2 s. */
const LOCAL_MAX_BACKOFF_MS = 2000;

/** Whether the address reaches a stats server on this host (loopback TCP, unix or abstract socket). */
function isLocal(address: StatsAddress): boolean {
  if (address.kind === 'unix' || address.kind === 'abstract') return true;
  return address.kind === 'tcp' && loopback(address.host);
}

const loopback = (host: string): boolean => host === '::1' || host === '[::1]' || host.startsWith('127.') || host === 'localhost';

/** Whether a target is a live instance on this host (not a file, not a relay's), so /proc may be asked about it. */
export function isOnThisHost(target: Target): boolean {
  return !target.isStatic && target.remote === undefined && onThisHost(target.address);
}

/** Whether the instance behind the address runs on this host, so /proc can be asked about its pids (--stats-http too). */
function onThisHost(address: StatsAddress): boolean {
  if (address.kind !== 'http') return isLocal(address);
  try {
    return loopback(new URL(address.url).hostname);
  } catch {
    return false;
  }
}

/** Monitor options that follow from where a target is: a local master's start from /proc, a short back-off, saved documents. */
export function monitorPlacement(target: Target): { masterStart?: MasterStart; maxBackoffMs?: number; saved?: boolean } {
  if (target.isStatic) return { saved: true };
  return isLocal(target.address) ? { masterStart: uwsgiStartEpochSeconds, maxBackoffMs: LOCAL_MAX_BACKOFF_MS } : {};
}

/** The derived values of one read outside a monitor (one-shot reports), uptime settled as a monitor settles it. */
export function deriveRead(target: Target, before: Snapshot | null, snapshot: Snapshot): Derived {
  const derived = derive(before, snapshot);
  const place = monitorPlacement(target);
  settleUptime(snapshot, derived, place.masterStart, place.saved === true);
  return derived;
}
