/**
 * The dashboard's view of a relay: `uwsgitop-ts ws://box:9192` connects to a relay's /ws feed and gets one
 * TargetMonitor per target the relay watches, fed by the relay's messages (no stats read from here), so the
 * box's instances show as if they were local. Lost connections are retried with back-off; the targets then
 * show as down until the relay answers again. A relay that comes back with other targets: the vanished ones
 * stay down saying so, new ones go to `onTargetsAdded` or are reported (events, `log`).
 */
import WebSocket from 'ws';
import { StatsReadError, UsageError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import { PROTOCOL_VERSION, type HelloTarget } from './protocol.js';
import { RemoteMonitor, type RelayLinkPort, type RemoteTargetMonitor } from './remote-monitor.js';
import { decodeHelloTarget, decodeServerFrame, type ServerFrame } from './schema.js';

/** One connection attempt: its socket, whether its hello came, and how it reports its one failure. */
interface Attempt {
  ws: WebSocket;
  gotHello: boolean;
  onHello: (hello: CheckedHello) => void;
  fail: (err: Error) => void;
}

/** A hello whose targets passed the schema (the ones that did not are reported and left out). */
interface CheckedHello {
  commands: readonly string[];
  targets: HelloTarget[];
}

export type { RemoteTargetMonitor } from './remote-monitor.js';

export interface RelayClientOptions {
  /** Bearer token for a relay started with --token-file (also read from the URL's ?token=). */
  token?: string | null;
  /** Give up on the first connection after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** History points kept per series (default 600). */
  historySize?: number;
  /** Events kept per target (default 1000). */
  eventLogSize?: number;
  /** Reconnect after the connection drops (default true); back-off from 1 s to `maxBackoffMs`. */
  reconnect?: boolean;
  maxBackoffMs?: number;
  /** Largest message accepted from the relay (default 64 MiB: a hello with many big instances). */
  maxPayload?: number;
  /** Prefix for every target name (e.g. 'box1/'), to tell apart relays watching the same local addresses. */
  targetPrefix?: string;
  /** Aborting closes the connection and stops every monitor. */
  signal?: AbortSignal;
  /**
   * Where the client's own notes go (one line each, already safe for a terminal): targets a restarted relay
   * no longer serves, or serves in addition. Default: nowhere (the events on the monitors say it too).
   */
  log?: (line: string) => void;
  /**
   * Called with a working monitor for each target a later hello adds (the relay restarted with more targets).
   * The caller owns them: the connection closes once these are stopped too. Without this option new targets
   * are only reported (an event on every monitor already given out, and a `log` line).
   */
  onTargetsAdded?: (monitors: RemoteTargetMonitor[]) => void;
}

/** TLS verification failures: retrying cannot help, so the command ends with the reason (README). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A relay's certificate that this machine does not trust, as a non-transient error saying what to do; else null. */
export function certificateError(url: string, err: Error): StatsReadError | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !CERTIFICATE_CODES.has(code)) return null;
  const what = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'does not name this host' : 'is not trusted';
  // Node 24 appends advice for its own command line ("; if the root CA is installed locally, try running
  // Node.js with --use-system-ca"), which a user of the launcher cannot act on: ours follows instead.
  const reason = err.message.split(';')[0]!.trim();
  return new StatsReadError(
    `relay ${url}: its certificate ${what} (${escapeControls(reason)}): for a self-signed certificate run with NODE_EXTRA_CA_CERTS=cert.pem (it must name the host in its subjectAltName)`,
    'certificate',
    false,
  );
}

/** Turn what the user typed (ws://host:port, ws://host:port/ws, wss://...) into the feed URL and token. */
export function relayUrl(text: string, token: string | null = null): { url: string; token: string | null } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a relay URL: ${JSON.stringify(text)} (expected ws://HOST:PORT)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`a relay URL starts with ws:// or wss://, got ${JSON.stringify(text)}`);
  // As on the relay: '+' of a base64 token typed raw in the URL decodes to ' ', and a token has no spaces.
  const fromQuery = url.searchParams.get('token')?.replace(/ /g, '+') ?? null;
  url.searchParams.delete('token');
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/ws';
  url.hash = '';
  return { url: url.toString(), token: token ?? fromQuery };
}

/** The shared connection behind every RemoteMonitor of one relay. */
class RelayLink implements RelayLinkPort {
  private ws: WebSocket | null = null;
  private monitors = new Map<string, RemoteMonitor>();
  private pending = new Map<string, (r: { ok: boolean; message: string }) => void>();
  private nextId = 0;
  private backoffMs = 1000;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private helloSeen = false;
  /** New targets already reported (without onTargetsAdded): told once per connection's life, not per reconnect. */
  private readonly announced = new Set<string>();
  /** The last drop reported per message type (and known target): repeats are not said again until it changes. */
  private readonly lastDrop = new Map<string, string>();
  commandNames: readonly string[] = [];

  constructor(
    private readonly url: string,
    private readonly token: string | null,
    private readonly options: RelayClientOptions,
  ) {}

