/**
 * The live dashboard: owns the screen, listens to the monitors and the keyboard, keeps the UI state, and
 * paints coalesced frames. Rendering never waits on a target, so a dead target never freezes the screen.
 */
import { EventEmitter } from 'node:events';
import type { Widgets } from 'blessed';
import type { MonitorEvent } from '../../metrics/types.js';
import type { SeriesName } from '../../metrics/series.js';
import type { TargetMonitor, TargetUpdate } from '../../monitor/types.js';
import { safeText } from '../../core/safe-text.js';
import { fmtClock } from './format.js';
import { fifoCommand, namedCommand, noControlMessage, type FifoCommand, type TargetControl } from './control.js';
import { buildFrame, needsTick, type Frame, type TargetView } from './model/frame.js';
import type { SeriesData } from './model/graphs.js';
import { fitLine, line, type Style } from './model/line.js';
import { runningText, startRunning, type RunningCommand } from './model/progress.js';
import { initialState, tableState, type ReplayMark, type UiState } from './model/state.js';
import { resolveView, viewForKey, viewsFor, type ViewId } from './model/views.js';
import { Renderer } from './render/renderer.js';
import { bindingFor, type Action } from './keymap.js';
import { createScreen, type ScreenIO } from './render/terminal.js';

/** Frames caused by polls are at least this far apart; key presses paint at once. */
const FRAME_GAP_MS = 100;
/** The once-a-second repaint is skipped when a frame was painted more recently than this. */
const TICK_SKIP_MS = 900;
/** Poll intervals offered by `+`/`-`. */
const INTERVAL_STEPS = [250, 500, 1000, 2000, 3000, 5000, 10_000, 30_000, 60_000];
/** The poll interval of fast refresh (`f`). */
const FAST_MS = 250;

function intervalLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

interface Frozen {
  update: TargetUpdate | null;
  events: readonly MonitorEvent[];
  series: Map<SeriesName, SeriesData>;
}

export interface Key {
  name?: string;
  full?: string;
  ctrl?: boolean;
  shift?: boolean;
}

/**
 * The keys one blessed keypress stands for, as [character, name] pairs: printable characters by themselves
 * ('A', not blessed's 'S-a'), special keys by blessed's name ('enter', 'C-c'). blessed reports Enter twice
 * ('enter' then 'return'): 'return' is dropped. Esc followed quickly by a key arrives as Meta-key (tmux's
 * escape-time, slow links): it stands for both keys.
 */
export function normalizeKey(ch: string | undefined, key: Key & { meta?: boolean; sequence?: string }): Array<[string | undefined, string]> {
  if (key.name === 'return') return [];
  const seq = key.sequence ?? '';
  if (key.meta && seq.length === 2 && seq[0] === '\u001b') {
    return [[undefined, 'escape'], ...normalizeKey(seq[1], { name: seq[1] === '\r' ? 'enter' : seq[1], sequence: seq[1] })];
  }
  if (ch !== undefined && ch.length >= 1 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/u.test(ch)) {
    return [[ch, ch === ' ' ? 'space' : ch]];
  }
  return [[ch, key.full ?? key.name ?? ch ?? '']];
}

export interface DashboardSettings {
  color: boolean;
  controls: Map<string, TargetControl>;
  /** Wall clock, epoch ms (tests); Date.now by default. A replay gives the recorded time on screen. */
  now?: () => number;
  /** Why a target has no control, when it is not for want of --fifo (a relay without --allow-control). */
  noControl?: ReadonlyMap<string, string>;
  /** Ask y/N before writing to a FIFO (default true; --no-confirm turns it off). */
  confirm?: boolean;
  /** Set by `uwsgitop-ts replay`: the player behind the monitors. */
  replay?: ReplayHooks;
}

/** What the dashboard needs from a replay's player. */
export interface ReplayHooks {
  status(): ReplayMark;
  /** Run a replay action (play/pause, speed, step, next event); the message to show. */
  act(action: Action): string;
  /** Jump to a time typed at the `t` prompt; the message to show. */
  jump(text: string): string;
}

