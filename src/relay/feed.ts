/**
 * The /ws feed: each update serialised once (a delta after the first state, target-feed.ts) and the same
 * bytes sent to every client (Fanout), compressed per connection (permessage-deflate), a hello cached
 * between updates for new clients, commands from clients (remote-command.ts), and pings that find dead peers.
 * The HTTP server admits an upgrade (token, Host, Origin, client limit) before handing it over.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MonitorEvent } from '../metrics/types.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { relayCommandNames } from './commands.js';
import { Fanout } from './fanout.js';
import { encodeMessage, helloMessage, PROTOCOL_VERSION } from './protocol.js';
import { TargetFeed } from './target-feed.js';
import { handleClientMessage, type RelayControl } from './remote-command.js';
import { ClientBudget, DEFAULT_CLIENT_BUDGET, type ClientBudgetLimits } from './client-budget.js';

/** Incoming WebSocket messages are commands: a few hundred bytes at most. */
const MAX_CLIENT_MESSAGE = 4096;

export interface FeedOptions {
  /** Accept FIFO commands from clients. */
  allowControl: boolean;
  /** FIFO controllers by target name. */
  controls: ReadonlyMap<string, RelayControl>;
  /** Where command notes go (one line each, already safe for a terminal). */
  log: (line: string) => void;
  /** What of an update leaves the relay (credentials masked unless asked). */
  shown: (update: TargetUpdate) => TargetUpdate;
  /** A client whose unsent data exceeds this misses updates. */
  maxBufferedBytes: number;
  /** A client that misses this many updates in a row is dropped. */
  maxConsecutiveSkips: number;
  /** Interval of WebSocket pings that find dead peers. */
  pingIntervalMs: number;
  /** Offer permessage-deflate. */
  deflate: boolean;
  /** What one client may cost before it is closed (client-budget.ts). */
  clientBudget?: ClientBudgetLimits;
}

/** What the feed counted: proves one serialisation per update, however many clients. */
export interface FeedStats {
  clients: number;
  /** Update messages serialised (one per monitor update). */
  serialisations: number;
  /** Frames handed to sockets (about serialisations x clients). */
  frames: number;
  skipped: number;
  dropped: number;
  /** Hello messages built (cached between updates, so new tabs cost little). */
  helloBuilds: number;
}

/** The WebSocket side of a relay over `monitors`. */
export class RelayFeed {
  private readonly fanout: Fanout;
  private readonly wss: WebSocketServer;
  private readonly feeds: TargetFeed[];
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly byTarget: ReadonlyMap<string, TargetMonitor>;
  private readonly commandNames: string[];
  private readonly unsubscribes: Array<() => void>;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly counters = { serialisations: 0, helloBuilds: 0 };
  // Rebuilt lazily after an update: any number of new tabs between two polls cost one build.
  private helloCache: Buffer | null = null;

  constructor(
    private readonly monitors: readonly TargetMonitor[],
    private readonly options: FeedOptions,
  ) {
    this.fanout = new Fanout({ maxBufferedBytes: options.maxBufferedBytes, maxConsecutiveSkips: options.maxConsecutiveSkips });
    this.byTarget = new Map(monitors.map((m) => [m.target, m] as const));
    this.commandNames = options.allowControl ? relayCommandNames() : [];
    // Context kept between messages: a delta repeats the paths of the previous one and compresses to a
    // fraction. A 16 KiB window holds the previous delta of a busy instance; zlib memory per client is what
    // bounds the clients (bench-relay --deflate). Small frames (command results, errors) go as they are.
    const perMessageDeflate = options.deflate ? { threshold: 256, serverMaxWindowBits: 14, zlibDeflateOptions: { level: 6, memLevel: 7 }, concurrencyLimit: 4 } : false;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE, perMessageDeflate, clientTracking: false });
    this.feeds = monitors.map((m) => new TargetFeed(m, options.shown));
    this.unsubscribes = monitors.map((monitor, i) =>
      monitor.subscribe((update) => {
        this.helloCache = null;
        const frame = this.feeds[i]!.advance(update, this.fanout.size > 0);
        if (frame === null) return;
        this.counters.serialisations++;
        this.fanout.broadcast(frame.delta, frame.full);
      }),
    );
    this.pingTimer = setInterval(() => this.ping(), options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** WebSocket clients connected now. */
  get clients(): number {
    return this.fanout.size;
  }

  /** Take over an upgrade the HTTP server admitted; `remote` names the peer in logs and events. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, remote: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, remote));
  }

  stats(): FeedStats {
    const f = this.fanout.stats();
    return { clients: f.clients, serialisations: this.counters.serialisations, frames: f.frames, skipped: f.skipped, dropped: f.dropped, helloBuilds: this.counters.helloBuilds };
  }

  /** Stop listening to the monitors and close every client. */
  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    clearInterval(this.pingTimer);
    await this.fanout.closeAll(1001, 'relay shutting down');
    this.wss.close();
  }

  private helloBytes(): Buffer {
    if (this.helloCache === null) {
      this.counters.helloBuilds++;
      const historySize = this.monitors[0]?.history('rps').capacity ?? 600;
      this.helloCache = Buffer.from(encodeMessage(helloMessage(this.feeds.map((f) => f.hello()), this.options.allowControl, this.commandNames, historySize)), 'utf8');
    }
    return this.helloCache;
  }

  /** Tell every live client about an event recorded outside a poll. */
  private announce(target: string, event: MonitorEvent): void {
    this.helloCache = null;
    this.fanout.broadcast(Buffer.from(encodeMessage({ v: PROTOCOL_VERSION, type: 'event', target, events: [event] }), 'utf8'));
  }

  private onConnection(ws: WebSocket, remote: string): void {
    const { fanout, alive, options } = this;
    fanout.add(ws);
    alive.set(ws, true);
    let busy = false;
    let cut = false;
    const budget = new ClientBudget(options.clientBudget ?? DEFAULT_CLIENT_BUDGET);
    /** Close this client alone: it spent its budget. A close frame, then the socket cut if it does not answer. */
    const close = (why: string): void => {
      if (cut) return;
      cut = true;
      fanout.remove(ws);
      options.log(`relay: WebSocket client ${remote} closed: ${why}`);
      ws.close(1008, 'over the relay\'s per-client limits');
      setTimeout(() => ws.terminate(), 500).unref();
    };
    const reply = (message: Parameters<typeof encodeMessage>[0]): void => {
      if (cut || ws.readyState !== ws.OPEN) return;
      const over = (message.type === 'error' ? budget.errorReply() : null) ?? budget.queued(ws.bufferedAmount);
      if (over !== null) return close(over);
      ws.send(encodeMessage(message));
    };
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => undefined);
    ws.on('close', () => fanout.remove(ws));
    ws.on('message', (data, isBinary) => {
      if (cut) return;
      const over = budget.message();
      if (over !== null) return close(over);
      if (isBinary) return reply({ v: PROTOCOL_VERSION, type: 'error', message: 'binary messages are not accepted' });
      if (busy) return reply({ v: PROTOCOL_VERSION, type: 'error', message: 'one command at a time: wait for the previous result' });
      busy = true;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      const context = { allowControl: options.allowControl, monitors: this.byTarget, controls: options.controls, remote, log: options.log, announce: (t: string, e: MonitorEvent) => this.announce(t, e) };
      handleClientMessage(text, context)
        .then(reply)
        .finally(() => (busy = false));
    });
    ws.send(this.helloBytes(), { binary: false });
  }

  private ping(): void {
    for (const ws of this.fanout.clients()) {
      if (this.alive.get(ws) === false) {
        this.fanout.remove(ws);
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
