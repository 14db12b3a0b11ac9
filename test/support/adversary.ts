/**
 * A small adversarial stats server for the bytes uWSGI will not produce on demand: garbage, truncated,
 * empty, silent, never-ending, slow drip, oversized, reset mid-way, and HTTP variants. It listens on a
 * random loopback port or a unix socket in a temp dir and records what each client did.
 */
import net from 'node:net';

export type AdversaryMode =
  /** Send these bytes and close (a plain stats server). */
  | { kind: 'document'; body: Buffer | string }
  /** Wait for request bytes (like --stats-http), then send `body` (headers included) and close. */
  | { kind: 'after-request'; body: Buffer | string }
  /** Accept and close at once. */
  | { kind: 'empty' }
  /** Accept and never send nor close. */
  | { kind: 'silent' }
  /** Send `chunk` as fast as the client takes it, forever. */
  | { kind: 'endless'; chunk?: Buffer }
  /** Send one byte every `everyMs`, forever. */
  | { kind: 'drip'; everyMs: number; byte?: string }
  /** Send `body`, then reset the connection (RST) instead of closing it. */
  | { kind: 'reset'; body: Buffer | string };

export interface Adversary {
  /** The address as a user would type it. */
  address: string;
  port: number | null;
  path: string | null;
  /** Connections accepted so far. */
  connections(): number;
  /** Bytes each client sent (e.g. the HTTP probe). */
  received(): Buffer[];
  /** Total bytes the server managed to write into all connections (accepted by the kernel). */
  bytesWritten(): number;
  /** Connections the client closed while the server still had more to send. */
  clientHangups(): number;
  close(): Promise<void>;
}

/** Start an adversary on 127.0.0.1 (random port) or on the unix socket `path`. */
export async function startAdversary(mode: AdversaryMode, path?: string): Promise<Adversary> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const received: Buffer[] = [];
  let connections = 0;
  let written = 0;
  let hangups = 0;

  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    const index = received.push(Buffer.alloc(0)) - 1;
    let finished = false;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (!finished) hangups++;
    });
    socket.on('data', (chunk: Buffer) => {
      received[index] = Buffer.concat([received[index] ?? Buffer.alloc(0), chunk]);
    });
    const sendAndClose = (body: Buffer | string): void => {
      const bytes = Buffer.from(body);
      written += bytes.length;
      finished = true;
      socket.end(bytes);
    };
    switch (mode.kind) {
      case 'document':
        sendAndClose(mode.body);
        break;
      case 'after-request':
        socket.once('data', () => sendAndClose(mode.body));
        break;
      case 'empty':
        finished = true;
        socket.end();
        break;
      case 'silent':
        break;
      case 'endless': {
        const chunk = mode.chunk ?? Buffer.alloc(64 * 1024, '{"x":1}');
        const pump = (): void => {
          while (!socket.destroyed) {
            written += chunk.length;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
        break;
      }
      case 'drip': {
        const timer = setInterval(() => {
          if (socket.destroyed) return;
          written += 1;
          socket.write(mode.byte ?? ' ');
        }, mode.everyMs);
        timers.add(timer);
        socket.on('close', () => clearInterval(timer));
        break;
      }
      case 'reset': {
        const bytes = Buffer.from(mode.body);
        written += bytes.length;
        finished = true;
        socket.write(bytes, () => setTimeout(() => socket.resetAndDestroy(), 20));
        break;
      }
    }
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    if (path !== undefined) server.listen(path, () => ok());
    else server.listen(0, '127.0.0.1', () => ok());
  });
  const info = server.address();
  const port = typeof info === 'object' && info ? info.port : null;
  return {
    address: path ?? `127.0.0.1:${port}`,
    port,
    path: path ?? null,
    connections: () => connections,
    received: () => received,
    bytesWritten: () => written,
    clientHangups: () => hangups,
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** An adversary on a Linux abstract socket bound the way uWSGI 2.0 binds it (`\0name\0`), run by python3. */
export interface AbstractAdversary {
  address: string;
  pid: number;
  close(): Promise<void>;
}

const ABSTRACT_SERVER = `
import os, select, socket, sys
# select() rather than time.sleep(): under libfaketime (the calendar pass of the suite) time.sleep fails (EINVAL).
def pause(seconds):
    select.select([], [], [], seconds)
name, mode, body = os.fsencode(sys.argv[1]), sys.argv[2], os.fsencode(sys.argv[3])
s = socket.socket(socket.AF_UNIX)
s.bind(b'\\0' + name + b'\\0')
if mode == 'backlog':
    s.listen(0)  # one pending connection fits; the next connect() finds the queue full
    print('ready', flush=True)
    pause(3600)
s.listen(8)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    try:
        if mode == 'document':
            c.sendall(body)
        elif mode == 'endless':
            chunk = b' ' * 65536
            while True:
                c.sendall(chunk)
        elif mode == 'drip':
            while True:
                c.sendall(b' ')
                pause(0.04)
        elif mode == 'silent':
            pause(3600)
    except OSError:
        pass
    c.close()
`;

/**
 * Start a python3 server on `@name` in one of the modes 'document' (send body, close), 'endless', 'silent',
 * 'drip' (one byte every 40 ms, forever) or 'backlog' (never accepts; a second connect finds the queue full).
 */
export async function startAbstractAdversary(mode: 'document' | 'endless' | 'silent' | 'drip' | 'backlog', body = ''): Promise<AbstractAdversary> {
  const { spawn } = await import('node:child_process');
  const name = `uwsgitop-adv-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const child = spawn('python3', ['-c', ABSTRACT_SERVER, name, mode, body], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.pid === undefined) throw new Error('could not start python3');
  const pid = child.pid;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  await new Promise<void>((ok, fail) => {
    child.stdout?.once('data', () => ok());
    child.once('exit', (code) => fail(new Error(`abstract adversary exited (${code})`)));
  });
  return {
    address: `@${name}`,
    pid,
    async close() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await exited;
    },
  };
}
