/**
 * A worker's Python stacks in its detail popup: read on demand (Enter) by a reader the command line gives
 * (it knows where the instance's --py-tracebacker is), never by the render path.
 */
import type { Traceback } from '../../stats/tracebacker.js';

/** What reading one worker's stacks gave. */
export type StackOutcome =
  | { kind: 'ok'; traceback: Traceback; from: string }
  /** No tracebacker to read: `why` says how to enable one. */
  | { kind: 'none'; why: string }
  | { kind: 'error'; message: string };

/** Reads a worker's stacks for a target; given by the CLI (absent in replays and tests that do not need it). */
export interface StackReader {
  read(target: string, workerId: number): Promise<StackOutcome>;
}

/** The stack section's state in an open worker popup. */
export type StackView = { workerId: number; state: 'reading' } | ({ workerId: number; state: 'done'; atMs: number } & StackOutcome);
