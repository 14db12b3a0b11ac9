/**
 * The one keymap: every key of the dashboard, the action it runs, its line in the help (`?`) and its hint on
 * the status line. Dispatch, help and hints all read this table, so they cannot drift apart.
 *
 * uwsgitop's habits keep their meaning (`q` quit, `a` cycle the per-core view, `f` fast refresh). Nothing
 * that writes to a master FIFO sits on a key of its own: control goes through `!` (or htop's F9, its "send
 * a signal" key) followed by uWSGI's own FIFO byte, and is confirmed before anything is written.
 */
import { openHelp, VIEW_KEYS, viewKeysHelp } from './model/view-registry.js';

export type Action =
  | 'quit' | 'suspend' | 'help' | 'cancel' | 'redraw' | 'freeze' | 'slower' | 'faster' | 'fast' | 'refresh' | 'cores'
  | 'next-view' | 'prev-view' | 'view' | 'next-target' | 'prev-target'
  | 'filter' | 'sort-next' | 'sort-prev' | 'reverse'
  | 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end' | 'open' | 'message' | 'control'
  // In a popup.
  | 'close' | 'vars'
  // In `uwsgitop-ts replay`.
  | 'play' | 'speed-up' | 'speed-down' | 'step-forward' | 'step-back' | 'jump' | 'next-event' | 'next-respawn' | 'next-queue' | 'next-down';

export type Section = 'Moving around' | 'Views' | 'Tables' | 'Display' | 'Control (master FIFO; needs --fifo ADDR=PATH or --ini)' | 'In a popup' | 'Replay (uwsgitop-ts replay)';

export interface Binding {
  action: Action;
  /** The key names that run it (blessed's names: 'enter', 'C-l', 'pageup'; printable keys as themselves). */
  keys: readonly string[];
  /** How the help writes the keys. */
  label: string;
  help: string;
  section: Section;
  /** The short form on the status line ([key, what]); absent: never hinted. */
  hint?: readonly [string, string];
  /** Bound in popups (scope 'popup'), on the main screen, or in a replay (before the main screen's keys). */
  scope: 'main' | 'popup' | 'replay';
}


