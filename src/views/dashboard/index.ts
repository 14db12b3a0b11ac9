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
}

/** Run the dashboard over the given monitors until the user quits; resolves with the exit status. The terminal is restored in every case. */
export function runDashboard(monitors: TargetMonitor[], io: DashboardIO, options: DashboardOptions): Promise<number> {
  let dashboard: Dashboard;
  try {
    dashboard = new Dashboard(monitors, io, { color: options.color, controls: options.controls ?? new Map(), handleSignals: true });
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return dashboard.done;
}
