/** What the user has chosen on screen: target, view, per-view table state, popups, prompts, freeze. */
import type { FifoCommand } from '../../../fifo/commands.js';
import type { Style } from './line.js';
import { newTableState, type TableState } from './table.js';
import type { ViewId } from './view-registry.js';
import type { StackView } from '../stack.js';

export type Overlay =
  | { kind: 'detail'; slot: number; scroll: number; showVars: boolean; stack?: StackView }
  | { kind: 'help'; scroll: number }
  /** A text shown whole (an event, the last command's result), wrapped to the popup. */
  | { kind: 'text'; title: string; text: string; scroll: number };

export type { CoreMode } from '../../../present/columns/workers.js';
import type { CoreMode } from '../../../present/columns/workers.js';

export type Prompt =
  | { kind: 'filter'; text: string; before: string }
  | { kind: 'confirm'; command: FifoCommand; target: string; fifoPath: string }
  | { kind: 'command'; target: string }
  | { kind: 'jump'; text: string };

/** Where a replay stands: shown on every frame so that a replay is never taken for live data. */
export interface ReplayMark {
  atMs: number;
  playing: boolean;
  speed: number;
  atEnd: boolean;
}

export interface Message {
  text: string;
  style: Style;
  atMs: number;
  /** Stays on the status line until read (`m`) or dismissed (Esc): a failed reload must not scroll away. */
  sticky?: boolean;
}

export interface UiState {
  targetIndex: number;
  view: ViewId;
  tables: Map<ViewId, TableState>;
  overlay: Overlay | null;
  prompt: Prompt | null;
  /** Wall clock when the display was frozen, null while live. */
  frozenAtMs: number | null;
  message: Message | null;
  /** The last message, kept after it leaves the status line (`m` shows it whole). */
  lastMessage: Message | null;
  coreMode: CoreMode;
  /** The poll interval before `f` turned fast refresh on; null when it is off. */
  fastFromMs: number | null;
  /** Set in `uwsgitop-ts replay`: the recorded time on screen and the player's state. */
  replay?: ReplayMark | null;
}

/** The state a dashboard starts with: first target, workers view, nothing open. */
export function initialState(): UiState {
  return { targetIndex: 0, view: 'workers', tables: new Map(), overlay: null, prompt: null, frozenAtMs: null, message: null, lastMessage: null, coreMode: 'off', fastFromMs: null };
}

/** The table state of a view, created on first use. */
export function tableState(state: UiState, view: ViewId): TableState {
  let t = state.tables.get(view);
  if (!t) {
    t = newTableState();
    // The event log reads best newest first, which is the TIME column's default direction.
    state.tables.set(view, t);
  }
  return t;
}
