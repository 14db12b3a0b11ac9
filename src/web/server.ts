/**
 * The relay: one HTTP (or HTTPS) server with a fixed route table (the page, its stylesheet and modules, /metrics, /probe, /sd,
 * /api/snapshot, /healthz), admitting (token, Host, Origin) the upgrades it hands to the /ws feed
 * (src/relay/feed.ts), all fed by the same monitors; nothing here ever reads a stats socket.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ProbeRefusal, UsageError } from '../core/errors.js';
import { maskSnapshotOf } from '../stats/secrets.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { hostAllowed, isLoopbackHost, originAllowed, presentedToken, tokenMatches } from '../relay/auth.js';
import { RelayFeed, type FeedStats } from '../relay/feed.js';
import { createProber, type ProbeReader } from './probe.js';
import { createRelayMetrics, type ScrapeEndpoint } from './prometheus.js';
import { serviceDiscovery, type TargetOrigin } from './sd.js';
import type { RelayControl } from '../relay/remote-command.js';
import { PROTOCOL_VERSION } from '../relay/protocol.js';
import { escapeControls, safeJson, safeText } from '../core/safe-text.js';
import { acceptsGzip, loadPageModules, MODULE_PREFIX, PAGE_ENTRY, withGzip, type StaticFile } from './static-files.js';
import { PAGE_CSS } from './assets/page-css.js';
import { renderPageHtml } from './assets/page-html.js';
import { DEFAULT_MAX_WORKERS, limitUpdate, omittedWorkers } from '../relay/limits.js';
import { AddressGuard } from './address-guard.js';

export type { RelayControl } from '../relay/remote-command.js';

export interface RelayOptions {
  /** Interface to bind (default 127.0.0.1). Anything but loopback requires `token`. */
  host?: string;
  /** Port (default 9192; 0 picks a free one). */
  port?: number;
  /** When set, every HTTP request and WebSocket upgrade must carry it. */
  token?: string | null;
  /** Accept FIFO commands from clients (requires `token`). */
  allowControl?: boolean;
  /** FIFO controllers by target name. */
  controls?: ReadonlyMap<string, RelayControl>;
  /** Serve HTTPS and WSS with this certificate chain and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /** Compress WebSocket messages (permessage-deflate; default true). */
  deflate?: boolean;
  /** Send credentials of in-flight requests as they are (default false: masked, see stats/secrets.ts). */
  showSecrets?: boolean;
  /** Where command and connection notes go (one line each, already safe for a terminal). */
  log?: (line: string) => void;
  /** A client whose unsent data exceeds this misses updates (default 4 MiB). */
  maxBufferedBytes?: number;
  /** A client that misses this many updates in a row is dropped (default 10). */
  maxConsecutiveSkips?: number;
  /** WebSocket clients at once (default 500). */
  maxClients?: number;
  /** Interval of WebSocket pings that find dead peers (default 30 s). */
  pingIntervalMs?: number;
  /** TCP connections at once, WebSocket clients included (default maxClients + 64); more are closed at once. */
  maxConnections?: number;
  /** Connections one client address may hold (default half of maxConnections); more are closed at once. */
  maxConnectionsPerAddress?: number;
  /** An HTTP connection that sends nothing for this long is closed (default 20 s; WebSockets use pings instead). */
  idleTimeoutMs?: number;
  /** Workers per target in the feed, /api/snapshot and per-worker /metrics series (default 2000); the rest are counted, not sent. */
  maxWorkers?: number;
  /** Per-core Prometheus series (uwsgi_worker_core_*, uwsgi_metric_worker_core_*); off by default. */
  collectCores?: boolean;
  /** /probe reads addresses the relay does not watch (needs `probeRead`); off by default: it makes the relay a scanner. */
  probeAnyTarget?: boolean;
  /** How /probe reads an unwatched address (with probeAnyTarget). */
  probeRead?: ProbeReader;
  /** An unwatched probed address is read at most once per this many ms (default 1000). */
  probeMinIntervalMs?: number;
  /** Where each target came from (ini file, vassal name), for /sd labels. */
  origins?: ReadonlyMap<string, TargetOrigin>;
}

/** What the relay counted: proves one serialisation per update, however many clients. */
export type RelayStats = FeedStats;

export interface Relay {
  /** http://host:port/ of the page. */
  url: string;
  port: number;
  stats(): RelayStats;
  /** Close every client and the listening socket; monitors are left running (the caller owns them). */
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.length), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

const gzipAsync = promisify(gzip);