  /** Connect and wait for the hello; rejects with a StatsReadError when the relay refuses or is unreachable. */
  first(): Promise<RemoteMonitor[]> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new StatsReadError(`relay ${this.url}: no hello within ${this.options.connectTimeoutMs ?? 5000} ms`, 'timeout')), this.options.connectTimeoutMs ?? 5000);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.close();
        reject(err);
      };
      this.open(
        (hello) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(this.createMonitors(hello.targets));
        },
        fail,
      );
    });
  }

  private createMonitors(targets: readonly HelloTarget[]): RemoteMonitor[] {
    const list: RemoteMonitor[] = [];
    for (const t of targets) {
      if (this.monitors.has(t.target)) continue;
      const m = new RemoteMonitor(t.target, this.options.targetPrefix ?? '', this.options.historySize ?? 600, this.options.eventLogSize ?? 1000, this);
      this.monitors.set(t.target, m);
      m.fromHello(t);
      list.push(m);
    }
    return list;
  }

  /**
   * A hello after the first (a reconnect, maybe to a relay restarted with other targets). The views were
   * given a fixed list of monitors: a target no longer served goes down saying so; a new one is handed to
   * onTargetsAdded when the caller can show it, and otherwise reported on the monitors it already has.
   */
  private reconcile(hello: CheckedHello): void {
    const prefix = this.options.targetPrefix ?? '';
    const names = new Set(hello.targets.map((t) => t.target));
    const adopt = this.options.onTargetsAdded;
    const fresh = hello.targets.filter((t) => !this.monitors.has(t.target) && (adopt !== undefined || !this.announced.has(t.target)));
    const shown = [...this.monitors.values()].filter((m) => !m.stopped);
    const nowMs = Date.now();
    for (const t of fresh) {
      const name = prefix + t.target;
      const message = `the relay now also serves ${name}${adopt !== undefined ? '' : ' (not watched here: restart uwsgitop-ts to see it)'}`;
      // Noted before fromHello below publishes, so the views repaint with it. There is no event type for
      // "relay targets changed"; 'command' is the one for notes that are not about the target itself.
      for (const m of shown) m.note({ atMs: nowMs, target: m.target, type: 'command', severity: adopt !== undefined ? 'info' : 'warn', message, data: { relayTargetAdded: name } });
      this.options.log?.(escapeControls(`relay ${this.url} now also serves ${name}${adopt !== undefined ? '' : ' (not watched here: restart uwsgitop-ts to see it)'}`));
      this.announced.add(t.target);
    }
    for (const t of hello.targets) this.monitors.get(t.target)?.fromHello(t);
    for (const [name, m] of this.monitors) {
      if (names.has(name)) continue;
      // Re-marked after every hello: a reconnect in between labelled it "relay connection lost".
      if (!m.gone) this.options.log?.(escapeControls(`relay ${this.url} no longer serves ${prefix + name}`));
      m.markGone(`no longer served by the relay (${this.url})`);
    }
    if (adopt !== undefined && fresh.length > 0) {
      const created = this.createMonitors(fresh);
      try {
        adopt(created);
      } catch {
        // The caller's bug must not break the feed of the monitors it already has.
      }
    }
  }

  private open(onHello: (hello: CheckedHello) => void, failOnce: (err: Error) => void): void {
    let failed = false;
    const headers: Record<string, string> = {};
    if (this.token !== null) headers.Authorization = `Bearer ${this.token}`;
    const ws = new WebSocket(this.url, { headers, maxPayload: this.options.maxPayload ?? 64 * 1024 * 1024, perMessageDeflate: true, handshakeTimeout: this.options.connectTimeoutMs ?? 5000 });
    this.ws = ws;
    const attempt: Attempt = {
      ws,
      gotHello: false,
      onHello,
      // 'unexpected-response', 'error' and a bad version can all report one failed attempt: act once.
      fail: (err) => {
        if (failed) return;
        failed = true;
        failOnce(err);
      },
    };
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const why =
        status === 401 ? 'the relay wants a token (pass it in the URL as ?token=... or with the token option)' : status === 403 ? 'the relay refused this client' : `HTTP ${status}`;
      attempt.fail(new StatsReadError(`relay ${this.url}: ${why}`, status === 401 || status === 403 ? 'permission' : 'http-status', false));
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!attempt.gotHello) attempt.fail(certificateError(this.url, err) ?? new StatsReadError(`relay ${this.url}: ${err.message}`, 'unreachable'));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onFrame(attempt, decodeServerFrame(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString()));
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const done of this.pending.values()) done({ ok: false, message: 'the relay connection closed before the result' });
      this.pending.clear();
      if (!attempt.gotHello || this.closed) return;
      this.scheduleReconnect('relay connection lost');
    });
  }

  /** Give up this attempt with `message` (the relay is not one this client can follow). */
  private refuse(attempt: Attempt, message: string): void {
    attempt.fail(new StatsReadError(`relay ${this.url}: ${message}`, 'unsupported', false));
    attempt.ws.terminate();
  }

  /** One decoded frame from the relay. */
  private onFrame(attempt: Attempt, frame: ServerFrame): void {
    switch (frame.kind) {
      case 'version':
        return this.refuse(attempt, `protocol version ${escapeControls(String(frame.v))} is not supported (this client speaks ${PROTOCOL_VERSION})`);
      case 'invalid':
        if (frame.type === 'hello' && !attempt.gotHello) return this.refuse(attempt, `its hello is not valid (${frame.problem})`);
        return this.dropped(frame.type, frame.target, frame.problem);
      case 'hello':
        return this.onHelloFrame(attempt, frame.message);
      case 'update':
        this.lastDrop.delete(`update\0${frame.message.target}`);
        this.monitors.get(frame.message.target)?.fromUpdate(frame.message);
        return;
      case 'delta': {
        const m = this.monitors.get(frame.message.target);
        if (m === undefined) return;
        const applied = m.fromDelta(frame.message);
        if (applied.ok) return void this.lastDrop.delete(`update\0${frame.message.target}`);
        // Out of step or a bad result: report it and start again from a fresh hello.
        this.dropped('delta', frame.message.target, applied.problem);
        attempt.ws.terminate();
        return;
      }
      case 'event':
        this.monitors.get(frame.message.target)?.fromEvents(frame.message.events);
        return;
      case 'command-result': {
        const done = this.pending.get(frame.message.id);
        this.pending.delete(frame.message.id);
        done?.({ ok: frame.message.ok, message: frame.message.message });
        return;
      }
      case 'error':
      case 'unknown':
        return;
    }
  }

  /** A hello: the first one makes the monitors, a later one (after a reconnect) reconciles them. */
  private onHelloFrame(attempt: Attempt, message: Extract<ServerFrame, { kind: 'hello' }>['message']): void {
    const problems: string[] = [];
    const targets: HelloTarget[] = [];
    message.targets.forEach((value, i) => {
      const checked = decodeHelloTarget(value, i);
      if (checked.ok) targets.push(checked.target);
      else problems.push(checked.problem);
    });
    if (!attempt.gotHello && targets.length === 0 && problems.length > 0) return this.refuse(attempt, `its hello lists no valid target (${problems[0]})`);
    attempt.gotHello = true;
    this.backoffMs = 1000;
    this.commandNames = message.commands;
    const hello: CheckedHello = { commands: message.commands, targets };
    if (!this.helloSeen) {
      this.helloSeen = true;
      attempt.onHello(hello);
    } else {
      this.reconcile(hello);
    }
    for (const problem of problems) this.dropped('hello target', null, problem);
  }

  /**
   * A message failed the protocol's schema: dropped, and said once (an event on the target it names, or on
   * every target, and a log line) until the problem changes or a good message of that kind arrives.
   */
  private dropped(type: string, target: string | null, problem: string): void {
    const monitor = target === null ? undefined : this.monitors.get(target);
    const key = monitor === undefined ? type : `${type}\0${target}`;
    const what = `dropped an invalid ${type}${monitor !== undefined ? ` for ${target}` : ''} from the relay: ${problem.slice(0, 300)}`;
    if (this.lastDrop.get(key) === what) return;
    this.lastDrop.set(key, what);
    const atMs = Date.now();
    for (const m of monitor !== undefined ? [monitor] : [...this.monitors.values()]) {
      if (!m.stopped) m.warnDropped({ atMs, target: m.target, type: 'relay-message-dropped', severity: 'warn', message: what, data: { messageType: type } });
    }
    this.options.log?.(escapeControls(`relay ${this.url}: ${what}`));
  }

  private scheduleReconnect(why: string): void {
    if (this.closed || this.options.reconnect === false) {
      for (const m of this.monitors.values()) m.markDown(`${why} (${this.url})`, null);
      return;
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30000);
    for (const m of this.monitors.values()) m.markDown(`${why} (${this.url})`, Date.now() + delay);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closed) return;
      this.open(
        () => undefined,
        (err) => {
          if (this.ws !== null) this.ws.terminate();
          this.ws = null;
          this.scheduleReconnect(err.message.replace(/^relay \S+: /, 'relay unreachable: '));
        },
      );
    }, delay);
    this.retryTimer.unref?.();
  }

  command(target: string, command: string): Promise<{ ok: boolean; message: string }> {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, message: 'not connected to the relay' });
    const id = `c${++this.nextId}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, message: 'no answer from the relay within 60 s' });
      }, 60000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'command', id, target, command }));
    });
  }

  monitorStopped(): void {
    for (const m of this.monitors.values()) if (!m.stopped) return;
    this.close();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws !== null) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client done');
      else ws.terminate();
    }
  }
}

/**
 * Connect to a relay (`ws://host:port`) and resolve with one monitor per target it serves, each already
 * holding the relay's latest update, history and event log. Stopping every monitor (or aborting
 * `options.signal`) closes the connection.
 */
export async function connectRelay(text: string, options: RelayClientOptions = {}): Promise<RemoteTargetMonitor[]> {
  const { url, token } = relayUrl(text, options.token ?? null);
  const link = new RelayLink(url, token, options);
  const monitors = await link.first();
  if (options.signal !== undefined) {
    const onAbort = (): void => {
      for (const m of monitors) m.stop();
      link.close();
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  }
  return monitors;
}
