/**
 * Creating the blessed screen on injected streams, with this machine's terminal pitfalls handled: terminfo
 * compile errors that blessed prints to stderr (they would land on the screen), ACS line drawing that comes
 * out as `lqqk` inside tmux, and double-width characters.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { asciiChar } from './ascii.js';

export interface ScreenIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

type Cell = [number, string];
type Row = Cell[] & { dirty?: boolean };

/** Whether a cell holds a character two cells wide (blessed's own table). */
function isWide(ch: string): boolean {
  return (blessed as unknown as { unicode: { charWidth(s: string, i?: number): number } }).unicode.charWidth(ch, 0) === 2;
}

/**
 * Make every cell blessed is about to draw ASCII (see ascii.ts): one chokepoint for the views' symbols,
 * the popups' borders and the charts' braille dots. A wide character becomes two '?', its two cells.
 */
function drawAscii(screen: Widgets.Screen): void {
  const target = screen as unknown as { lines: Row[]; draw(start: number, end: number): void };
  const draw = target.draw.bind(target);
  target.draw = (start: number, end: number): void => {
    for (let y = start; y <= end; y++) {
      const row = target.lines[y];
      if (row === undefined || row.dirty === false) continue;
      for (let x = 0; x < row.length; x++) {
        const ch = row[x]![1];
        if (ch.length === 1 && ch.charCodeAt(0) < 0x7f) continue;
        if (isWide(ch)) {
          row[x]![1] = '?';
          if (x + 1 < row.length) row[++x]![1] = '?';
        } else {
          row[x]![1] = asciiChar(ch);
        }
      }
    }
    draw(start, end);
  };
}

/** Create a full-screen blessed screen on the given streams (alternate screen, raw keys, hidden cursor). */
export function createScreen(io: ScreenIO, ascii = false): Widgets.Screen {
  // blessed reports terminfo compile errors with console.error while the screen is built: silence it for
  // exactly that synchronous window so nothing is written under the dashboard.
  const originalError = console.error;
  console.error = (): void => {};
  let screen: Widgets.Screen;
  try {
    screen = blessed.screen({
      // @types/blessed has these two stream types swapped.
      input: io.input as unknown as Widgets.IScreenOptions['input'],
      output: io.output as unknown as Widgets.IScreenOptions['output'],
      terminal: io.env['TERM'] || 'xterm',
      fullUnicode: true,
      forceUnicode: true,
      smartCSR: true,
      warnings: false,
      autoPadding: false,
    });
  } finally {
    console.error = originalError;
  }
  // Draw lines with Unicode box characters, never the ACS alternate charset (broken inside tmux here).
  (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  // blessed emits 'warning' when it falls back on its own terminfo tables: expected with ncurses 6.4.
  screen.on('warning', () => {});
  if (ascii) drawAscii(screen);
  return screen;
}
