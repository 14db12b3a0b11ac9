/**
 * Node's side of the python3 abstract-socket broker (Node < 22 cannot connect to uWSGI's `@name`).
 * One long-lived python3 process serves every abstract read of this Node process: spawning a relay per
 * read cost ~80 ms of CPU each. The broker is started on the first read, unref'ed (it never keeps a
 * finished CLI alive) and exits when its stdin closes. If it dies or sends a malformed frame, every open
 * connection gets an error and the next read starts a new broker.
 */
import type { ChildProcess } from 'node:child_process';
import { killScriptHelper, startScriptHelper } from './script-helper.js';
import { FrameError, StatsReadError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import type { ChannelEvents } from './transport-channel.js';
import { encodeFrame, FrameReader, type BrokerFrame } from './transport-abstract-frames.js';
import { BROKER_MARK, BROKER_SCRIPT } from './transport-abstract-script.js';

/** The interpreter that runs the broker (overridable for tests of a missing python3). */
export interface BrokerCommand {
  python: string;
}

/** One connection through the broker, as its channel sees it. */
export interface BrokerLink {
  write(bytes: Buffer): void;
  /** Ask the broker to drop the connection now (no-op once it ended); safe to call twice. */
  close(): void;
}

interface Connection {
  name: string;
  events: ChannelEvents;
}

class Broker {
  readonly child: ChildProcess;
  readonly python: string;
  private readonly connections = new Map<number, Connection>();
  private readonly reader = new FrameReader();
  private nextId = 1;
  private stderrTail = '';
  /** Set once the broker is unusable: new reads start another one. */
  dead = false;
  /** Set once its process and pipes are gone. */
  closed = false;

  constructor(command: BrokerCommand) {
    this.python = command.python;
    const child = startScriptHelper({ interpreter: command.python, flag: '-c' }, BROKER_SCRIPT, BROKER_MARK, 'pipe');
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      this.dead = true;
      if (err.code === 'ENOENT') this.failAll((name) => missingPython(name));
      else this.failAll((name) => new StatsReadError(`reaching @${name}: could not start ${this.python} (${err.code ?? err.message})`, 'io'));
    });
    child.once('exit', () => {
      this.dead = true;
    });
    // 'close' comes after stdout is drained: frames the broker sent before dying are delivered first.
    child.once('close', (code, signal) => {
      this.dead = true;
      this.closed = true;
      const how = signal ? `was killed (${signal})` : `exited (code ${code})`;
      const why = escapeControls(this.stderrTail.trim().split('\n').pop() ?? '').slice(0, 200);
      this.failAll((name) => new StatsReadError(`reading @${name} failed: the python3 helper for abstract sockets (pid ${child.pid}) ${how}${why ? `: ${why}` : ''}; the next read starts a new one`, 'io'));
    });
  }

  /** Open a connection to `@name`; its events arrive through `events`. */
  open(name: string, events: ChannelEvents): BrokerLink {
    const id = this.nextId++;
    this.connections.set(id, { name, events });
    this.send(id, 'open', Buffer.from(name, 'utf8'));
    return {
      write: (bytes) => {
        if (this.connections.has(id)) this.send(id, 'write', bytes);
      },
      close: () => {
        // Once the broker reported end or error it has dropped the socket itself.
        if (this.connections.delete(id)) this.send(id, 'close');
      },
    };
  }

  /** Kill the broker by pid (tests, and a broker out of step). */
  kill(): void {
    this.dead = true;
    killScriptHelper(this.child);
  }

  private send(id: number, op: 'open' | 'write' | 'close', payload?: Buffer): void {
    if (this.dead) return;
    this.child.stdin?.write(encodeFrame(id, op, payload));
  }

  private onStdout(chunk: Buffer): void {
    let frames: BrokerFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.kill();
      this.failAll((name) => new StatsReadError(`reading @${name} failed: the python3 helper for abstract sockets sent a malformed reply (${err.message}); the next read starts a new one`, 'io'));
      return;
    }
    for (const frame of frames) this.deliver(frame);
  }

  private deliver(frame: BrokerFrame): void {
    const connection = this.connections.get(frame.id);
    if (!connection) return; // closed by Node meanwhile
    switch (frame.op) {
      case 'connected':
        connection.events.connected();
        break;
      case 'data':
        connection.events.data(frame.payload);
        break;
      case 'end':
        this.connections.delete(frame.id);
        connection.events.end();
        break;
      case 'error': {
        this.connections.delete(frame.id);
        const code = frame.payload.toString('latin1').replace(/[^A-Z0-9_]/g, '').slice(0, 32) || 'EIO';
        connection.events.error(Object.assign(new Error(code), { code }));
        break;
      }
    }
  }

  private failAll(errorFor: (name: string) => StatsReadError): void {
    const open = [...this.connections.values()];
    this.connections.clear();
    for (const connection of open) connection.events.error(errorFor(connection.name));
  }
}

/** The error when python3 cannot be found (Node < 22 needs it for abstract sockets). */
function missingPython(name: string): StatsReadError {
  return new StatsReadError(
    `reaching abstract socket @${name} on Node ${process.versions.node.split('.')[0]} needs python3 (Node < 22 cannot connect to uWSGI's abstract sockets); install python3 or use Node >= 22`,
    'unsupported',
    false,
  );
}

// One broker per interpreter (in practice only 'python3'; tests also name a missing one).
const brokers = new Map<string, Broker>();

/** Open `@name` through the shared broker, starting one when none is running. */
export function openThroughBroker(name: string, events: ChannelEvents, command: BrokerCommand = { python: 'python3' }): BrokerLink {
  let broker = brokers.get(command.python);
  if (broker === undefined || broker.dead) {
    broker = new Broker(command);
    brokers.set(command.python, broker);
  }
  return broker.open(name, events);
}

/** The pid of the running broker, or null when none runs (tests check its open sockets in /proc). */
export function abstractBrokerPid(python = 'python3'): number | null {
  const broker = brokers.get(python);
  if (broker === undefined || broker.dead) return null;
  return broker.child.pid ?? null;
}

/** Stop every broker (by pid) and wait until they have exited; their open connections get an error. */
export async function stopAbstractBroker(): Promise<void> {
  const all = [...brokers.values()];
  brokers.clear();
  await Promise.all(
    all.map((broker) => {
      const closed = new Promise<void>((ok) => {
        if (broker.closed) ok();
        else broker.child.once('close', () => ok());
      });
      broker.kill();
      return closed;
    }),
  );
}
