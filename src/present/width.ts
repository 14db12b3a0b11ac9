/**
 * Measuring, cutting and padding already-safe text in terminal cells (charCells: blessed's table without
 * blessed), for every output that lines text up: the dashboard's model, the text reports, the detail views.
 */
import { charCells } from './cells.js';

/** Terminal cells taken by `text` (already made safe: no control characters). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charCells(ch);
  return width;
}

/** Cut `text` to at most `width` cells, ending with an ellipsis when something was cut. */
export function cutToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charCells(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

/** Cut or pad `text` to exactly `width` cells, aligned left or right. */
export function fitCell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const cut = cutToWidth(text, width);
  const pad = width - displayWidth(cut);
  if (pad <= 0) return cut;
  return align === 'right' ? ' '.repeat(pad) + cut : cut + ' '.repeat(pad);
}

/** Greedy word wrap of `text` into at most `max` lines of `width` cells (the last one may be cut later). */
export function wrapWords(text: string, width: number, max = Infinity): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur !== '' && displayWidth(cur) + 1 + displayWidth(word) > width && out.length < max - 1) {
      out.push(cur);
      cur = word;
    } else {
      cur = cur === '' ? word : `${cur} ${word}`;
    }
  }
  out.push(cur);
  return out;
}

/**
 * Shorten (already safe) text to `max` characters keeping what tells it apart, its end: the port of
 * `http://127.0.0.1:2301`, the file name of `/tmp/x/stats.sock` (`/tmp…/stats.sock`).
 */
export function cutMiddle(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const keep = Math.max(1, max - 1);
  const sep = Math.max(text.lastIndexOf(':'), text.lastIndexOf('/'));
  const tailLen = sep >= 0 ? Array.from(text.slice(sep)).length : 0;
  // The whole last part (":2301", "/stats.sock") when it leaves a character of the start, else two thirds of the room.
  // Too long a last part: its own end ("…s3.sock"), which still tells two sockets of one directory apart.
  const tail = tailLen > 0 && tailLen < keep ? tailLen : keep;
  return chars.slice(0, keep - tail).join('') + '…' + chars.slice(chars.length - tail).join('');
}

/**
 * cutMiddle, but keeping `keep` (a part of `text` that tells it from other targets' names) and what follows
 * it: `/tmp/x/srv/shop/run/stats.sock` cut to 26 with `/shop` is `/tmp/x/sr…/shop/run/stats.sock`.
 */
export function cutKeeping(text: string, keep: string | null, max: number): string {
  const at = keep === null ? -1 : text.lastIndexOf(keep);
  if (at <= 0 || Array.from(text).length <= max) return cutMiddle(text, max);
  const tail = text.slice(at);
  const room = max - Array.from(tail).length - 1;
  if (room < 1) return cutMiddle(tail, max);
  return Array.from(text.slice(0, at)).slice(0, room).join('') + '…' + tail;
}
