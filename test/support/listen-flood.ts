/**
 * A real uWSGI whose listen queue can be filled: one worker, `--listen 10`, held by the first connection (it
 * waits for a request that never comes), so the next connections wait in the kernel's queue. `ss` is the
 * independent witness of that queue. Built on the test bed (test/support/uwsgi.ts).
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseAddress } from '../../src/stats/address.js';
import { directTarget } from '../../src/cli/targets.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { stopSockDiag } from '../../src/stats/sock-diag.js';
import { cleanupAll, startUwsgi, waitFor, type UwsgiProcess } from './uwsgi.js';

/** The kernel's backlog the instance asks for: the queue is full at this many waiting connections. */
export const LISTEN_BACKLOG = 10;

/** A listener of the instance: a TCP address, or a unix socket named relative to the instance's directory. */
export type Listener = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; name: string };

/** The listener's name as uWSGI and ss show it (`[::1]:PORT`, `127.0.0.1:PORT`, `app.sock`). */
export function listenerName(l: Listener): string {
  if (l.kind === 'unix') return l.name;
  return l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
}

/** Recv-Q and Send-Q of the listener as `ss -ltn` / `ss -xl` read them; null when ss does not list it. */
export function ssQueue(l: Listener): [number, number] | null {
  const name = listenerName(l);
  // ss -x starts its lines with the Netid column, ss -t (one protocol asked) without it.
  const [args, first] = l.kind === 'unix' ? [['-xlH'], 2] : [['-ltnH'], 1];
  const line = execFileSync('ss', args, { encoding: 'utf8' })
    .split('\n')
    .find((row) => row.split(/\s+/).includes(name));
  if (line === undefined) return null;
  const f = line.trim().split(/\s+/);
  return [Number(f[first]), Number(f[first + 1])];
}

/** The instance, the connections that flood it, and what reads it (a monitor, a relay), closed together. */
export class ListenFlood {
  private readonly clients: net.Socket[] = [];
  private proc: UwsgiProcess | undefined;
  private watcher: ControllableMonitor | undefined;
  private server: Relay | undefined;

  /** Start uWSGI with these `--socket` listeners, one worker and a backlog of LISTEN_BACKLOG. */
  async start(listeners: readonly Listener[]): Promise<UwsgiProcess> {
    const sockets = listeners.flatMap((l) => ['--socket', listenerName(l)]);
    this.proc = await startUwsgi({ http: false, app: true, workers: 1, args: [...sockets, '--listen', String(LISTEN_BACKLOG), '--socket-timeout', '60'] });
    return this.proc;
  }

  /** The instance start() started. */
  get instance(): UwsgiProcess {
    if (this.proc === undefined) throw new Error('ListenFlood: start() the instance first');
    return this.proc;
  }

  /** The instance's monitor, reading its stats as the command line does (every 300 ms); one for the whole file. */
  monitor(): ControllableMonitor {
    if (this.watcher === undefined) {
      const target = directTarget(parseAddress(this.instance.statsAddress), new PassThrough(), { timeoutMs: 3000, maxBytes: 1 << 24 });
      this.watcher = createMonitor(this.instance.statsAddress, (signal) => target.fetch(signal), { intervalMs: 300 });
    }
    return this.watcher;
  }

  /** A relay in front of monitor(), on a free port. */
  async relay(): Promise<Relay> {
    this.server ??= await startRelay([this.monitor()], { port: 0 });
    return this.server;
  }

  /**
   * Open `count` connections to `l` (the kernel refuses the ones past its queue: their errors are ignored)
   * and wait until ss shows the queue full; resolves with what ss shows then.
   */
  async fill(l: Listener, count = 30): Promise<[number, number]> {
    for (let i = 0; i < count; i++) {
      const c = l.kind === 'unix' ? net.connect(join(this.instance.dir, l.name)) : net.connect({ host: l.host, port: l.port });
      c.on('error', () => undefined);
      this.clients.push(c);
    }
    return waitFor(() => {
      const q = ssQueue(l);
      return q !== null && q[0] >= LISTEN_BACKLOG ? q : null;
    }, 'the kernel queue to fill');
  }

  /** Close the connections, the monitor and the relay, then every instance the bed started. */
  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.watcher?.stop();
    await this.server?.close();
    stopSockDiag();
    await cleanupAll();
  }
}