/** Expositions are sent gzipped when the scraper asks for it (Prometheus does): they compress about tenfold. */
function sendExposition(res: ServerResponse, contentType: string, text: string): Promise<void> {
  const accepts = /\bgzip\b/i.test(String(res.req.headers['accept-encoding'] ?? ''));
  if (!accepts) {
    send(res, 200, contentType, text, { Vary: 'Accept-Encoding' });
    return Promise.resolve();
  }
  return gzipAsync(Buffer.from(text, 'utf8')).then((body) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': String(body.length) });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  });
}

/** Send a body that has a gzip form: compressed when the client accepts it. */
function sendFile(res: ServerResponse, file: StaticFile): void {
  const gz = acceptsGzip(res.req.headers['accept-encoding']);
  const bytes = gz ? file.gzip : file.body;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': file.type,
    'Content-Length': String(bytes.length),
    Vary: 'Accept-Encoding',
    ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

function refuseUpgrade(socket: Duplex, status: number, text: string, message: string): void {
  const body = Buffer.from(message + '\n', 'utf8');
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body.toString('utf8')}`,
  );
  socket.destroy();
}

/** Wrong tokens an address may present per minute; then it waits (no answer says whether a guess was right). */
export const WRONG_TOKENS_PER_MINUTE = 50;

/** How many Host headers the request carried (Node keeps only the first in req.headers). */
function hostHeaders(req: IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') n++;
  return n;
}

function remoteOf(req: IncomingMessage): string {
  const addr = req.socket.remoteAddress ?? '?';
  return `${addr.includes(':') ? `[${addr}]` : addr}:${req.socket.remotePort ?? '?'}`;
}

/** The request target as a URL on our own origin; null for an absolute-form or otherwise bad target. */
function parseUrl(req: IncomingMessage): URL | null {
  const raw = req.url ?? '';
  // An absolute-form or scheme-relative target ("//evil/...") must not pick the URL's host.
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  try {
    return new URL(raw, 'http://relay.invalid');
  } catch {
    return null;
  }
}

/** Null when the request may go on, else the refusal (status, text). */
type AccessCheck = (req: IncomingMessage, url: URL) => [number, string] | null;

/** The one access rule for requests and upgrades: one Host header, then the token (with a wrong-token budget) or a loopback Host. */
function accessCheck(token: string | null, guard: AddressGuard, port: () => number): AccessCheck {
  return (req, url) => {
    // Two Host headers: which one a proxy and we each believe is how Host checks get bypassed.
    if (hostHeaders(req) > 1) return [400, 'more than one Host header'];
    // The page's code holds no data: its modules load without the token (ES module imports cannot carry it).
    if (token !== null && !url.pathname.startsWith(MODULE_PREFIX)) {
      const peer = req.socket.remoteAddress ?? '?';
      const wait = guard.waitSeconds(peer);
      if (wait > 0) return [429, `too many wrong tokens from this address: wait ${wait} s`];
      if (!tokenMatches(token, presentedToken(req, url))) {
        guard.failed(peer);
        return [401, 'a valid token is required (Authorization: Bearer TOKEN, basic auth with the token as password, or ?token=TOKEN)'];
      }
      return null;
    }
    if (token === null && !hostAllowed(req.headers.host, port())) return [421, 'this relay answers only to its loopback address (Host header refused)'];
    return null;
  };
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
type RelayMetrics = ReturnType<typeof createRelayMetrics>;

/** Answer a scrape with `render`'s exposition, counted and timed under `endpoint`. */
function scrape(res: ServerResponse, metrics: RelayMetrics, endpoint: ScrapeEndpoint, render: () => Promise<string>): void {
  const started = process.hrtime.bigint();
  render()
    .then((text) => sendExposition(res, metrics.contentType, text))
    .then(
      () => metrics.observe(endpoint, Number(process.hrtime.bigint() - started) / 1e9),
      (err: unknown) => {
        if (err instanceof ProbeRefusal) return send(res, err.status, 'text/plain; charset=utf-8', `${escapeControls(err.message)}\n`);
        send(res, 500, 'text/plain; charset=utf-8', `metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
}

interface RouteContext {
  monitors: readonly TargetMonitor[];
  token: string | null;
  metrics: RelayMetrics;
  prober: ReturnType<typeof createProber>;
  origins: ReadonlyMap<string, TargetOrigin>;
  /** The /api/snapshot body, rebuilt at most once per update. */
  apiSnapshot: () => StaticFile;
}

/** The relay's HTTP routes by path (the page's modules are served before these). */
function relayRoutes(ctx: RouteContext): Record<string, Route> {
  const { metrics } = ctx;
  const css = withGzip('text/css; charset=utf-8', Buffer.from(PAGE_CSS, 'utf8'));
  return {
    '/': (_req, res, url) => {
      const t = url.searchParams.get('token');
      send(res, 200, 'text/html; charset=utf-8', renderPageHtml(ctx.token !== null && t !== null ? t : null, PAGE_ENTRY));
    },
    '/app.css': (_req, res) => sendFile(res, css),
    '/favicon.ico': (_req, res) => send(res, 204, 'text/plain', ''),
    // Reached only without an Upgrade header (upgrades go to the 'upgrade' handler): say what the path wants.
    '/ws': (_req, res) =>
      send(res, 426, 'text/plain; charset=utf-8', 'this is the WebSocket feed: connect with a WebSocket client (Upgrade: websocket), or open / for the page\n', {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
      }),
    '/healthz': (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n'),
    '/api/snapshot': (_req, res) => sendFile(res, ctx.apiSnapshot()),
    '/metrics': (_req, res) => scrape(res, metrics, 'metrics', () => metrics.render()),
    '/metrics/relay': (_req, res) => scrape(res, metrics, 'relay', () => metrics.renderSelf()),
    '/probe': (_req, res, url) => scrape(res, metrics, 'probe', async () => metrics.renderTargets([await ctx.prober.resolve(url.searchParams.get('target'))])),
    '/sd': (_req, res) => {
      const started = process.hrtime.bigint();
      send(res, 200, 'application/json', safeJson(serviceDiscovery(ctx.monitors, ctx.origins)));
      metrics.observe('sd', Number(process.hrtime.bigint() - started) / 1e9);
    },
  };
}

/** The HTTP request handler: target, access, method and body checks, then a page module or a route. */
function requestHandler(access: AccessCheck, modules: ReadonlyMap<string, StaticFile>, routes: Record<string, Route>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = parseUrl(req);
    if (url === null) return send(res, 400, 'text/plain; charset=utf-8', 'bad request target\n', { Connection: 'close' });
    // Liveness for probes that hold no token (a load balancer, kubelet): it says nothing but that the relay answers.
    const problem = url.pathname === '/healthz' ? null : access(req, url);
    if (problem !== null) {
      const extra: Record<string, string> = problem[0] === 401 ? { 'WWW-Authenticate': 'Bearer, Basic realm="uwsgitop-ts"' } : {};
      return send(res, problem[0], 'text/plain; charset=utf-8', problem[1] + '\n', extra);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', { Allow: 'GET, HEAD', Connection: 'close' });
    }
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
      // Request bodies are never read: refuse and close rather than drain an unbounded upload.
      return send(res, 413, 'text/plain; charset=utf-8', 'request bodies are not accepted\n', { Connection: 'close' });
    }
    const module = modules.get(url.pathname);
    if (module !== undefined) return sendFile(res, module);
    const route = Object.prototype.hasOwnProperty.call(routes, url.pathname) ? routes[url.pathname] : undefined;
    if (route === undefined) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    route(req, res, url);
  };
}