/** Every key binding, in the order the help lists them. */
export const KEYMAP: readonly Binding[] = [
  { action: 'up', keys: ['up', 'k'], label: '↑ ↓  k j', help: 'select the previous/next row', section: 'Moving around', scope: 'main' },
  { action: 'down', keys: ['down', 'j'], label: '', help: '', section: 'Moving around', scope: 'main' },
  { action: 'page-up', keys: ['pageup', 'C-b'], label: 'PgUp PgDn', help: 'one page up/down (also Ctrl-B Ctrl-F)', section: 'Moving around', scope: 'main' },
  { action: 'page-down', keys: ['pagedown', 'C-f'], label: '', help: '', section: 'Moving around', scope: 'main' },
  { action: 'home', keys: ['home', 'g'], label: 'Home End  g G', help: 'first/last row', section: 'Moving around', scope: 'main' },
  { action: 'end', keys: ['end', 'G'], label: '', help: '', section: 'Moving around', scope: 'main' },
  {
    action: 'open', keys: ['enter'], label: 'Enter', section: 'Moving around', scope: 'main', hint: ['Enter', 'open'],
    help: `open the selected row: ${openHelp()}`,
  },
  { action: 'vars', keys: ['v'], label: 'v', help: 'open the selected worker or request with every request variable shown (Workers, Requests)', section: 'Moving around', scope: 'main', hint: ['v', 'variables'] },
  { action: 'message', keys: ['m'], label: 'm', help: 'show the last message of the status line whole (a command\'s full result)', section: 'Moving around', scope: 'main' },
  { action: 'cancel', keys: ['escape'], label: 'Esc', help: 'cancel the prompt / clear the filter', section: 'Moving around', scope: 'main' },

  {
    action: 'view', keys: [...VIEW_KEYS], label: '1 … 9, 0', section: 'Views', scope: 'main',
    help: viewKeysHelp(),
  },
  { action: 'next-view', keys: ['tab'], label: 'Tab  Shift-Tab', help: 'next/previous view', section: 'Views', scope: 'main', hint: ['Tab', 'next view'] },
  { action: 'prev-view', keys: ['S-tab'], label: '', help: '', section: 'Views', scope: 'main' },
  { action: 'next-target', keys: [']'], label: '] [', help: 'next/previous target (several addresses)', section: 'Views', scope: 'main' },
  { action: 'prev-target', keys: ['['], label: '', help: '', section: 'Views', scope: 'main' },
  { action: 'cores', keys: ['a'], label: 'a', help: 'cycle the per-core view of the workers (as uwsgitop): workers only, one row per core, cores under their worker', section: 'Views', scope: 'main', hint: ['a', 'cores'] },

  { action: 'sort-next', keys: ['>', '.', 's'], label: '> <  . ,  s S', help: 'sort by the next/previous column', section: 'Tables', scope: 'main', hint: ['<>', 'sort'] },
  { action: 'sort-prev', keys: ['<', ',', 'S'], label: '', help: '', section: 'Tables', scope: 'main' },
  { action: 'reverse', keys: ['I'], label: 'I', help: 'reverse the sort order (as htop)', section: 'Tables', scope: 'main' },
  { action: 'filter', keys: ['/'], label: '/', help: 'filter the rows of the current table (Enter keeps it, Esc clears it)', section: 'Tables', scope: 'main', hint: ['/', 'filter'] },

  { action: 'refresh', keys: ['r'], label: 'r', help: 'read every target now (also ends the wait before a retry)', section: 'Display', scope: 'main' },
  { action: 'fast', keys: ['f'], label: 'f', help: 'fast refresh on/off (as uwsgitop): poll every 0.25 s', section: 'Display', scope: 'main' },
  { action: 'freeze', keys: ['z', 'space'], label: 'z  Space', help: 'freeze/unfreeze the display (polling goes on)', section: 'Display', scope: 'main', hint: ['z', 'freeze'] },
  { action: 'slower', keys: ['+'], label: '+ -', help: 'poll slower/faster (interval)', section: 'Display', scope: 'main', hint: ['+-', 'interval'] },
  { action: 'faster', keys: ['-'], label: '', help: '', section: 'Display', scope: 'main' },
  { action: 'redraw', keys: ['C-l'], label: 'Ctrl-L', help: 'redraw the whole screen', section: 'Display', scope: 'main' },
  { action: 'help', keys: ['?', 'h', 'f1'], label: '? h F1', help: 'this help', section: 'Display', scope: 'main', hint: ['?', 'help'] },
  { action: 'quit', keys: ['q', 'C-c'], label: 'q  Ctrl-C', help: 'quit, from a popup too (as top and htop; Esc closes a popup)', section: 'Display', scope: 'main', hint: ['q', 'quit'] },
  { action: 'suspend', keys: ['C-z'], label: 'Ctrl-Z', help: 'suspend to the shell, the terminal restored (fg comes back, as in top)', section: 'Display', scope: 'main' },

  {
    action: 'control', keys: ['!', 'f9'], label: '!  F9', section: 'Control (master FIFO; needs --fifo ADDR=PATH or --ini)', scope: 'main', hint: ['!', 'control'],
    help: 'control the target: then the master FIFO byte (c chain reload, w reload workers, p pause/resume, + - one more/less worker, r reload, q shutdown, R W Q C brutal ones...); '
      + 'a line naming the target and the FIFO asks y/N before anything is written (--no-confirm skips it); at the y/N of a chain reload, k runs it with a canary first (one worker, held --settle seconds, then the rest); a failed command stays on the status line until m or Esc',
  },

  { action: 'close', keys: ['escape', 'backspace'], label: 'Esc', help: 'close the popup (q quits)', section: 'In a popup', scope: 'popup', hint: ['Esc', 'close'] },
  { action: 'up', keys: ['up', 'k'], label: '↑ ↓  j k', help: 'scroll', section: 'In a popup', scope: 'popup', hint: ['↑↓ PgUp PgDn', 'scroll'] },
  { action: 'down', keys: ['down', 'j'], label: '', help: '', section: 'In a popup', scope: 'popup' },
  { action: 'page-up', keys: ['pageup'], label: 'PgUp PgDn Space', help: 'scroll a page', section: 'In a popup', scope: 'popup' },
  { action: 'page-down', keys: ['pagedown', 'space'], label: '', help: '', section: 'In a popup', scope: 'popup' },
  { action: 'home', keys: ['home', 'g'], label: 'Home End  g G', help: 'top/bottom', section: 'In a popup', scope: 'popup' },
  { action: 'end', keys: ['end', 'G'], label: '', help: '', section: 'In a popup', scope: 'popup' },
  { action: 'vars', keys: ['v'], label: 'v', help: 'in a worker popup: show/hide every request variable', section: 'In a popup', scope: 'popup', hint: ['v', 'variables'] },

  { action: 'play', keys: ['space', 'z'], label: 'Space  z', help: 'play/pause the recording', section: 'Replay (uwsgitop-ts replay)', scope: 'replay', hint: ['Space', 'play'] },
  { action: 'speed-up', keys: ['+'], label: '+ -', help: 'faster/slower: 1x 2x 5x 10x 20x 50x 100x', section: 'Replay (uwsgitop-ts replay)', scope: 'replay', hint: ['+-', 'speed'] },
  { action: 'speed-down', keys: ['-'], label: '', help: '', section: 'Replay (uwsgitop-ts replay)', scope: 'replay' },
  { action: 'step-forward', keys: ['right'], label: '→ ←', help: 'one recorded poll forward/back', section: 'Replay (uwsgitop-ts replay)', scope: 'replay', hint: ['←→', 'step'] },
  { action: 'step-back', keys: ['left'], label: '', help: '', section: 'Replay (uwsgitop-ts replay)', scope: 'replay' },
  { action: 'jump', keys: ['t'], label: 't', help: 'jump to a time: 2026-12-01T03:12:00Z, 03:12:05 (local), +90s, -5m', section: 'Replay (uwsgitop-ts replay)', scope: 'replay', hint: ['t', 'time'] },
  { action: 'next-event', keys: ['e'], label: 'e', help: 'play to the next event of any kind', section: 'Replay (uwsgitop-ts replay)', scope: 'replay', hint: ['e', 'next event'] },
  { action: 'next-respawn', keys: ['R'], label: 'R', help: 'play to the next respawn (worker, reload, chain reload step, vassal)', section: 'Replay (uwsgitop-ts replay)', scope: 'replay' },
  { action: 'next-queue', keys: ['Q'], label: 'Q', help: 'play to the next listen queue above its threshold', section: 'Replay (uwsgitop-ts replay)', scope: 'replay' },
  { action: 'next-down', keys: ['D'], label: 'D', help: 'play to the next time a target went down', section: 'Replay (uwsgitop-ts replay)', scope: 'replay' },
];

