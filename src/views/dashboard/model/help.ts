/** The help popup: every key, grouped, generated from the keymap so the list and the keys cannot drift. */
import { KEYMAP, type Section } from '../keymap.js';
import { wrapWords } from '../../../present/width.js';
import { line, type Line } from './line.js';

/** The help's sections in order, each with its [keys, what] lines, from the keymap. */
export function keyHelp(): Array<[Section, Array<[string, string]>]> {
  const sections = new Map<Section, Array<[string, string]>>();
  for (const b of KEYMAP) {
    if (b.label === '') continue; // the second half of a pair the line above describes
    const list = sections.get(b.section) ?? [];
    list.push([b.label, b.help]);
    sections.set(b.section, list);
  }
  return [...sections];
}

/** The help lines for a popup `width` cells wide (descriptions wrap under themselves). */
export function helpLines(width: number): Line[] {
  const out: Line[] = [];
  const keyWidth = 16;
  const textWidth = Math.max(20, width - keyWidth - 1);
  for (const [section, keys] of keyHelp()) {
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
    + 'Colours off: --no-color or a non-empty NO_COLOR.';
  for (const part of wrapWords(notes, width)) {
    out.push(line(part, 'dim'));
  }
  return out;
}