export class Dashboard {
  readonly screen: Widgets.Screen;
  /**
   * Emits 'frame' after each painted frame, 'key' after each handled key, 'exit' with the status, and
   * 'hangup' (after 'exit') when its terminal went away: what the process does then is its caller's choice.
   */
  readonly emitter = new EventEmitter();
  readonly done: Promise<number>;
  state: UiState = initialState();
  frames = 0;
  lastFrame: Frame | null = null;
  /** The wall clock frames are drawn at (ages, countdowns, messages); replaceable in tests. */
  clock: () => number;

  private readonly renderer: Renderer;
  private resolveDone!: (code: number) => void;
  finished = false;
  private frozen = new Map<string, Frozen>();
  private running = new Map<string, RunningCommand>();
  private unsubscribers: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private ticker: NodeJS.Timeout;
  private lastFrameAt = 0;
  /** A key changed the state since the last frame was built. */
  private modelStale = false;

  constructor(private readonly monitors: readonly TargetMonitor[], io: ScreenIO, private readonly settings: DashboardSettings) {
    this.clock = settings.now ?? Date.now;
    this.done = new Promise<number>((resolve) => {
      this.resolveDone = resolve;
    });
    this.screen = createScreen(io);
    // A terminal that went away (EIO on a hung-up tty) fails the next write. Heard first (prepended), so the
    // dashboard ends as a hangup would before anyone else turns the error into a crash report.
    io.output.prependListener('error', () => {
      this.finish(129);
      this.emitter.emit('hangup');
    });
    try {
      this.renderer = new Renderer(this.screen, settings.color);
    } catch (err) {
      this.screen.destroy();
      throw err;
    }
    this.screen.on('keypress', (ch: string | undefined, key: Key | undefined) => this.onKeySafely(ch, key ?? {}));
    this.screen.on('resize', () => this.schedule(true));
    for (const m of monitors) this.unsubscribers.push(m.subscribe(() => this.schedule(false)));
    // In-flight ages, countdowns ("retry in 3s", "stale for 12s") and message expiry move even when no poll
    // arrives; an idle screen is not repainted for nothing, nor one a poll repainted less than a second ago.
    this.ticker = setInterval(() => {
      if (Date.now() - this.lastFrameAt < TICK_SKIP_MS) return;
      if (needsTick(this.state, this.targetViews(), this.clock())) this.schedule(false);
    }, 1000);
    this.schedule(true);
  }

