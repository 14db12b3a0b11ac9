/** The default mode on a terminal: one live monitor per target shown by the dashboard, with FIFO controls when paired. */
import { createMonitor, type ControllableMonitor } from '../monitor/monitor.js';
import type { TargetMonitor } from '../monitor/types.js';
import { isOnThisHost, monitorPlacement, type Target } from './targets.js';
import { createStackReader } from './stacks.js';
import { discoverControls } from './discover.js';
import type { TargetControl } from '../views/dashboard/control.js';
import type { HttpCheck } from '../fifo/http-check.js';
import type { Recordings } from './record-targets.js';
import { endDashboardOnSignals } from './dashboard-signals.js';
import type { StartTable } from '../views/dashboard/index.js';

export interface DashboardIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface DashboardRun {
  targets: readonly Target[];
  /** Master FIFO paths per target name, slot 0 first (from --fifo ADDR=PATH and --ini). */
  fifos: ReadonlyMap<string, readonly string[]>;
  color: boolean;
  /** Ask before each FIFO write (false with --no-confirm). */
  confirm: boolean;
  intervalMs: number;
  timeoutMs: number;
  /** --settle: how long a canary worker must stay healthy (the k at a chain reload's y/N), ms. */
  settleMs?: number;
  /** --check: requests to the application during and after each reload written from the dashboard. */
  checks?: readonly HttpCheck[];
  /** --record: a recording that stops by itself says so in the target's event log. */
  recordings?: Recordings | null;
  /** What the user knows a target by, when not its address (from --ini: the file, or the vassal's name). */
  labels?: ReadonlyMap<string, string>;
  /** --sort COLUMN and --filter TEXT (already checked). */
  start?: StartTable;
  /** --tracebacker PATH (else found from a local master's command line). */
  tracebacker?: string | null;
}


/** Run the dashboard until the user quits; every monitor is stopped afterwards. Resolves with the exit status. */
export async function runDashboardCli(run: DashboardRun, io: DashboardIo): Promise<number> {
  // Loaded on demand: scripts (--once, --json) never pay for blessed.
  const { startDashboard, wantsAscii } = await import('../views/dashboard/index.js');
  const controls = new Map<string, TargetControl>();
  // A relay's targets are controlled through the relay (when it allows control).
  const noControl = new Map<string, string>();
  for (const target of run.targets) {
    const remote = target.remote;
    if (remote === undefined || controls.has(target.name)) continue;
    if (remote.commands().length > 0) controls.set(target.name, { fifoPath: `(via ${target.address.text})`, run: (command) => remote.runCommand(command) });
    else noControl.set(target.name, `the relay ${target.address.text} allows no control of ${target.name}: start it with uwsgitop-ts serve --allow-control (and --token-file)`);
  }
  // Relay targets come with their own live monitor; the others get a local poller each.
  const owned: ControllableMonitor[] = [];
  const monitors: TargetMonitor[] = run.targets.map((t) => {
    if (t.remote !== undefined) return t.remote;
    const recording = run.recordings?.writers.get(t.name);
    const m = createMonitor(t.name, t.fetch, {
      ...monitorPlacement(t),
      intervalMs: run.intervalMs,
      readTimeoutMs: run.timeoutMs + 2000,
      ...(t.maxRequests !== undefined ? { maxRequests: t.maxRequests } : {}),
      // The recording keeps the FIFO commands written from here, so that a replay tells them from a crash.
      ...(recording !== undefined ? { onCommand: (command: string) => recording.command(command) } : {}),
    });
    owned.push(m);
    return m;
  });
  // Quitting ends a command still being verified: its reads and waits would keep the process alive for up
  // to the command's whole timeout after the terminal was given back.
  const quitting = new AbortController();
  if (run.fifos.size > 0) {
    const { createTargetControl } = await import('../fifo/control.js');
    for (const target of run.targets) {
      const paths = run.fifos.get(target.name);
      const monitor = owned.find((m) => m.target === target.name);
      // Commands are verified by this target's own poller: one request in flight, its --timeout and --max-bytes.
      if (paths !== undefined && paths.length > 0 && monitor !== undefined) {
        controls.set(target.name, createTargetControl(paths[0]!, target.name, { signal: quitting.signal, slotPaths: [...paths], settleMs: run.settleMs, checks: run.checks, reader: (_address, timeoutMs) => monitor.readNow(timeoutMs + run.timeoutMs + 2000) }));
      }
    }
  }
  if (run.recordings) {
    run.recordings.notify = (target, message) => {
      monitors.find((m) => m.target === target)?.addEvent({ atMs: Date.now(), target, type: 'command', severity: 'warn', message, data: { recording: 'stopped' } });
    };
  }
  const local = new Set(run.targets.filter(isOnThisHost).map((t) => t.name));
  // What a local master's command line says (its FIFOs, its tracebacker) is used without flags, and said.
  const found = run.targets.filter((t) => local.has(t.name) && !controls.has(t.name)).map((t) => t.name);
  const stopDiscovery = discoverControls<TargetControl>(found, monitors, controls, async (target, paths) => {
    const { createTargetControl } = await import('../fifo/control.js');
    return createTargetControl(paths[0]!, target, { signal: quitting.signal, slotPaths: paths });
  });
  try {
    const dashboard = startDashboard(monitors, { input: io.stdin, output: io.stdout, env: io.env }, {
      color: run.color,
      confirm: run.confirm,
      noControl,
      ...(run.labels ? { labels: run.labels } : {}),
      ascii: wantsAscii(io.env),
      ...(run.start ? { start: run.start } : {}),
      // The same map: a FIFO found later (from the master's command line) becomes usable at once.
      controls,
      stacks: createStackReader(monitors, run.tracebacker ?? null, (name) => local.has(name)),
    });
    endDashboardOnSignals(dashboard);
    return await dashboard.done;
  } finally {
    quitting.abort();
    stopDiscovery();
    for (const m of owned) m.stop();
  }
}

