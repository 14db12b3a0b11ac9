/** Keys as the dashboard reads them: one blessed keypress turned into the keys it stands for. */

export interface Key {
  name?: string;
  full?: string;
  ctrl?: boolean;
  shift?: boolean;
}

/**
 * The keys one blessed keypress stands for, as [character, name] pairs: printable characters by themselves
 * ('A', not blessed's 'S-a'), special keys by blessed's name ('enter', 'C-c'). blessed reports Enter twice
 * ('enter' then 'return'): 'return' is dropped. Esc followed quickly by a key arrives as Meta-key (tmux's
 * escape-time, slow links): it stands for both keys.
 */
export function normalizeKey(ch: string | undefined, key: Key & { meta?: boolean; sequence?: string }): Array<[string | undefined, string]> {
  if (key.name === 'return') return [];
  const seq = key.sequence ?? '';
  if (key.meta && seq.length === 2 && seq[0] === '\u001b') {
    return [[undefined, 'escape'], ...normalizeKey(seq[1], { name: seq[1] === '\r' ? 'enter' : seq[1], sequence: seq[1] })];
  }
  if (ch !== undefined && ch.length >= 1 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/u.test(ch)) {
    return [[ch, ch === ' ' ? 'space' : ch]];
  }
  return [[ch, key.full ?? key.name ?? ch ?? '']];
}

/** What the filter prompt accepts: any printable text. */
export const FILTER_CHARS = /^[^\u0000-\u001f\u007f]+$/u;
/** What the replay's time prompt accepts: a clock time or an offset. */
export const JUMP_CHARS = /^[0-9A-Za-z:.+\-]$/;

/**
 * One key at a text prompt: Backspace deletes a character, a key matching `accepted` is typed; Enter and
 * Esc end the prompt (returned; the text stays as typed), any other key is ignored.
 */
export function editText(prompt: { text: string }, ch: string | undefined, key: Key, name: string, accepted: RegExp): 'enter' | 'escape' | null {
  if (name === 'escape') return 'escape';
  if (name === 'enter' || name === 'return') return 'enter';
  if (name === 'backspace') prompt.text = Array.from(prompt.text).slice(0, -1).join('');
  else if (ch !== undefined && !key.ctrl && ch.length > 0 && accepted.test(ch)) prompt.text += ch;
  return null;
}
