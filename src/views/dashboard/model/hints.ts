/**
 * The key hints on the status line: only keys that do something where the user is (a popup, a view without
 * rows, a view whose Enter does nothing), most useful first, as many as fit.
 */
import type { Overlay } from './state.js';
import type { ViewId } from './views.js';

export type Hint = [key: string, what: string];

/** The hints for the current place, in order of importance. */
export function keyHints(view: ViewId, overlay: Overlay | null, control: boolean, instance: boolean): Hint[] {
  if (overlay?.kind === 'help') return [['Esc', 'close'], ['↑↓ PgUp PgDn', 'scroll'], ['q', 'close']];
  if (overlay?.kind === 'detail') return [['Esc', 'close'], ['v', overlay.showVars ? 'hide variables' : 'show variables'], ['↑↓ PgUp PgDn', 'scroll']];
  const out: Hint[] = [['?', 'help'], ['q', 'quit']];
  if (view === 'graphs') {
    out.push(['Tab', 'next view'], ['+-', 'interval'], ['z', 'freeze']);
  } else {
    if (view === 'workers') out.push(['Enter', 'detail']);
    if (view === 'requests') out.push(['Enter', 'worker']);
    if (view === 'fleet') out.push(['Enter', 'go to target']);
    out.push(['/', 'filter'], ['<>', 'sort'], ['z', 'freeze']);
  }
  if (control && instance) out.push(['c', 'chain reload']);
  if (control) out.push(['!', 'FIFO command']);
  return out;
}

/** As many hints as fit in `width` cells (the first one always), as ` k:what k:what`. */
export function hintText(hints: readonly Hint[], width: number): string {
  let text = '';
  for (const [k, what] of hints) {
    const next = `${text} ${k}:${what}`;
    if (text !== '' && next.length > width) break;
    text = next;
  }
  return text;
}
