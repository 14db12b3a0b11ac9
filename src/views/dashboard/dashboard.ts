/**
 * The live dashboard: owns the screen, listens to the monitors and the keyboard, keeps the UI state, and
 * paints coalesced frames. Rendering never waits on a target, so a dead target never freezes the screen.
 */
import { EventEmitter } from 'node:events';
import type { Widgets } from 'blessed';
import { seriesData, type SeriesData, type SeriesName } from '../../metrics/series.js';
import type { TargetMonitor } from '../../monitor/types.js';
import { safeText } from '../../core/safe-text.js';
import type { TargetControl } from './control.js';
import { CommandFlow } from './commands.js';
import { Freezer } from './freeze.js';
import type { StackOutcome, StackReader } from './stack.js';
import { FILTER_CHARS, JUMP_CHARS, editText, normalizeKey, type Key } from './input.js';
import { buildFrame, needsTick, type Frame, type TargetView } from './model/frame.js';
import { fitLine, line, type Style } from './model/line.js';
import { applyStart, type StartTable } from './model/start.js';
import { initialState, tableState, type ReplayMark, type UiState } from './model/state.js';
import * as nav from './navigate.js';
import { changeInterval, toggleFast } from './interval.js';
import { Renderer } from './render/renderer.js';
import { bindingFor, type Action } from './keymap.js';
import { createScreen, type ScreenIO } from './render/terminal.js';

/** Frames caused by polls are at least this far apart; key presses paint at once. */
const FRAME_GAP_MS = 100;
/** The once-a-second repaint is skipped when a frame was painted more recently than this. */
const TICK_SKIP_MS = 900;
export { normalizeKey, type Key } from './input.js';

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
  /** What the user knows a target by, when not its address (an ini file, a vassal), by target. */
  labels?: ReadonlyMap<string, string>;
  /** Draw in ASCII only (a terminal or locale that cannot show UTF-8 symbols; see render/ascii.ts). */
  ascii?: boolean;
  /** --sort and --filter: the first table's order and filter at start (checked by the caller). */
  start?: StartTable;
  /** Reads a worker's Python stacks on demand (Enter on a worker or a request). */
  stacks?: StackReader;
}

/** What the dashboard needs from a replay's player. */
export interface ReplayHooks {
  status(): ReplayMark;
  /** Run a replay action (play/pause, speed, step, next event); the message to show. */
  act(action: Action): string;
  /** Jump to a time typed at the `t` prompt; the message to show. */
  jump(text: string): string;
}

/** The parts of blessed's program (untyped in @types/blessed) that Ctrl-Z uses. */
interface TerminalProgram {
  input: unknown;
  isAlt?: boolean;
  cursorHidden?: boolean;
  normalBuffer(): void;
  alternateBuffer(): void;
  showCursor(): void;
  hideCursor(): void;
  flush(): void;
}

export class Dashboard {
  readonly screen: Widgets.Screen;
  /**
   * Emits 'frame' after each painted frame, 'key' after each handled key, 'exit' with the status, and
   * 'hangup' (after 'exit') when its terminal went away: what the process does then is its caller's choice.
   * On Ctrl-Z it hands the terminal back and emits 'suspend' with `resume` (call it on SIGCONT: the screen
   * is redrawn) and `refuse` (why the process cannot stop here); with no listener Ctrl-Z only says so.
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
  private readonly frozen = new Freezer();
  private readonly commands: CommandFlow;
  private unsubscribers: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private ticker: NodeJS.Timeout;
  private lastFrameAt = 0;
  /** A key changed the state since the last frame was built. */
  private modelStale = false;
  /** Ctrl-Z gave the terminal back; nothing is painted until resumed. */
  private suspended = false;

