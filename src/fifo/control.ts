/** The dashboard's handle on one target's master FIFO: run a named command, verified by the stats. */
import { CANARY_CHAIN_RELOAD, COMMANDS, parseCommandWords, type FifoCommand, type TargetControl } from './commands.js';
import { runFifoCommands, type FifoOutcome } from './run.js';
import { runCanaryChainReload } from './canary.js';
import type { HttpCheck } from './http-check.js';
import type { StatsReader } from './verify.js';

/** The controller of one instance through its FIFO: src/fifo/commands.ts's TargetControl with the full outcome. */
export type FifoTargetControl = TargetControl<FifoOutcome>;

export interface TargetControlOptions {
  /** Effect time limit, ms (default 30000). */
  timeoutMs?: number;
  /** Progress of long commands (chain reload: k of N workers replaced). */
  onProgress?: (message: string, done: number, total: number) => void;
  /** The instance's --master-fifo paths in slot order (from its ini), for slot switches. */
  slotPaths?: string[];
  signal?: AbortSignal;
  reader?: StatsReader;
  /** How long a canary worker must stay healthy ('chain-reload-canary'), ms (default 10000). */
  settleMs?: number | undefined;
  /** --check: requests to the application during and after each reload. */
  checks?: readonly HttpCheck[] | undefined;
}

/** Create the control for one instance; statsAddress null means commands are written but not verified. */
export function createTargetControl(fifoPath: string, statsAddress: string | null, options: TargetControlOptions = {}): FifoTargetControl {
  // One command at a time per target: a second one waits, so two writes never interleave their verifications.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    fifoPath,
    run(command: string) {
      const task = queue.then(async (): Promise<FifoOutcome> => {
        const common = { stats: statsAddress, timeoutMs: options.timeoutMs, onProgress: options.onProgress, slotPaths: options.slotPaths, signal: options.signal, reader: options.reader, ...(options.checks ? { checks: options.checks } : {}) };
        if (command.trim() === CANARY_CHAIN_RELOAD.name) return runCanaryChainReload(fifoPath, { ...common, ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}) });
        let commands: FifoCommand[];
        try {
          commands = parseCommandWords(command.trim().split(/\s+/).filter(Boolean));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          return { ok: false, fifoPath, written: '', verified: false, effect: message, notes: [], progress: null, message };
        }
        return runFifoCommands(fifoPath, commands, common);
      });
      queue = task.catch(() => undefined);
      return task;
    },
  };
}

/** Names of the commands that drop requests or stop the instance: the dashboard asks before running them. */
export function commandsNeedingConfirmation(): string[] {
  return COMMANDS.filter((c) => c.dangerous).map((c) => c.name);
}
