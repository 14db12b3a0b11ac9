/**
 * The live terminal dashboard's entry point for the CLI: `runDashboard(monitors, io, options)`.
 */
import type { TargetMonitor } from '../../monitor/types.js';
import type { TargetControl } from './control.js';
import { Dashboard } from './dashboard.js';
import type { StackReader } from './stack.js';

export type { TargetControl } from './control.js';
export type { Dashboard } from './dashboard.js';
export { wantsAscii } from './render/ascii.js';
export { sortColumnId, type StartTable } from './model/start.js';
import type { StartTable } from './model/start.js';

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
  /** What the user knows a target by, when not its address (its ini file or vassal name), by target. */
  labels?: ReadonlyMap<string, string>;
  /** Draw in ASCII only (see wantsAscii). */
  ascii?: boolean;
  /** --sort COLUMN and --filter TEXT for the first table. */
  start?: StartTable;
  /** Reads a worker's Python stacks (--py-tracebacker) when Enter opens its popup. */
  stacks?: StackReader;
}

/**
 * Start the dashboard over the given monitors; its `done` resolves with the exit status once the user quits
 * (or its caller finishes it), the terminal restored in every case. Process signals are the caller's.
 */
export function startDashboard(monitors: TargetMonitor[], io: DashboardIO, options: DashboardOptions): Dashboard {
  return new Dashboard(monitors, io, {
    color: options.color,
    controls: options.controls ?? new Map(),
    ...(options.noControl ? { noControl: options.noControl } : {}),
    confirm: options.confirm ?? true,
    ...(options.labels ? { labels: options.labels } : {}),
    ascii: options.ascii === true,
    ...(options.start ? { start: options.start } : {}),
    ...(options.stacks ? { stacks: options.stacks } : {}),
  });
}