/** The WebSocket upgrade handler: only /ws, the same access rule, same-origin, and the client limit. */
function upgradeHandler(access: AccessCheck, feed: RelayFeed, maxClients: number): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => undefined);
    const url = parseUrl(req);
    if (url === null || url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found', 'WebSocket endpoint is /ws');
    const problem = access(req, url);
    if (problem !== null) return refuseUpgrade(socket, problem[0], http.STATUS_CODES[problem[0]] ?? 'Refused', problem[1]);
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden', 'cross-origin WebSocket refused');
    if (feed.clients >= maxClients) return refuseUpgrade(socket, 503, 'Service Unavailable', 'too many clients');
    feed.accept(req, socket, head, remoteOf(req));
  };
}

/** Bound connections: per address (the guard), idle ones, and malformed requests. */
function guardConnections(server: http.Server, guard: AddressGuard, idleTimeoutMs: number): void {
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '?';
    if (!guard.connect(peer)) {
      socket.destroy();
      return;
    }
    socket.once('close', () => guard.disconnect(peer));
  });
  server.setTimeout(idleTimeoutMs);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
}

/** Refuse settings that would expose the relay: a non-loopback address or control without a token. */
function checkExposure(host: string, token: string | null, allowControl: boolean): void {
  if (!isLoopbackHost(host) && token === null) {
    throw new UsageError(`listening on ${host} (not loopback) requires a token: pass --token-file FILE`);
  }
  if (allowControl && token === null) throw new UsageError('--allow-control requires --token-file: commands are only taken from clients with the token');
}

