/**
 * The live terminal dashboard's entry point for the CLI: `runDashboard(monitors, io, options)`.
 */
import type { TargetMonitor } from '../../monitor/types.js';
import type { TargetControl } from './control.js';
import { Dashboard } from './dashboard.js';

export type { TargetControl } from './control.js';

export interface DashboardIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface DashboardOptions {
  color: boolean;
  /** Optional controller per target (keyed by TargetMonitor.target). */
  controls?: Map<string, TargetControl>;
  /** Why a target has no control when it is not for want of a FIFO (a relay without --allow-control). */
  noControl?: ReadonlyMap<string, string>;
  /** Ask y/N (naming the target and FIFO) before each FIFO write; default true. */
  confirm?: boolean;
}

/** Run the dashboard over the given monitors until the user quits; resolves with the exit status. The terminal is restored in every case. */
export function runDashboard(monitors: TargetMonitor[], io: DashboardIO, options: DashboardOptions): Promise<number> {
  let dashboard: Dashboard;
  try {
    dashboard = new Dashboard(monitors, io, {
      color: options.color, controls: options.controls ?? new Map(), handleSignals: true,
      ...(options.noControl ? { noControl: options.noControl } : {}), confirm: options.confirm ?? true,
    });
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return dashboard.done;
}
