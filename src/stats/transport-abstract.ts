/**
 * Linux abstract sockets (`@name`). uWSGI 2.0.21 binds `\0name\0` with the trailing NUL counted in the
 * address length. Node >= 22 connects to that exact address; Node 20 pads abstract addresses to the full
 * sun_path length and never connects, so there a python3 child does the connect and relays the bytes
 * (stdin -> socket, socket -> stdout), bounded by the same deadline and size cap (killed by pid).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StatsReadError } from '../errors.js';
import { escapeControls } from '../views/safe-text.js';
import type { Channel, ChannelEvents } from './transport-channel.js';
import { socketChannel } from './transport-socket.js';

/** True when this Node can connect to uWSGI's abstract sockets itself. */
export function nodeReachesAbstract(version: string = process.versions.node): boolean {
  return Number(version.split('.')[0]) >= 22;
}

/** The abstract addresses to try, in order: uWSGI 2.0's `\0name\0`, then the conventional `\0name`. */
export function abstractPaths(name: string): string[] {
  return [`\0${name}\0`, `\0${name}`];
}

// A relay with no buffering of its own: what the server sends goes to stdout at once, so the caller's
// deadline and size cap apply to the real bytes. Failures are one line on stderr: "error ERRNO_NAME".
const RELAY = `
import errno, os, select, socket, sys
name = os.fsencode(sys.argv[1])
def fail(e):
    os.write(2, ('error %s\\n' % errno.errorcode.get(e.errno or 0, 'EIO')).encode())
    sys.exit(2)
s = None
for address in (b'\\0' + name + b'\\0', b'\\0' + name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(address)
        break
    except ConnectionRefusedError as e:
        s.close()
        s = None
        refused = e
    except OSError as e:
        fail(e)
if s is None:
    fail(refused)
os.write(2, b'connected\\n')
stdin_open = True
while True:
    ready = select.select([s, 0] if stdin_open else [s], [], [])[0]
    if 0 in ready:
        d = os.read(0, 65536)
        if not d:
            stdin_open = False
        else:
            try:
                s.sendall(d)
            except OSError as e:
                fail(e)
    if s in ready:
        try:
            d = s.recv(65536)
        except OSError as e:
            fail(e)
        if not d:
            break
        view = memoryview(d)
        while view:
            view = view[os.write(1, view):]
`;

/** The command that runs the relay (overridable for tests of a missing python3). */
export interface RelayCommand {
  python: string;
}

/** A channel to `@name` through a python3 child (Node < 22). */
export function pythonAbstractChannel(name: string, command: RelayCommand = { python: 'python3' }): Channel {
  let child: ChildProcess | null = null;
  let killed = false;
  const kill = (): void => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null && !killed) {
      killed = true;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  return {
    start(events: ChannelEvents) {
      const proc = spawn(command.python, ['-c', RELAY, name], { stdio: ['pipe', 'pipe', 'pipe'] });
      child = proc;
      let pending = '';
      let noise = '';
      let failure: NodeJS.ErrnoException | null = null;
      proc.stdin?.on('error', () => undefined); // the child may be gone when a probe is written
      proc.stdout?.on('data', (chunk: Buffer) => events.data(chunk));
      proc.stderr?.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'connected') events.connected();
          else if (line.startsWith('error ')) failure = Object.assign(new Error(line.slice(6)), { code: line.slice(6) });
          else noise = (noise + line + '\n').slice(-2000); // python's own traceback: kept for the message
        }
        pending = pending.slice(-2000);
      });
      proc.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          events.error(
            new StatsReadError(
              `reaching abstract socket @${name} on Node ${process.versions.node.split('.')[0]} needs python3 (Node < 22 cannot connect to uWSGI's abstract sockets); install python3 or use Node >= 22`,
              'unsupported',
              false,
            ),
          );
        } else events.error(err);
      });
      // 'close' comes after stdout and stderr are drained: the error line and the bytes are both in.
      proc.once('close', (code) => {
        if (killed) return;
        if (failure) events.error(failure);
        else if (code === 0) events.end();
        else {
          const why = escapeControls((noise + pending).trim().split('\n').pop() ?? '').slice(0, 200);
          events.error(new StatsReadError(`the python3 relay for @${name} failed (exit ${code}): ${why}`, 'io'));
        }
      });
    },
    write(bytes) {
      child?.stdin?.write(bytes);
    },
    destroy() {
      kill();
      child?.stdin?.destroy();
      child?.stdout?.destroy();
      child?.stderr?.destroy();
    },
  };
}

/** A channel to `@name` on Node >= 22 (one of abstractPaths). */
export function nodeAbstractChannel(path: string): Channel {
  return socketChannel({ kind: 'path', path });
}