function index(scope: Binding['scope']): Map<string, Binding> {
  const out = new Map<string, Binding>();
  for (const b of KEYMAP) {
    if (b.scope !== scope) continue;
    for (const k of b.keys) {
      if (out.has(k)) throw new Error(`key ${k} bound twice in the ${scope} keymap`);
      out.set(k, b);
    }
  }
  return out;
}

const MAIN = index('main');
const POPUP = index('popup');
const REPLAY = index('replay');

/** The binding of a key name on the main screen, in a popup or in a replay, if any. */
export function bindingFor(name: string, scope: Binding['scope']): Binding | undefined {
  return (scope === 'popup' ? POPUP : scope === 'replay' ? REPLAY : MAIN).get(name);
}

/** The binding of an action (main screen first). */
export function bindingOf(action: Action, scope: Binding['scope'] = 'main'): Binding {
  const b = KEYMAP.find((x) => x.action === action && x.scope === scope) ?? KEYMAP.find((x) => x.action === action);
  if (!b) throw new Error(`no key for ${action}`);
  return b;
}

/** The status-line hint of an action, with its text replaced where the place gives it a better word. */
export function hintOf(action: Action, what?: string, scope: Binding['scope'] = 'main'): readonly [string, string] {
  const b = bindingOf(action, scope);
  const h = b.hint ?? [b.label, b.help];
  return what === undefined ? h : [h[0], what];
}

const SECTIONS: readonly Section[] = ['Moving around', 'Views', 'Tables', 'Display', 'Control (master FIFO; needs --fifo ADDR=PATH or --ini)', 'In a popup', 'Replay (uwsgitop-ts replay)'];

/** The bindings the help lists (a pair such as ↑ ↓ is one line, on its first binding), by section. */
function listed(): Array<[Section, Binding[]]> {
  return SECTIONS.map((s) => [s, KEYMAP.filter((b) => b.section === s && b.label !== '')]);
}

/** README's key table: every key from this table (a test keeps README equal to it). */
export function keysMarkdown(): string {
  const out = ['| keys | what |', '| --- | --- |'];
  for (const [section, bindings] of listed()) {
    out.push(`| **${section}** | |`);
    for (const b of bindings) out.push(`| \`${b.label.replace(/\|/g, '\\|')}\` | ${b.help.replace(/\|/g, '\\|').replace(/\u00a0/g, ' ')} |`);
  }
  return `${out.join('\n')}\n`;
}

/** The keys part of `--help`: one line a key, from this table. */
export function keysHelpText(): string {
  const out: string[] = ['Keys (the dashboard; ? lists them too):'];
  for (const [section, bindings] of listed()) {
    out.push(`  ${section}`);
    for (const b of bindings) out.push(`    ${b.label.padEnd(16)} ${b.help.replace(/\u00a0/g, ' ')}`);
  }
  return out.join('\n');
}
