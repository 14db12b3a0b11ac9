/**
 * Styled lines to the terminal's own SGR escapes, which blessed reads from a box's content without a tag
 * parser. Segment text is already free of control characters, so it cannot add escapes of its own, and
 * braces need no escaping. One escape opens each run of segments of the same style: blessed parses every
 * escape of the content on every render, so fewer escapes are a cheaper frame.
 */
import type { Line, Style } from '../model/line.js';

// SGR parameters per style (30-37 foreground, 40-47 background, 1 bold, 4 underline, 7 inverse), the same
// attributes blessed's tags {black-fg}, {green-bg}, {bold}... stand for.
const COLOR: Record<Style, string> = {
  normal: '',
  title: '1;36',
  header: '30;42',
  selected: '30;46',
  tab: '37;44',
  tabActive: '30;46;1',
  status: '30;47',
  prompt: '37;41;1',
  busy: '32;1',
  pause: '33',
  cheap: '34',
  sig: '35',
  ok: '32',
  warn: '33;1',
  error: '31;1',
  dim: '36',
  bold: '1',
  key: '36;1',
};

// Without colour only attributes remain (bold, underline, inverse), which NO_COLOR allows.
const MONO: Record<Style, string> = {
  normal: '',
  title: '1',
  header: '1;4',
  selected: '7',
  tab: '',
  tabActive: '7;1',
  status: '7',
  prompt: '7;1',
  busy: '1',
  pause: '4',
  cheap: '',
  sig: '4',
  ok: '',
  warn: '1',
  error: '1;4',
  dim: '',
  bold: '1',
  key: '1',
};

/** One styled line as text with SGR escapes (for a box without tags). */
export function lineToSgr(line: Line, color: boolean): string {
  const table = color ? COLOR : MONO;
  let out = '';
  let open = '';
  for (const seg of line) {
    if (seg.text === '') continue;
    const params = table[seg.style ?? 'normal'];
    if (params !== open) {
      if (open !== '') out += '\u001b[m';
      if (params !== '') out += `\u001b[${params}m`;
      open = params;
    }
    out += seg.text;
  }
  return open === '' ? out : `${out}\u001b[m`;
}
