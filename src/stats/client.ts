/**
 * The stats client: one bounded read of one target, from wherever uWSGI serves its document (TCP, unix,
 * abstract, --stats-http over any of them, https behind a proxy), or from a saved document (file:, -).
 */
import { performance } from 'node:perf_hooks';
import { StatsReadError, UsageError } from '../core/errors.js';
import { endpointKey, type StatsAddress } from './address.js';
import { decodeSnapshot, type DocumentObserver } from './document.js';
import type { Snapshot } from './snapshot.js';
import { abstractPaths, nodeAbstractChannel, nodeReachesAbstract, pythonAbstractChannel } from './transport-abstract.js';
import { readChannel, type Channel, type ChannelReply } from './transport-channel.js';
import { emptyError, label, resetError } from './transport-errors.js';
import { readFileTarget, readStdinTarget } from './transport-file.js';
import { applicationError, httpRequest, looksLikeHttp, parseHttpReply, PROBE_REQUEST, statusError } from './transport-http.js';
import { socketChannel } from './transport-socket.js';

export interface ReadOptions {
  /** The whole read (connect to EOF), default 3000 ms. */
  timeoutMs?: number;
  /** Size cap on the reply, default 64 MiB: reading stops as soon as it is exceeded. */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Standard input for the '-' target (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** How long a plain socket may stay silent before an HTTP request is sent (it may be --stats-http), default 300 ms. */
  probeMs?: number;
}

export interface RawReply {
  /** The document bytes (HTTP headers already removed). */
  body: Buffer;
  durationMs: number;
  /** Misuse noticed and worked around (an http:// URL at a plain socket, a --stats-http socket read plainly). */
  warnings?: string[];
}

const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_PROBE_MS = 300;

type Protocol = 'plain' | 'http';

/** What each endpoint turned out to speak, so later reads of it send the HTTP request at once (or never). */
type ProtocolMemory = Map<string, Protocol>;

interface Limits {
  timeoutMs: number;
  maxBytes: number;
  probeMs: number;
  signal?: AbortSignal;
}

function limitsOf(options: ReadOptions): Limits {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const probeMs = options.probeMs ?? DEFAULT_PROBE_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new UsageError(`the read timeout must be a positive number of milliseconds (got ${timeoutMs})`);
  if (!(maxBytes > 0) || !Number.isFinite(maxBytes)) throw new UsageError(`the reply size limit must be a positive number of bytes (got ${maxBytes})`);
  if (!(probeMs >= 0)) throw new UsageError(`probeMs must be >= 0 (got ${probeMs})`);
  return { timeoutMs, maxBytes, probeMs, signal: options.signal };
}

function firstByte(bytes: Buffer): number | undefined {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  return undefined;
}

function lastByte(bytes: Buffer): number | undefined {
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  }
  return undefined;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * A plain uWSGI stats server never reads: if we sent request bytes, closing with them unread makes the
 * kernel send a reset, sometimes after the whole document arrived. A reply that ends with its closing
 * brace is then whole; anything else that was reset is incomplete.
 */
function checkReset(address: StatsAddress, reply: ChannelReply, body: Buffer): void {
  if (!reply.reset) return;
  const plainAfterRequest = reply.sentRequest && firstByte(body) === OPEN_BRACE && lastByte(body) === CLOSE_BRACE;
  if (!plainAfterRequest) throw resetError(address, reply.bytes.length);
}

/** Interpret what a stats socket sent: a plain document or an HTTP reply; remembers which. */
function interpret(protocols: ProtocolMemory, address: StatsAddress, key: string, reply: ChannelReply, viaUrl: boolean): { body: Buffer; warnings: string[] } {
  const where = label(address);
  const warnings: string[] = [];
  if (looksLikeHttp(reply.bytes)) {
    protocols.set(key, 'http');
    const http = parseHttpReply(reply.bytes, where);
    if (http.status !== 200) throw statusError(http, where);
    const app = applicationError(http, where);
    if (app !== null) throw app;
    if (http.body.length === 0) throw emptyError(address);
    // Without a Content-Length, a reset reply is whole only if the document got its closing brace.
    if (reply.reset && !http.headers.has('content-length') && lastByte(http.body) !== CLOSE_BRACE) {
      throw resetError(address, reply.bytes.length);
    }
    if (!viaUrl) {
      warnings.push(
        address.kind === 'tcp'
          ? `${where} is a --stats-http socket; use http://${where}`
          : `${where} is a --stats-http socket (read over HTTP)`,
      );
    }
    return { body: http.body, warnings };
  }
  if (firstByte(reply.bytes) === OPEN_BRACE) protocols.set(key, 'plain');
  checkReset(address, reply, reply.bytes);
  if (viaUrl && firstByte(reply.bytes) === OPEN_BRACE) {
    const url = new URL((address as { url: string }).url);
    warnings.push(`${where} is a plain stats socket, not --stats-http (no HTTP status line): use ${url.host}`);
  }
  return { body: reply.bytes, warnings };
}

/** One read over a fresh channel with the request policy this endpoint calls for. */
async function readStatsSocket(
  protocols: ProtocolMemory,
  address: StatsAddress,
  makeChannel: () => Channel,
  limits: Limits,
  viaUrl: boolean,
  request: Buffer,
): Promise<{ body: Buffer; warnings: string[] }> {
  const key = endpointKey(address);
  const known = protocols.get(key);
  // A URL speaks HTTP unless it proved plain; a socket is plain unless it proved HTTP or stays silent.
  const sendNow = known === 'http' || (viaUrl && known !== 'plain');
  const probe = !sendNow && known === undefined ? { afterMs: limits.probeMs, bytes: request } : undefined;
  let reply: ChannelReply;
  try {
    reply = await readChannel(address, makeChannel(), {
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      signal: limits.signal,
      request: sendNow ? request : undefined,
      probe,
    });
  } catch (err) {
    // The instance may have been restarted with other flags: find out again next time.
    if (err instanceof StatsReadError && err.code !== 'too-large') protocols.delete(key);
    throw err;
  }
  return interpret(protocols, address, key, reply, viaUrl);
}

async function readAbstract(protocols: ProtocolMemory, address: StatsAddress & { kind: 'abstract' }, limits: Limits): Promise<{ body: Buffer; warnings: string[] }> {
  if (!nodeReachesAbstract()) {
    return readStatsSocket(protocols, address, () => pythonAbstractChannel(address.name), limits, false, PROBE_REQUEST);
  }
  const [withNul, withoutNul] = abstractPaths(address.name) as [string, string];
  const started = performance.now();
  try {
    return await readStatsSocket(protocols, address, () => nodeAbstractChannel(withNul), limits, false, PROBE_REQUEST);
  } catch (err) {
    // Other uWSGI versions bind `\0name` without the trailing NUL.
    if (!(err instanceof StatsReadError) || err.code !== 'refused') throw err;
    const left = limits.timeoutMs - (performance.now() - started);
    if (left <= 0) throw err;
    return readStatsSocket(protocols, address, () => nodeAbstractChannel(withoutNul), { ...limits, timeoutMs: left }, false, PROBE_REQUEST);
  }
}

function readUrl(protocols: ProtocolMemory, address: StatsAddress & { kind: 'http' }, limits: Limits): Promise<{ body: Buffer; warnings: string[] }> {
  const url = new URL(address.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tlsOn = url.protocol === 'https:';
  const port = url.port !== '' ? Number(url.port) : tlsOn ? 443 : 80;
  const makeChannel = (): Channel =>
    tlsOn ? socketChannel({ kind: 'tls', host, port, servername: host }) : socketChannel({ kind: 'tcp', host, port });
  return readStatsSocket(protocols, address, makeChannel, limits, true, httpRequest(url));
}

async function readRawWith(protocols: ProtocolMemory, address: StatsAddress, options: ReadOptions): Promise<RawReply> {
  const limits = limitsOf(options);
  const started = performance.now();
  let result: { body: Buffer; warnings: string[] };
  switch (address.kind) {
    case 'tcp':
      result = await readStatsSocket(protocols, address, () => socketChannel({ kind: 'tcp', host: address.host, port: address.port }), limits, false, PROBE_REQUEST);
      break;
    case 'unix':
      result = await readStatsSocket(protocols, address, () => socketChannel({ kind: 'path', path: address.path }), limits, false, PROBE_REQUEST);
      break;
    case 'abstract':
      result = await readAbstract(protocols, address, limits);
      break;
    case 'http':
      result = await readUrl(protocols, address, limits);
      break;
    case 'file':
      result = { body: await readFileTarget(address, limits), warnings: [] };
      break;
    case 'stdin':
      result = { body: await readStdinTarget(address, options.stdin ?? process.stdin, limits), warnings: [] };
      break;
    case 'relay':
      throw new StatsReadError(
        `${address.text} is a uwsgitop-ts relay (ws://, wss://): it serves live updates, not a stats document to read here; watch it as a target (uwsgitop-ts ${address.text}) or point at the uWSGI stats socket itself (host:port, a socket path, @name or http://)`,
        'unsupported',
        false,
      );
  }
  return { body: result.body, durationMs: performance.now() - started, warnings: result.warnings };
}

async function readSnapshotWith(protocols: ProtocolMemory, address: StatsAddress, options: ReadOptions, observe?: DocumentObserver): Promise<Snapshot> {
  const raw = await readRawWith(protocols, address, options);
  const snapshot = decodeSnapshot(raw.body, {
    target: address.text,
    readAtMs: Date.now(),
    monotonicMs: performance.now(),
    durationMs: raw.durationMs,
  }, observe);
  if (raw.warnings && raw.warnings.length > 0) snapshot.warnings = raw.warnings.concat(snapshot.warnings);
  return snapshot;
}

/**
 * A reader that remembers, for the endpoints it has read, whether they speak plain or HTTP (so a --stats-http
 * socket is asked at once from the second read on). One per target or per run: nothing is shared between
 * clients, and a failed read forgets the endpoint (a restarted uWSGI may speak the other way).
 */
export class StatsClient {
  private readonly protocols: ProtocolMemory = new Map();

  /** One read of one target: one connection, read to EOF, bounded in time and size. Throws StatsReadError. */
  readRaw(address: StatsAddress, options: ReadOptions = {}): Promise<RawReply> {
    return readRawWith(this.protocols, address, options);
  }

  /** Read and decode one target into a Snapshot (StatsReadError or DecodeError on failure). */
  readSnapshot(address: StatsAddress, options: ReadOptions = {}, observe?: DocumentObserver): Promise<Snapshot> {
    return readSnapshotWith(this.protocols, address, options, observe);
  }

  /** Forget what the endpoints read so far turned out to speak. */
  forget(): void {
    this.protocols.clear();
  }
}

/** One read of one target by a client of its own (nothing remembered for the next read). Throws StatsReadError. */
export function readRaw(address: StatsAddress, options: ReadOptions = {}): Promise<RawReply> {
  return readRawWith(new Map(), address, options);
}

/** Read and decode one target into a Snapshot by a client of its own (StatsReadError or DecodeError on failure). */
export function readSnapshot(address: StatsAddress, options: ReadOptions = {}, observe?: DocumentObserver): Promise<Snapshot> {
  return readSnapshotWith(new Map(), address, options, observe);
}
