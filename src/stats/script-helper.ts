/**
 * How a long-lived script helper is started and stopped (the abstract-socket broker in python3, the kernel
 * listen-queue helper in perl): its script given inline (`-c` or `-e`) and a mark in its command line (so
 * `ps` says what it is), and neither the process nor its pipes keeping the event loop alive (a pending
 * query's own timer does).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A Node stream that may sit on a pipe handle that can be unref'ed. */
type Unrefable = { unref?: () => unknown } | null | undefined;

/** How an interpreter runs a script given on its command line. */
export interface ScriptCommand {
  /** The interpreter: a name looked up on PATH, or a path. */
  interpreter: string;
  /** The flag that takes the script's text: python's `-c`, perl's `-e`. */
  flag: '-c' | '-e';
}

/** Start `interpreter flag script mark`, unref'ed; stderr is a pipe only when asked for (for the helper's last words). */
export function startScriptHelper(command: ScriptCommand, script: string, mark: string, stderr: 'pipe' | 'ignore'): ChildProcess {
  const child = spawn(command.interpreter, [command.flag, script, mark], { stdio: ['pipe', 'pipe', stderr] });
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr] as Unrefable[]) stream?.unref?.();
  // EPIPE when it died: its 'close' says so.
  child.stdin?.on('error', () => undefined);
  return child;
}

/** Kill a helper by its pid, when it still runs. */
export function killScriptHelper(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
