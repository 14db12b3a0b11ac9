/**
 * How a long-lived python3 helper is started and stopped (the kernel listen-queue helper, the abstract-socket
 * broker): its script given with -c and a mark in its command line (so `ps` says what it is), and neither
 * the process nor its pipes keeping the event loop alive (a pending query's own timer does).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A Node stream that may sit on a pipe handle that can be unref'ed. */
type Unrefable = { unref?: () => unknown } | null | undefined;

/** Start `python -c script mark`, unref'ed; stderr is a pipe only when asked for (for the helper's last words). */
export function startPythonHelper(python: string, script: string, mark: string, stderr: 'pipe' | 'ignore'): ChildProcess {
  const child = spawn(python, ['-c', script, mark], { stdio: ['pipe', 'pipe', stderr] });
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr] as Unrefable[]) stream?.unref?.();
  // EPIPE when it died: its 'close' says so.
  child.stdin?.on('error', () => undefined);
  return child;
}

/** Kill a helper by its pid, when it still runs. */
export function killPythonHelper(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
