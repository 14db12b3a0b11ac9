/**
 * Creating the blessed screen on injected streams, with this machine's terminal pitfalls handled: terminfo
 * compile errors that blessed prints to stderr (they would land on the screen), ACS line drawing that comes
 * out as `lqqk` inside tmux, and double-width characters.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';

export interface ScreenIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Create a full-screen blessed screen on the given streams (alternate screen, raw keys, hidden cursor). */
export function createScreen(io: ScreenIO): Widgets.Screen {
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
  return screen;
}
