/**
 * The key hints on the status line: only keys that do something where the user is (a popup, a view without
 * rows, a view whose Enter does nothing), most useful first, as many as fit. Keys and words come from the keymap,
 * each view's own (Enter's word, its extra keys) from its object in the view registry.
 */
import { hintOf } from '../keymap.js';
import type { Overlay } from './state.js';
import { viewOf, type ViewId } from './view-registry.js';

export type Hint = readonly [key: string, what: string];

/** The hints for the current place, in order of importance. */
export function keyHints(view: ViewId, overlay: Overlay | null, control: boolean, instance: boolean, replay = false): Hint[] {
  if (replay && overlay === null) {
    // A replay's own keys first: they are what a replay is for; the table keys follow where room is left.
    return [hintOf('help'), hintOf('quit'), hintOf('play', undefined, 'replay'), hintOf('speed-up', undefined, 'replay'), hintOf('step-forward', undefined, 'replay'),
      hintOf('jump', undefined, 'replay'), hintOf('next-event', undefined, 'replay'), hintOf('sort-next')];
  }
  if (overlay?.kind === 'detail') return [hintOf('close', undefined, 'popup'), hintOf('vars', overlay.showVars ? 'hide variables' : 'show variables', 'popup'), hintOf('up', undefined, 'popup')];
  if (overlay) return [hintOf('close', undefined, 'popup'), hintOf('up', undefined, 'popup')];
  const v = viewOf(view);
  const out: Hint[] = [hintOf('help'), hintOf('quit')];
  if (v.open !== undefined) out.push(hintOf('open', v.open.word));
  for (const action of v.hints?.lead ?? []) out.push(hintOf(action));
  // Control, where there is some, before the table keys: at 80 columns the end of the line is cut.
  if (control) out.push(hintOf('control'));
  if (v.draws === 'charts') return out;
  out.push(hintOf('filter'), hintOf('sort-next'), hintOf('freeze'));
  // The tail acts on an instance's rows (uwsgitop's `a`): nothing to act on until one is read.
  if (instance) for (const action of v.hints?.tail ?? []) out.push(hintOf(action));
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