  constructor(private readonly monitors: readonly TargetMonitor[], io: ScreenIO, private readonly settings: DashboardSettings) {
    this.clock = settings.now ?? Date.now;
    if (settings.start) applyStart(this.state, settings.start);
    this.done = new Promise<number>((resolve) => {
      this.resolveDone = resolve;
    });
    this.commands = new CommandFlow(
      {
        monitors,
        state: () => this.state,
        clock: () => this.clock(),
        say: (text, style, sticky) => this.say(text, style, text, sticky),
        finished: () => this.finished,
        repaint: () => this.schedule(true),
      },
      settings,
    );
    this.screen = createScreen(io, settings.ascii === true);
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
      if (performance.now() - this.lastFrameAt < TICK_SKIP_MS) return;
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
      try {
        this.renderer.destroy();
      } finally {
        this.screen.destroy();
      }
    } catch {
      // A terminal that went away (tmux killed, ssh dropped) fails the restoring calls (setRawMode: EIO): the
      // dashboard must still end, or its caller waits forever and the process lives on without a terminal.
    } finally {
      this.emitter.emit('exit', code);
      this.resolveDone(code);
    }
  }

  /** Ask for a frame: at once for keys and resizes, at most every FRAME_GAP_MS for polls. */
  schedule(urgent: boolean): void {
    if (this.finished) return;
    const now = performance.now();
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
    if (this.finished || this.suspended) return;
    this.lastFrameAt = performance.now();
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
      const frozen = this.state.frozenAtMs !== null ? this.frozen.of(m.target) : undefined;
      const live = m.latest();
      const label = this.settings.labels?.get(m.target);
      return {
        target: m.target,
        ...(label !== undefined ? { label } : {}),
        live,
        shown: frozen ? frozen.update : live,
        events: frozen ? frozen.events : m.events(),
        series: (name: SeriesName): SeriesData => {
          if (frozen) return frozen.series.get(name) ?? { values: [], times: [] };
          return seriesData(m.history(name));
        },
        hasControl: this.commands.hasControl(m.target),
        intervalMs: m.intervalMs,
        // Read from the latest stats, frozen or not.
        running: this.commands.progress(m.target, live?.snapshot ?? null),
      };
    });
  }

  private get current(): TargetMonitor | undefined {
    return this.monitors[this.state.targetIndex];
  }

  /** Show `text` on the status line when there is one. */
  private sayIf(text: string | null): void {
    if (text !== null) this.say(text);
  }

  private say(text: string, style: Style = 'status', whole = text, sticky = false): void {
    // A message that must be read is not pushed away by a chatty key ("reading now"): only m or Esc end it.
    if (this.state.message?.sticky && !sticky) return;
    this.state.message = { text, style, atMs: this.clock(), ...(sticky ? { sticky } : {}) };
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
    if (this.state.message?.sticky) this.state.message = null;
  }

  /** Read the open worker popup's Python stacks (a live target's only: a replay has no process to ask). */
  private readStack(): void {
    const ov = this.state.overlay;
    const reader = this.settings.stacks;
    const m = this.current;
    if (ov?.kind !== 'detail' || reader === undefined || m === undefined || this.settings.replay) return;
    const snap = m.latest()?.snapshot;
    const w = snap?.kind === 'instance' ? snap.doc.workers.find((x) => x.slot === ov.slot) : undefined;
    if (w === undefined || w.id <= 0 || w.pid <= 0) return;
    const workerId = w.id;
    ov.stack = { workerId, state: 'reading' };
    const settle = (outcome: StackOutcome): void => {
      // The popup may have been closed or moved to another worker meanwhile.
      if (this.state.overlay !== ov || ov.stack?.workerId !== workerId) return;
      ov.stack = { workerId, state: 'done', atMs: this.clock(), ...outcome };
      this.schedule(true);
    };
    reader.read(m.target, workerId).then(settle, (err: unknown) => settle({ kind: 'error', message: err instanceof Error ? err.message : String(err) }));
  }

  /** `r`: read every target now; a target waiting to retry is tried at once. */
  private refreshNow(): void {
    for (const m of this.monitors) m.refresh();
    this.say(this.monitors.length > 1 ? 'reading every target now' : 'reading now');
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
    // Ctrl-Z suspends from anywhere (a popup, a prompt), as in top, less and vim.
    if (bindingFor(name, 'main')?.action === 'suspend') return this.suspend();
    const s = this.state;
    if (s.prompt) return this.onPromptKey(ch, key, name);
    if (s.overlay) {
      const popup = bindingFor(name, 'popup');
      if (popup) return nav.popupAction(s, this.lastFrame, popup.action);
      // Switching view or target closes the popup; every other key keeps its meaning.
      const main = bindingFor(name, 'main');
      if (main && ['view', 'next-view', 'prev-view', 'next-target', 'prev-target'].includes(main.action)) s.overlay = null;
      else if (main?.action === 'open') {
        // Enter closes a text popup; in a worker popup it reads the worker's Python stacks again (Esc closes).
        if (s.overlay.kind !== 'detail') s.overlay = null;
        else this.readStack();
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
      case 'suspend': return this.suspend();
      case 'help': s.overlay = { kind: 'help', scroll: 0 }; return;
      case 'cancel':
        if (s.message?.sticky) {
          s.message = null;
          return;
        }
        if (tableState(s, s.view).filter) {
          tableState(s, s.view).filter = '';
          this.say('filter cleared');
        }
        return;
      case 'redraw': this.screen.realloc(); return;
      case 'freeze': return this.toggleFreeze();
      case 'slower': return this.sayIf(changeInterval(s, this.monitors, this.current, 1));
      case 'faster': return this.sayIf(changeInterval(s, this.monitors, this.current, -1));
      case 'fast': return this.sayIf(toggleFast(s, this.monitors, this.current));
      case 'refresh': return this.refreshNow();
      case 'cores': return this.say(nav.cycleCores(s, this.kind()));
      case 'next-view': return nav.cycleView(s, this.kind(), 1);
      case 'prev-view': return nav.cycleView(s, this.kind(), -1);
      case 'view': return this.sayIf(nav.selectViewKey(s, this.kind(), ch));
      case 'next-target': return this.sayIf(nav.switchTarget(s, this.monitors.length, s.targetIndex + 1));
      case 'prev-target': return this.sayIf(nav.switchTarget(s, this.monitors.length, s.targetIndex - 1));
      case 'filter': s.prompt = { kind: 'filter', text: tableState(s, s.view).filter, before: tableState(s, s.view).filter }; return;
      case 'sort-next': return nav.cycleSort(s, this.lastFrame, 1);
      case 'sort-prev': return nav.cycleSort(s, this.lastFrame, -1);
      case 'reverse': return nav.reverseSort(s);
      case 'up': return nav.moveSelection(s, this.lastFrame, -1);
      case 'down': return nav.moveSelection(s, this.lastFrame, 1);
      case 'page-up': return nav.moveSelection(s, this.lastFrame, -(this.lastFrame?.pageRows ?? 1));
      case 'page-down': return nav.moveSelection(s, this.lastFrame, this.lastFrame?.pageRows ?? 1);
      case 'home': return nav.moveSelection(s, this.lastFrame, -Infinity);
      case 'end': return nav.moveSelection(s, this.lastFrame, Infinity);
      case 'open':
        nav.openSelected(s, this.lastFrame, this.targetViews()[s.targetIndex]?.events ?? []);
        return this.readStack();
      case 'message': return this.showLastMessage();
      case 'control': return this.commands.open(this.current?.target);
      case 'vars': return this.sayIf(nav.openVariables(s, this.lastFrame));
      case 'close':
        return;
    }
  }

  private onPromptKey(ch: string | undefined, key: Key, name: string): void {
    const s = this.state;
    const p = s.prompt!;
    if (p.kind === 'jump') {
      const end = editText(p, ch, key, name, JUMP_CHARS);
      if (end !== null) s.prompt = null;
      if (end === 'enter' && p.text.trim() !== '' && this.settings.replay) this.say(safeText(this.settings.replay.jump(p.text), 160));
      return;
    }
    if (p.kind === 'filter') {
      const ts = tableState(s, s.view);
      const end = editText(p, ch, key, name, FILTER_CHARS);
      if (end !== null) s.prompt = null;
      if (end === 'escape') ts.filter = '';
      if (s.prompt) ts.filter = p.text;
      ts.selectedIndex = 0;
      ts.scrollTop = 0;
      return;
    }
    s.prompt = null;
    if (p.kind === 'confirm') this.commands.answer(p, ch);
    else this.commands.byte(p, ch, name);
  }

  /** Ctrl-Z: the normal screen, the cursor and cooked mode back, then the caller stops the process. */
  private suspend(): void {
    if (this.suspended) return;
    if (this.emitter.listenerCount('suspend') === 0) {
      this.say('Ctrl-Z: this dashboard cannot be suspended here', 'warn');
      return;
    }
    // Not blessed's own pause(): it silences the output before its buffered escapes (leave the alternate
    // screen, show the cursor) are flushed, so the shell came back on our screen with no cursor.
    const program = this.screen.program as unknown as TerminalProgram;
    const input = program.input as { setRawMode?: (raw: boolean) => void; pause(): void; resume(): void };
    const wasAlt = program.isAlt === true;
    const cursorHidden = program.cursorHidden === true;
    if (wasAlt) program.normalBuffer();
    program.showCursor();
    program.flush();
    input.setRawMode?.(false);
    input.pause();
    this.suspended = true;
    const resume = (): void => {
      if (!this.suspended) return;
      this.suspended = false;
      if (this.finished) return;
      input.setRawMode?.(true);
      input.resume();
      if (wasAlt) program.alternateBuffer();
      if (cursorHidden) program.hideCursor();
      // The shell drew over our screen: every cell again.
      this.screen.realloc();
      this.schedule(true);
    };
    const refuse = (why: string): void => {
      resume();
      this.say(`Ctrl-Z: ${why}`, 'warn');
      this.schedule(true);
    };
    this.emitter.emit('suspend', resume, refuse);
  }

  private toggleFreeze(): void {
    const s = this.state;
    if (s.frozenAtMs !== null) {
      s.frozenAtMs = null;
      this.frozen.thaw();
      this.say('display live again');
      return;
    }
    // Copy what is on screen now; polling (and the event log) goes on underneath.
    this.frozen.freeze(this.monitors);
    s.frozenAtMs = this.clock();
    this.say('frozen (polling goes on): z resumes');
  }

  private kind(): 'instance' | 'emperor' | 'router' | null {
    const m = this.current;
    const shown = m ? (this.state.frozenAtMs !== null ? this.frozen.of(m.target)?.update : m.latest()) : null;
    return shown?.snapshot?.kind ?? null;
  }
}
