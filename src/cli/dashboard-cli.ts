/** The default mode on a terminal: one live monitor per target shown by the dashboard, with FIFO controls when paired. */
import { createMonitor, type ControllableMonitor } from '../metrics/monitor.js';
import type { TargetMonitor } from '../metrics/types.js';
import type { StatsAddress } from '../stats/address.js';
import type { Target } from './targets.js';
import { loadFunction } from './optional.js';

export interface DashboardIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface DashboardRun {
  targets: readonly Target[];
  /** Master FIFO path per target name (from --fifo ADDR=PATH and --ini). */
  fifos: ReadonlyMap<string, string>;
  color: boolean;
  intervalMs: number;
  timeoutMs: number;
}

type RunDashboard = (
  monitors: TargetMonitor[],
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
  options: { color: boolean; controls?: Map<string, unknown> },
) => Promise<number>;
type CreateTargetControl = (fifoPath: string, statsAddress: StatsAddress) => unknown;

/** Run the dashboard until the user quits; every monitor is stopped afterwards. Resolves with the exit status. */
export async function runDashboardCli(run: DashboardRun, io: DashboardIo): Promise<number> {
  const runDashboard = await loadFunction<RunDashboard>('../views/dashboard/index.js', 'runDashboard', 'the dashboard');
  let controls: Map<string, unknown> | undefined;
  if (run.fifos.size > 0) {
    const createTargetControl = await loadFunction<CreateTargetControl>('../fifo/control.js', 'createTargetControl', 'master FIFO control');
    controls = new Map();
    for (const target of run.targets) {
      const fifo = run.fifos.get(target.name);
      if (fifo !== undefined) controls.set(target.name, createTargetControl(fifo, target.address));
    }
  }
  const monitors: ControllableMonitor[] = run.targets.map((t) =>
    createMonitor(t.name, t.fetch, { intervalMs: run.intervalMs, readTimeoutMs: run.timeoutMs + 2000 }),
  );
  try {
    return await runDashboard(monitors, { input: io.stdin, output: io.stdout, env: io.env }, {
      color: run.color,
      ...(controls !== undefined ? { controls } : {}),
    });
  } finally {
    for (const m of monitors) m.stop();
  }
}
