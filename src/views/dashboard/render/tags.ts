/**
 * Styled lines to blessed tag markup. Segment text is already free of control characters; here `{` and `}`
 * are escaped too, so a URI holding `{red-fg}` is shown as typed, never interpreted.
 */
import type { Line, Style } from '../model/line.js';

type Tags = readonly [open: string, close: string];

const COLOR: Record<Style, Tags> = {
  normal: ['', ''],
  title: ['{bold}{cyan-fg}', '{/}'],
  header: ['{black-fg}{green-bg}', '{/}'],
  selected: ['{black-fg}{cyan-bg}', '{/}'],
  tab: ['{white-fg}{blue-bg}', '{/}'],
  tabActive: ['{black-fg}{cyan-bg}{bold}', '{/}'],
  status: ['{black-fg}{white-bg}', '{/}'],
  prompt: ['{white-fg}{red-bg}{bold}', '{/}'],
  busy: ['{green-fg}{bold}', '{/}'],
  pause: ['{yellow-fg}', '{/}'],
  cheap: ['{blue-fg}', '{/}'],
  sig: ['{magenta-fg}', '{/}'],
  ok: ['{green-fg}', '{/}'],
  warn: ['{yellow-fg}{bold}', '{/}'],
  error: ['{red-fg}{bold}', '{/}'],
  dim: ['{cyan-fg}', '{/}'],
  bold: ['{bold}', '{/}'],
  key: ['{cyan-fg}{bold}', '{/}'],
};

// Without colour only attributes remain (bold, underline, inverse), which NO_COLOR allows.
const MONO: Record<Style, Tags> = {
  normal: ['', ''],
  title: ['{bold}', '{/}'],
  header: ['{bold}{underline}', '{/}'],
  selected: ['{inverse}', '{/}'],
  tab: ['', ''],
  tabActive: ['{inverse}{bold}', '{/}'],
  status: ['{inverse}', '{/}'],
  prompt: ['{inverse}{bold}', '{/}'],
  busy: ['{bold}', '{/}'],
  pause: ['{underline}', '{/}'],
  cheap: ['', ''],
  sig: ['{underline}', '{/}'],
  ok: ['', ''],
  warn: ['{bold}', '{/}'],
  error: ['{bold}{underline}', '{/}'],
  dim: ['', ''],
  bold: ['{bold}', '{/}'],
  key: ['{bold}', '{/}'],
};

/** Escape blessed's tag braces in text that is not ours to interpret. */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (ch) => (ch === '{' ? '{open}' : '{close}'));
}

/** One styled line as blessed markup. */
export function lineToTags(line: Line, color: boolean): string {
  const table = color ? COLOR : MONO;
  let out = '';
  for (const seg of line) {
    const [open, close] = table[seg.style ?? 'normal'];
    out += open + escapeTags(seg.text) + close;
  }
  return out;
}
