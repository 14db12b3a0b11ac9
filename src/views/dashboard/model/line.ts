/**
 * Styled text lines: what the view model hands to the renderer. Segment text is always already safe for a
 * terminal (document strings went through safeText); styles are names the renderer maps to colours or, with
 * colour off, to bold/inverse only.
 */
import { cutToWidth, displayWidth } from '../../../present/width.js';

export type { Line, Segment, Style } from '../../../present/columns/spec.js';
import type { Line, Segment, Style } from '../../../present/columns/spec.js';

/** A one-segment line. */
export function line(text: string, style?: Style): Line {
  return [{ text, style }];
}

/** Width in cells of a whole line. */
export function lineWidth(l: Line): number {
  let w = 0;
  for (const s of l) w += displayWidth(s.text);
  return w;
}

/** Plain text of a line (tests, filters). */
export function lineText(l: Line): string {
  return l.map((s) => s.text).join('');
}

/** Cut a line to `width` cells (ellipsis on the cut segment) and pad it with spaces to exactly `width`. */
export function fitLine(l: Line, width: number, padStyle?: Style): Line {
  const out: Line = [];
  let used = 0;
  for (const seg of l) {
    if (used >= width) break;
    const w = displayWidth(seg.text);
    if (used + w <= width) {
      out.push(seg);
      used += w;
    } else {
      const cut = cutToWidth(seg.text, width - used);
      out.push({ text: cut, style: seg.style });
      used += displayWidth(cut);
      break;
    }
  }
  if (used < width) out.push({ text: ' '.repeat(width - used), style: padStyle ?? out[out.length - 1]?.style });
  return out;
}

/** Put `right` at the right edge of `width` cells after `left`, cutting `left` first when both do not fit. */
export function spread(left: Line, right: Line, width: number, padStyle?: Style): Line {
  const rw = lineWidth(right);
  if (rw >= width) return fitLine(right, width, padStyle);
  const leftFit = lineWidth(left) > width - rw - 1 ? fitLine(left, Math.max(0, width - rw - 1), padStyle) : left;
  const gap = width - rw - lineWidth(leftFit);
  return [...leftFit, { text: ' '.repeat(Math.max(0, gap)), style: padStyle }, ...right];
}
