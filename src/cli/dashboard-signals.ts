/**
 * Process signals while a dashboard runs: SIGTERM, SIGHUP and SIGINT end it with 128+N, and a hangup (the
 * signal, or the dashboard's terminal failing a write) then ends the process by SIGHUP. The dashboard only
 * says its terminal went away; what the process does about it is the command line's business.
 */

/** What this needs of a dashboard: ending it, and hearing that it ended or lost its terminal. */
export interface SignalledDashboard {
  finish(code: number): void;
  readonly emitter: NodeJS.EventEmitter;
}

import { readFileSync } from 'node:fs';

const SIGNALS: Array<[NodeJS.Signals, number]> = [['SIGTERM', 15], ['SIGHUP', 1], ['SIGINT', 2]];

/**
 * After a hangup the terminal is gone (ssh dropped, tmux session killed): end the process by the signal
 * itself, as Unix programs do, once the dashboard has cleaned up. Carrying on to a normal exit would let the
 * terminal's EIO write errors surface as a crash, and Node 20 aborts at exit when it cannot restore the
 * vanished terminal's modes (a ResetStdio assertion and a core dump). Left alone when someone else handles
 * SIGHUP.
 */
export function endByHangup(): void {
  if (process.listenerCount('SIGHUP') > 0) return;
  // Our listener is gone, so the default action applies: the process ends here, before any queued write fails.
  process.kill(process.pid, 'SIGHUP');
}

/**
 * Install the handlers for `dashboard` until it ends: they are removed as it finishes, before `onHangup`
 * runs, so that sees the process as it was before the dashboard.
 */
export function endDashboardOnSignals(dashboard: SignalledDashboard, onHangup: () => void = endByHangup): void {
  const installed = SIGNALS.map(([sig, num]): [NodeJS.Signals, () => void] => {
    const handler = (): void => {
      dashboard.finish(128 + num);
      if (sig === 'SIGHUP') onHangup();
    };
    process.on(sig, handler);
    return [sig, handler];
  });
  dashboard.emitter.once('exit', () => {
    for (const [sig, handler] of installed) process.removeListener(sig, handler);
  });
  dashboard.emitter.on('hangup', onHangup);
  dashboard.emitter.on('suspend', suspendProcess);
}

/** Session and process group of a process, from /proc (null where it cannot be read). */
function sessionOf(pid: number | 'self'): { pgrp: number; session: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]), session: Number(fields[3]) };
  } catch {
    return null;
  }
}

/**
 * Why this process cannot stop for Ctrl-Z, or null. Started straight by a terminal (tmux's pane command, an
 * ssh command) it has no shell to return to: its process group is orphaned, so the kernel discards SIGTSTP
 * and nothing would ever send SIGCONT.
 */
function noJobControl(): string | null {
  const self = sessionOf('self');
  const parent = sessionOf(process.ppid);
  if (self === null || parent === null) return null;
  return parent.session !== self.session ? 'no shell to return to (no job control): q quits' : null;
}

/**
 * Stop the process group as a terminal's Ctrl-Z would (the whole job, helpers included), and call `resume`
 * when the shell continues it (`fg`, SIGCONT).
 */
function suspendProcess(resume: () => void, refuse: (why: string) => void): void {
  const why = noJobControl();
  if (why !== null) return refuse(why);
  process.once('SIGCONT', resume);
  process.kill(0, 'SIGTSTP');
}
