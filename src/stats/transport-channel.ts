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
    const chunks: Buffer[] = [];
    let received = 0;
    let connected = false;
    let sentRequest = false;
    let done = false;
    let probeTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: { ok: ChannelReply } | { fail: StatsReadError }): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(probeTimer);
      options.signal?.removeEventListener('abort', onAbort);
      channel.destroy();
      if ('ok' in outcome) resolvePromise(outcome.ok);
      else rejectPromise(outcome.fail);
    };

    const send = (bytes: Buffer): void => {
      sentRequest = true;
      channel.write(bytes);
    };

    const deadline = setTimeout(() => {
      const phase = !connected ? 'connect' : received === 0 ? 'silent' : 'sending';
      finish({ fail: timeoutError(address, options.timeoutMs, received, phase, sentRequest) });
    }, options.timeoutMs);
    const onAbort = (): void => finish({ fail: cancelledError(address) });
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    channel.start({
      connected() {
        if (done) return;
        connected = true;
        if (options.request) send(options.request);
        else if (options.probe) {
          const probe = options.probe;
          probeTimer = setTimeout(() => {
            if (!done && received === 0) send(probe.bytes);
          }, probe.afterMs);
        }
      },
      data(chunk) {
        if (done) return;
        received += chunk.length;
        if (received > options.maxBytes) {
          finish({ fail: tooLargeError(address, options.maxBytes) });
          return;
        }
        chunks.push(chunk);
      },
      end() {
        if (done) return;
        if (received === 0) finish({ fail: emptyError(address) });
        else finish({ ok: { bytes: Buffer.concat(chunks, received), sentRequest, reset: false } });
      },
      error(err) {
        if (done) return;
        if (err instanceof StatsReadError) {
          finish({ fail: err });
          return;
        }
        const code = err.code ?? '';
        if (connected && (code === 'ECONNRESET' || code === 'EPIPE')) {
          if (received > 0) finish({ ok: { bytes: Buffer.concat(chunks, received), sentRequest, reset: true } });
          else finish({ fail: connectError(address, err) });
          return;
        }
        if (connected && received > 0) {
          finish({ fail: resetError(address, received, code || 'EIO') });
          return;
        }
        finish({ fail: connectError(address, err) });
      },
    });
  });
}
