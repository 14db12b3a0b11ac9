/** The help popup: every key, grouped, generated from one table so the list and the keys cannot drift. */
import { wrapWords } from '../width.js';
import { line, type Line } from './line.js';

export const KEY_HELP: ReadonlyArray<[string, Array<[string, string]>]> = [
  ['Moving around', [
    ['↑ ↓  j k', 'select the previous/next row'],
    ['PgUp PgDn', 'one page up/down'],
    ['Home End  g G', 'first/last row'],
    ['Enter', 'open the selected worker (Workers, Requests), switch target (Fleet)'],
    ['Esc', 'close the popup / cancel the prompt / clear the filter'],
  ]],
  ['Views', [
    // No-break spaces keep each number with its view's name when the line wraps.
    ['1 … 9, 0', '1\u00a0Workers/Vassals/Nodes 2\u00a0Requests 3\u00a0Graphs 4\u00a0Caches 5\u00a0Sockets 6\u00a0Metrics 7\u00a0Legions 8\u00a0Tasks 9\u00a0Events 0\u00a0Fleet'],
    ['Tab  Shift-Tab', 'next/previous view'],
    ['] [', 'next/previous target (several addresses)'],
    ['v', 'in a worker popup: show/hide every request variable'],
  ]],
  ['Tables', [
    ['> <  . ,  s S', 'sort by the next/previous column'],
    ['I  r', 'reverse the sort order'],
    ['/', 'filter the rows of the current table (Enter keeps it, Esc clears it)'],
  ]],
  ['Display', [
    ['z  Space', 'freeze/unfreeze the display (polling goes on)'],
    ['+ -', 'poll slower/faster (interval)'],
    ['Ctrl-L', 'redraw the whole screen'],
    ['? h F1', 'this help'],
    ['q', 'quit (closes a popup first)'],
    ['Ctrl-C', 'quit'],
  ]],
  ['Control (master FIFO; needs --fifo ADDR=PATH or --ini)', [
    ['c', 'chain reload (one worker at a time)'],
    ['p', 'pause/resume the workers'],
    ['w', 'graceful reload of the workers'],
    ['a x', 'one more/one less worker (cheaper mode)'],
    ['R W', 'brutal reload of the instance/of the workers (asks first)'],
    ['Q', 'brutal shutdown (asks first)'],
    ['C', 'go cheap: stop all workers (asks first)'],
    ['!', 'send any master FIFO command (r reload, q shutdown, f fork, l/L logs...)'],
  ]],
];


/** The help lines for a popup `width` cells wide (descriptions wrap under themselves). */
export function helpLines(width: number): Line[] {
  const out: Line[] = [];
  const keyWidth = 16;
  const textWidth = Math.max(20, width - keyWidth - 1);
  for (const [section, keys] of KEY_HELP) {
    out.push(line(section, 'title'));
    for (const [k, what] of keys) {
      wrapWords(what, textWidth).forEach((part, i) => {
        out.push([{ text: ` ${(i === 0 ? k : '').padEnd(keyWidth - 1)}`, style: 'key' }, { text: part }]);
      });
    }
    out.push([]);
  }
  const notes = 'Under a table that leaves room, the main view also shows the oldest requests in flight and the recent events '
    + '(one line each when room is short; 2 and 9 list them all); in-flight ages count up between polls. Results of commands go to the event log (9). '
    + 'Colours off: --no-color or NO_COLOR.';
  for (const part of wrapWords(notes, width)) {
    out.push(line(part, 'dim'));
  }
  return out;
}