  /** Stop: restore the terminal, remove every handler and timer, resolve `done` with `code`. */
  finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.ticker);
    for (const u of this.unsubscribers) u();
    try {
      this.renderer.destroy();
    } finally {
      this.screen.destroy();
      this.emitter.emit('exit', code);
      this.resolveDone(code);
    }
  }

  /** Ask for a frame: at once for keys and resizes, at most every FRAME_GAP_MS for polls. */
  schedule(urgent: boolean): void {
    if (this.finished) return;
    const now = Date.now();
    const due = urgent ? now : Math.max(now, this.lastFrameAt + FRAME_GAP_MS);
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.paint();
    }, due - now);
  }

  /** Build and paint one frame now; a failure shows on the status line instead of ending the dashboard. */
  paint(): void {
    if (this.finished) return;
    this.lastFrameAt = Date.now();
    if (this.settings.replay) this.state.replay = this.settings.replay.status();
    try {
      const frame = buildFrame({
        state: this.state,
        targets: this.targetViews(),
        width: Math.max(1, this.screen.width as number),
        height: Math.max(1, this.screen.height as number),
        nowMs: this.clock(),
      });
      this.adopt(frame);
      this.renderer.paint(frame);
    } catch (err) {
      const text = ` display error: ${safeText(err instanceof Error ? err.message : String(err), 120)} (the dashboard keeps running)`;
      try {
        this.renderer.paintStatus(fitLine(line(text, 'prompt'), Math.max(1, this.screen.width as number), 'prompt'));
      } catch {
        // Nothing more can be shown; the next frame tries again.
      }
    }
    this.frames++;
    this.emitter.emit('frame', this.frames);
  }

  /** Rebuild the frame model (not the screen) from the current state, for keys that read the last frame. */
  private refreshModel(): void {
    if (this.finished) return;
    this.adopt(buildFrame({
      state: this.state,
      targets: this.targetViews(),
      width: Math.max(1, this.screen.width as number),
      height: Math.max(1, this.screen.height as number),
      nowMs: this.clock(),
    }));
  }

  /** refreshModel, but a model that cannot be built (a malformed document) never takes the keyboard with it. */
  private refreshModelSafely(): void {
    try {
      this.refreshModel();
    } catch {
      // The key then reads the last good frame; paint() shows the error on the status line.
      this.modelStale = false;
    }
  }

  /** Keep what the frame resolved (selection, scroll, view) so the next key moves from there. */
  private adopt(frame: Frame): void {
    this.lastFrame = frame;
    this.modelStale = false;
    this.state.view = frame.view;
    if (frame.table) {
      const ts = tableState(this.state, frame.view);
      ts.selectedKey = frame.table.selectedKey;
      ts.selectedIndex = frame.table.selectedIndex;
      ts.scrollTop = frame.table.scrollTop;
      ts.sortId = frame.table.sortId;
    }
    if (frame.overlay && this.state.overlay) this.state.overlay.scroll = frame.overlay.scroll;
  }

  private targetViews(): TargetView[] {
    return this.monitors.map((m) => {
      const frozen = this.state.frozenAtMs !== null ? this.frozen.get(m.target) : undefined;
      const live = m.latest();
      return {
        target: m.target,
        live,
        shown: frozen ? frozen.update : live,
        events: frozen ? frozen.events : m.events(),
        series: (name: SeriesName): SeriesData => {
          if (frozen) return frozen.series.get(name) ?? { values: [], times: [] };
          const h = m.history(name);
          return { values: h.values(), times: h.times() };
        },
        hasControl: this.settings.controls.has(m.target),
        intervalMs: m.intervalMs,
        running: this.runningNow(m, live),
      };
    });
  }

  /** The command running on `m` with its progress so far, read from the latest stats (frozen or not). */
  private runningNow(m: TargetMonitor, live: TargetUpdate | null): string | null {
    const cmd = this.running.get(m.target);
    return cmd ? runningText(cmd, live?.snapshot ?? null, this.clock()) : null;
  }

  private get current(): TargetMonitor | undefined {
    return this.monitors[this.state.targetIndex];
  }

  private say(text: string, style: Style = 'status', whole = text): void {
    this.state.message = { text, style, atMs: this.clock() };
    this.state.lastMessage = { text: whole, style, atMs: this.clock() };
  }

  /** `m`: the last status-line message whole, in a popup (a command's result can be longer than the line). */
  private showLastMessage(): void {
    const last = this.state.lastMessage;
    if (!last) {
      this.say('no message yet');
      return;
    }
    this.state.overlay = { kind: 'text', title: 'Last message', text: last.text, scroll: 0 };
  }

  /** `r`: read every target now; a target waiting to retry is tried at once. */
  private refreshNow(): void {
    for (const m of this.monitors) m.refresh();
    this.say(this.monitors.length > 1 ? 'reading every target now' : 'reading now');
  }

  /** `f` (uwsgitop's fast screen): poll every FAST_MS until pressed again, then back to the interval before. */
  private toggleFast(): void {
    const s = this.state;
    const m = this.current;
    if (!m) return;
    if (s.fastFromMs !== null) {
      for (const mon of this.monitors) mon.setIntervalMs(s.fastFromMs);
      this.say(`fast refresh off: polling every ${intervalLabel(s.fastFromMs)}`);
      s.fastFromMs = null;
      return;
    }
    s.fastFromMs = m.intervalMs;
    for (const mon of this.monitors) mon.setIntervalMs(FAST_MS);
    this.say(`fast refresh: polling every ${intervalLabel(FAST_MS)} (f again: back to ${intervalLabel(s.fastFromMs)})`);
  }

  /** `a` (as uwsgitop): workers only -> one row per core -> cores under their worker -> workers only. */
  private cycleCores(): void {
    const order = ['off', 'merged', 'under'] as const;
    const s = this.state;
    s.coreMode = order[(order.indexOf(s.coreMode) + 1) % order.length]!;
    if (resolveView(this.kind(), s.view) !== 'workers') this.setView('workers');
    this.say(s.coreMode === 'off' ? 'cores hidden: one row per worker' : s.coreMode === 'merged' ? 'one row per core (WID:core); a again: cores under their worker' : 'each worker with its cores under it; a again: workers only');
  }

  private onKeySafely(ch: string | undefined, key: Key): void {
    if (this.finished) return;
    for (const [c, name] of normalizeKey(ch, key)) {
      if (this.finished) break;
      // One key's failure neither loses the keys after it nor keeps `q` and Ctrl-C from quitting.
      try {
        // Keys of one read arrive before any paint: rebuild the model the previous key changed (a view
        // switch), so `2` then Enter opens a request of view 2, not a row of the view that was shown.
        if (this.modelStale) this.refreshModelSafely();
        this.onKey(c, { name, full: name });
        this.modelStale = true;
      } catch (err) {
        this.say(`key error: ${safeText(err instanceof Error ? err.message : String(err), 120)}`, 'error');
      }
    }
    this.emitter.emit('key', key.full ?? key.name ?? ch);
    this.schedule(true);
  }

  /** Handle one key press (exported for tests through the class): the keymap names the action. */
  onKey(ch: string | undefined, key: Key): void {
    const name = key.full ?? key.name ?? ch ?? '';
    if (name === 'C-c') return this.finish(0);
    const s = this.state;
    if (s.prompt) return this.onPromptKey(ch, key, name);
    if (s.overlay) {
      const popup = bindingFor(name, 'popup');
      if (popup) return this.onPopupAction(popup.action);
      // Switching view or target closes the popup; every other key keeps its meaning.
      const main = bindingFor(name, 'main');
      if (main && ['view', 'next-view', 'prev-view', 'next-target', 'prev-target'].includes(main.action)) s.overlay = null;
      else if (main?.action === 'open') {
        // Enter closes a text popup; in a worker popup it does nothing (Esc closes).
        if (s.overlay.kind !== 'detail') s.overlay = null;
        return;
      }
    }
    // A replay's keys come before the live ones they stand in for (space plays instead of freezing, +/- set the speed).
    const replay = this.settings.replay ? bindingFor(name, 'replay') : undefined;
    if (replay) return this.onReplayAction(this.settings.replay!, replay.action);
    const binding = bindingFor(name, 'main');
    if (binding) this.run(binding.action, ch ?? name);
  }

  private onReplayAction(replay: ReplayHooks, action: Action): void {
    if (action === 'jump') {
      this.state.prompt = { kind: 'jump', text: '' };
      return;
    }
    this.say(safeText(replay.act(action), 160));
  }

  private run(action: Action, ch: string): void {
    const s = this.state;
    switch (action) {
      case 'quit': return this.finish(0);
      case 'help': s.overlay = { kind: 'help', scroll: 0 }; return;
      case 'cancel':
        if (tableState(s, s.view).filter) {
          tableState(s, s.view).filter = '';
          this.say('filter cleared');
        }
        return;
      case 'redraw': this.screen.realloc(); return;
      case 'freeze': return this.toggleFreeze();
      case 'slower': return this.changeInterval(1);
      case 'faster': return this.changeInterval(-1);
      case 'fast': return this.toggleFast();
      case 'refresh': return this.refreshNow();
      case 'cores': return this.cycleCores();
      case 'next-view': return this.cycleView(1);
      case 'prev-view': return this.cycleView(-1);
      case 'view': return this.selectViewKey(ch);
      case 'next-target': return this.switchTarget(s.targetIndex + 1);
      case 'prev-target': return this.switchTarget(s.targetIndex - 1);
      case 'filter': s.prompt = { kind: 'filter', text: tableState(s, s.view).filter, before: tableState(s, s.view).filter }; return;
      case 'sort-next': return this.cycleSort(1);
      case 'sort-prev': return this.cycleSort(-1);
      case 'reverse': return this.reverseSort();
      case 'up': return this.move(-1);
      case 'down': return this.move(1);
      case 'page-up': return this.move(-(this.lastFrame?.pageRows ?? 1));
      case 'page-down': return this.move(this.lastFrame?.pageRows ?? 1);
      case 'home': return this.move(-Infinity);
      case 'end': return this.move(Infinity);
      case 'open': return this.enter();
      case 'message': return this.showLastMessage();
      case 'control': return this.openControl();
      case 'close':
      case 'vars':
        return;
    }
  }

  private onPopupAction(action: Action): void {
    const ov = this.state.overlay!;
    const page = this.lastFrame?.overlayRows ?? 10;
    const scrollBy = (n: number): void => {
      const total = this.lastFrame?.overlay?.total ?? 0;
      ov.scroll = Math.max(0, Math.min(ov.scroll + n, Math.max(0, total - page)));
    };
    switch (action) {
      case 'close': this.state.overlay = null; return;
      case 'up': return scrollBy(-1);
      case 'down': return scrollBy(1);
      case 'page-up': return scrollBy(-page);
      case 'page-down': return scrollBy(page);
      case 'home': ov.scroll = 0; return;
      case 'end': return scrollBy(Infinity);
      case 'vars':
        if (ov.kind === 'detail') ov.showVars = !ov.showVars;
        return;
      default:
        return;
    }
  }

  private onPromptKey(ch: string | undefined, key: Key, name: string): void {
    const s = this.state;
    const p = s.prompt!;
    if (p.kind === 'jump') {
      if (name === 'escape') s.prompt = null;
      else if (name === 'enter' || name === 'return') {
        s.prompt = null;
        if (p.text.trim() !== '' && this.settings.replay) this.say(safeText(this.settings.replay.jump(p.text), 160));
      } else if (name === 'backspace') p.text = Array.from(p.text).slice(0, -1).join('');
      else if (ch !== undefined && !key.ctrl && /^[0-9A-Za-z:.+\-]$/.test(ch)) p.text += ch;
      return;
    }
    if (p.kind === 'filter') {
      const ts = tableState(s, s.view);
      if (name === 'escape') {
        ts.filter = '';
        s.prompt = null;
      } else if (name === 'enter' || name === 'return') {
        s.prompt = null;
      } else if (name === 'backspace') {
        p.text = Array.from(p.text).slice(0, -1).join('');
      } else if (ch !== undefined && !key.ctrl && ch.length > 0 && /^[^\u0000-\u001f\u007f]+$/u.test(ch)) {
        p.text += ch;
      }
      if (s.prompt) ts.filter = p.text;
      ts.selectedIndex = 0;
      ts.scrollTop = 0;
      return;
    }
    if (p.kind === 'confirm') {
      s.prompt = null;
      if (ch === 'y' || ch === 'Y') this.runCommand(p.target, p.command);
      else this.say(`${p.command.name} not sent: nothing was written to ${safeText(p.fifoPath)}`);
      return;
    }
    // The `!` prompt: one FIFO byte.
    s.prompt = null;
    if (name === 'escape') return;
    const cmd = ch !== undefined ? fifoCommand(ch) : undefined;
    if (!cmd) {
      this.say(`"${safeText(ch ?? name, 4)}" is not a master FIFO command (press ? for the list)`, 'error');
      return;
    }
    this.requestCommand(p.target, cmd.name === 'pause-toggle' ? namedCommand(this.pauseOrResume()) ?? cmd : cmd);
  }

  /** `!`: ask which FIFO command to send to the current target, or say how to give it a FIFO. */
  private openControl(): void {
    const m = this.current;
    if (!m) return;
    const control = this.settings.controls.get(m.target);
    if (!control) {
      this.say(safeText(this.settings.noControl?.get(m.target) ?? noControlMessage(m.target)), 'error');
      return;
    }
    this.state.prompt = { kind: 'command', target: m.target };
  }

  /** Confirm (naming the target and its FIFO) before anything is written, unless --no-confirm. */
  private requestCommand(target: string, cmd: FifoCommand): void {
    const control = this.settings.controls.get(target);
    if (!control) return;
    if (this.settings.confirm === false) this.runCommand(target, cmd);
    else this.state.prompt = { kind: 'confirm', command: cmd, target, fifoPath: control.fifoPath };
  }

  private runCommand(target: string, cmd: FifoCommand): void {
    const control = this.settings.controls.get(target);
    const monitor = this.monitors.find((m) => m.target === target);
    if (!control || !monitor) return;
    if (this.running.has(target)) {
      this.say(`a command is already running on ${safeText(target)}: ${this.running.get(target)!.name}`, 'error');
      return;
    }
    this.running.set(target, startRunning(cmd.name, monitor.latest()?.snapshot ?? null, this.clock()));
    const record = (ok: boolean, message: string): void => {
      if (this.finished) return;
      const text = `${cmd.name}: ${message}`;
      monitor.addEvent({ atMs: this.clock(), target, type: 'command', severity: ok ? 'info' : 'error', message: text, data: { command: cmd.name, ok } });
      // The verdict leads the message, so a cut status line still tells it; `m` and Enter in view 9 show it whole.
      const who = this.monitors.length > 1 ? `${target}: ` : '';
      this.say(safeText(`${who}${text}`), ok ? 'ok' : 'error');
    };
    control.run(cmd.name).then(
      (res) => record(res.ok, res.message),
      (err: unknown) => record(false, err instanceof Error ? err.message : String(err)),
    ).finally(() => {
      this.running.delete(target);
      if (this.finished) return;
      monitor.refresh();
      this.schedule(true);
    });
  }

  /** `p` toggles: resume when the shown stats say the workers are paused, else pause (verifiable either way). */
  private pauseOrResume(): string {
    const m = this.current;
    const snap = m?.latest()?.snapshot;
    if (snap?.kind !== 'instance') return 'pause-toggle';
    return snap.doc.workers.some((w) => w.pid > 0 && w.status === 'pause') ? 'resume' : 'pause';
  }

  private toggleFreeze(): void {
    const s = this.state;
    if (s.frozenAtMs !== null) {
      s.frozenAtMs = null;
      this.frozen.clear();
      this.say('display live again');
      return;
    }
    // Copy what is on screen now; polling (and the event log) goes on underneath.
    for (const m of this.monitors) {
      const series = new Map<SeriesName, SeriesData>();
      for (const name of ['rps', 'avgRtMs', 'busyWorkers', 'listenQueue', 'txps', 'eps'] as SeriesName[]) {
        const h = m.history(name);
        series.set(name, { values: [...h.values()], times: [...h.times()] });
      }
      this.frozen.set(m.target, { update: m.latest(), events: [...m.events()], series });
    }
    s.frozenAtMs = this.clock();
    this.say('frozen (polling goes on): z resumes');
  }

  private changeInterval(direction: 1 | -1): void {
    const m = this.current;
    if (!m) return;
    const cur = m.intervalMs;
    const next = direction > 0 ? INTERVAL_STEPS.find((x) => x > cur) ?? INTERVAL_STEPS[INTERVAL_STEPS.length - 1]! : [...INTERVAL_STEPS].reverse().find((x) => x < cur) ?? INTERVAL_STEPS[0]!;
    for (const mon of this.monitors) mon.setIntervalMs(next);
    this.state.fastFromMs = null;
    this.say(`polling every ${intervalLabel(next)}${this.monitors.length > 1 ? ' (all targets)' : ''}`);
  }

  private kind(): 'instance' | 'emperor' | 'router' | null {
    const m = this.current;
    const shown = m ? (this.state.frozenAtMs !== null ? this.frozen.get(m.target)?.update : m.latest()) : null;
    return shown?.snapshot?.kind ?? null;
  }

  private cycleView(step: number): void {
    const views = viewsFor(this.kind());
    const cur = views.findIndex((v) => v.id === resolveView(this.kind(), this.state.view));
    const next = views[(cur + step + views.length) % views.length]!;
    this.setView(next.id);
  }

  private selectViewKey(key: string): void {
    const view = viewForKey(this.kind(), key);
    if (view === null) {
      this.say(`no view ${key} for this ${this.kind() ?? 'target'} (press ? for the views)`);
      return;
    }
    this.setView(view);
  }

  private setView(view: ViewId): void {
    this.state.view = view;
    this.state.overlay = null;
  }

  private switchTarget(index: number): void {
    const n = this.monitors.length;
    if (n <= 1) {
      this.say('only one target (give several addresses to switch between them)');
      return;
    }
    this.state.targetIndex = ((index % n) + n) % n;
    this.state.overlay = null;
  }

  private cycleSort(step: number): void {
    const table = this.lastFrame?.table;
    if (!table || table.shown.length === 0) return;
    // Several keys can arrive in one read, before the next frame: move from the state, not the last frame.
    const ts = tableState(this.state, this.state.view);
    const cols = table.shown;
    const cur = cols.indexOf(ts.sortId ?? table.sortId);
    const next = cols[(cur + step + cols.length) % cols.length]!;
    ts.sortId = next;
    ts.reverse = false;
  }

  private reverseSort(): void {
    const ts = tableState(this.state, this.state.view);
    ts.reverse = !ts.reverse;
  }

  private move(delta: number): void {
    const table = this.lastFrame?.table;
    if (!table || table.keys.length === 0) return;
    const ts = tableState(this.state, this.state.view);
    const known = ts.selectedKey === null ? -1 : table.keys.indexOf(ts.selectedKey);
    const cur = known >= 0 ? known : Math.min(ts.selectedIndex, table.keys.length - 1);
    const next = delta === -Infinity ? 0 : delta === Infinity ? table.keys.length - 1 : Math.max(0, Math.min(table.keys.length - 1, cur + delta));
    ts.selectedIndex = next;
    ts.selectedKey = table.keys[next] ?? null;
  }

  private enter(): void {
    const table = this.lastFrame?.table;
    const key = tableState(this.state, this.state.view).selectedKey ?? table?.selectedKey;
    if (!table || key === null || key === undefined) return;
    const view = this.state.view;
    if (view === 'workers') this.state.overlay = { kind: 'detail', slot: Number(key.split(':')[0]), scroll: 0, showVars: false };
    else if (view === 'events') {
      const [atMs, index] = key.split(':').map(Number);
      const events = this.targetViews()[this.state.targetIndex]?.events ?? [];
      const e = events[index!]?.atMs === atMs ? events[index!] : events.find((x) => x.atMs === atMs);
      if (e) this.state.overlay = { kind: 'text', title: `${fmtClock(e.atMs / 1000)} ${e.severity} ${e.type}`, text: e.message, scroll: 0 };
    }
    else if (view === 'requests') this.state.overlay = { kind: 'detail', slot: Number(key.split(':')[0]), scroll: 0, showVars: true };
    else if (view === 'fleet') {
      this.state.targetIndex = Number(key);
      this.state.view = 'workers';
    }
  }
}
