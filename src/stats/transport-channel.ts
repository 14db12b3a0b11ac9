/**
 * The bounded read every connection-based transport shares: one connection, read to EOF, one deadline for
 * the whole read (a slow drip ends), a size cap checked on every chunk (nothing buffered past it), an
 * optional request sent at once or as a probe when the server stays silent (a --stats-http socket).
 */
import type { StatsAddress } from './address.js';
import { StatsReadError } from '../core/errors.js';
import { cancelledError, connectError, emptyError, resetError, timeoutError, tooLargeError } from './transport-errors.js';

/** What a channel reports while it runs. */
export interface ChannelEvents {
  connected(): void;
  data(chunk: Buffer): void;
  end(): void;
  /** A socket error (mapped by errno) or an already explained failure. */
  error(err: NodeJS.ErrnoException | StatsReadError): void;
}

/** A byte pipe to a stats server: a socket, a TLS socket or a helper process. */
export interface Channel {
  start(events: ChannelEvents): void;
  write(bytes: Buffer): void;
  /** Tear down everything (socket, child process by pid); safe to call twice. */
  destroy(): void;
}

export interface ChannelReadOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  /** Bytes to send as soon as the connection is up. */
  request?: Buffer;
  /** Bytes to send if nothing arrived `afterMs` after connecting (servers that wait for a request). */
  probe?: { afterMs: number; bytes: Buffer };
}

export interface ChannelReply {
  bytes: Buffer;
  /** Whether request bytes were sent (at once or as a probe). */
  sentRequest: boolean;
  /** The connection was reset after some bytes arrived: the caller decides whether the reply is whole. */
  reset: boolean;
}

/** Run one bounded read over `channel`; rejects with StatsReadError, always tears the channel down. */
export function readChannel(address: StatsAddress, channel: Channel, options: ChannelReadOptions): Promise<ChannelReply> {
  return new Promise<ChannelReply>((resolvePromise, rejectPromise) => {
    new BoundedRead(address, channel, options, resolvePromise, rejectPromise).start();
  });
}

type Outcome = { ok: ChannelReply } | { fail: StatsReadError };

/** One read's state: what arrived, which phase it is in, and the one way it ends (finish). */
class BoundedRead {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private connected = false;
  private sentRequest = false;
  private done = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.finish({ fail: cancelledError(this.address) });

  constructor(
    private readonly address: StatsAddress,
    private readonly channel: Channel,
    private readonly options: ChannelReadOptions,
    private readonly resolve: (reply: ChannelReply) => void,
    private readonly reject: (err: StatsReadError) => void,
  ) {}

  start(): void {
    const { options } = this;
    this.deadline = setTimeout(() => {
      const phase = !this.connected ? 'connect' : this.received === 0 ? 'silent' : 'sending';
      this.finish({ fail: timeoutError(this.address, options.timeoutMs, this.received, phase, this.sentRequest) });
    }, options.timeoutMs);
    if (options.signal?.aborted) {
      this.onAbort();
      return;
    }
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.channel.start({
      connected: () => this.onConnected(),
      data: (chunk) => this.onData(chunk),
      end: () => this.onEnd(),
      error: (err) => this.onError(err),
    });
  }

  private finish(outcome: Outcome): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.deadline);
    clearTimeout(this.probeTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.channel.destroy();
    if ('ok' in outcome) this.resolve(outcome.ok);
    else this.reject(outcome.fail);
  }

  private send(bytes: Buffer): void {
    this.sentRequest = true;
    this.channel.write(bytes);
  }

  private reply(reset: boolean): Outcome {
    return { ok: { bytes: Buffer.concat(this.chunks, this.received), sentRequest: this.sentRequest, reset } };
  }

  private onConnected(): void {
    if (this.done) return;
    this.connected = true;
    const { request, probe } = this.options;
    if (request) this.send(request);
    else if (probe) {
      this.probeTimer = setTimeout(() => {
        if (!this.done && this.received === 0) this.send(probe.bytes);
      }, probe.afterMs);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    this.received += chunk.length;
    if (this.received > this.options.maxBytes) {
      this.finish({ fail: tooLargeError(this.address, this.options.maxBytes) });
      return;
    }
    this.chunks.push(chunk);
  }

  private onEnd(): void {
    if (this.done) return;
    this.finish(this.received === 0 ? { fail: emptyError(this.address) } : this.reply(false));
  }

  private onError(err: NodeJS.ErrnoException | StatsReadError): void {
    if (this.done) return;
    if (err instanceof StatsReadError) {
      this.finish({ fail: err });
      return;
    }
    const code = err.code ?? '';
    if (this.connected && (code === 'ECONNRESET' || code === 'EPIPE')) {
      this.finish(this.received > 0 ? this.reply(true) : { fail: connectError(this.address, err) });
      return;
    }
    if (this.connected && this.received > 0) {
      this.finish({ fail: resetError(this.address, this.received, code || 'EIO') });
      return;
    }
    this.finish({ fail: connectError(this.address, err) });
  }
}