/** Keep the /api/snapshot body until the next update, and say once per target that the worker limit applies. */
function apiSnapshotCache(monitors: readonly TargetMonitor[], shown: (u: TargetUpdate) => TargetUpdate, maxWorkers: number, log: (line: string) => void) {
  // Rebuilt lazily after an update: any number of API reads between two polls cost one build.
  let cache: StaticFile | null = null;
  const limitNoted = new Set<string>();
  const noteLimit = (u: TargetUpdate): void => {
    const omitted = omittedWorkers(u, maxWorkers);
    if (omitted === 0 || limitNoted.has(u.target)) return;
    limitNoted.add(u.target);
    log(`relay: ${safeText(u.target, 200)} has ${omitted + maxWorkers} workers: the feed, /api/snapshot and /metrics carry the first ${maxWorkers} (totals and counts cover all)`);
  };
  const unsubscribes = monitors.map((monitor) =>
    monitor.subscribe((update) => {
      noteLimit(update);
      cache = null;
    }),
  );
  const build = (): StaticFile => {
    const targets = monitors.map((m) => {
      const u = m.latest();
      return u === null ? { target: m.target, seq: 0, state: { state: 'connecting' } } : shown(u);
    });
    return withGzip('application/json', Buffer.from(safeJson({ v: PROTOCOL_VERSION, targets }), 'utf8'));
  };
  return {
    get: (): StaticFile => (cache ??= build()),
    close: (): void => unsubscribes.forEach((unsubscribe) => unsubscribe()),
  };
}

/** Start a relay for these monitors; resolves once listening. */
export async function startRelay(monitors: readonly TargetMonitor[], options: RelayOptions = {}): Promise<Relay> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? null;
  const allowControl = options.allowControl ?? false;
  checkExposure(host, token, allowControl);
  const maxClients = options.maxClients ?? 500;
  const maxWorkers = options.maxWorkers ?? DEFAULT_MAX_WORKERS;
  // What leaves the relay: masked unless the operator asked to see credentials.
  const mask = options.showSecrets === true ? <T>(u: T): T => u : maskSnapshotOf;
  // Bounded first (cheap), then masked: 100,000 workers are neither sent nor masked one by one.
  const shown = (u: TargetUpdate): TargetUpdate => mask(limitUpdate(u, maxWorkers));
  const log = options.log ?? (() => undefined);
  const feed = new RelayFeed(monitors, {
    allowControl,
    controls: options.controls ?? new Map<string, RelayControl>(),
    log,
    shown,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
    maxConsecutiveSkips: options.maxConsecutiveSkips ?? 10,
    pingIntervalMs: options.pingIntervalMs ?? 30000,
    deflate: options.deflate ?? true,
  });
  const metrics = createRelayMetrics(monitors, { clients: () => feed.clients, cores: options.collectCores ?? false, maxWorkers });
  const prober = createProber(monitors, (m) => metrics.input(m), {
    anyTarget: options.probeAnyTarget ?? false,
    ...(options.probeRead !== undefined ? { read: options.probeRead } : {}),
    ...(options.probeMinIntervalMs !== undefined ? { minIntervalMs: options.probeMinIntervalMs } : {}),
  });
  const api = apiSnapshotCache(monitors, shown, maxWorkers, log);
  const origins = options.origins ?? new Map<string, TargetOrigin>();
  const routes = relayRoutes({ monitors, token, metrics, prober, origins, apiSnapshot: api.get });
  // Without a connection cap, connections that never send a byte stay open forever (Node times out only
  // started requests): enough of them exhaust the relay's file descriptors, and then its stats reads fail too.
  const maxConnections = options.maxConnections ?? maxClients + 64;
  // One address holding every connection would lock the others out until its idle timeouts.
  const guard = new AddressGuard({
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? Math.max(1, Math.floor(maxConnections / 2)),
    maxFailures: WRONG_TOKENS_PER_MINUTE,
    windowMs: 60_000,
  });
  let port = 0;
  const access = accessCheck(token, guard, () => port);
  const onRequest = requestHandler(access, loadPageModules(), routes);
  const serverOptions = { maxHeaderSize: 8192, requestTimeout: 15000, headersTimeout: 10000, connectionsCheckingInterval: 2000 };
  const tls = options.tls ?? null;
  const server = tls === null ? http.createServer(serverOptions, onRequest) : https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key }, onRequest);
  server.maxConnections = maxConnections;
  guardConnections(server, guard, options.idleTimeoutMs ?? 20000);
  server.on('upgrade', upgradeHandler(access, feed, maxClients));
  port = await listen(server, options.port ?? 9192, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${tls === null ? 'http' : 'https'}://${urlHost}:${port}/`,
    port,
    stats: () => feed.stats(),
    async close() {
      api.close();
      metrics.close();
      await feed.close();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}

/** Listen on host:port; resolves with the port bound (the one picked when `port` is 0). */
async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
