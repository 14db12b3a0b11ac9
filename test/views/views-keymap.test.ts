// @module-tag calendar
/** The one keymap: the help lists every binding, the hints use its keys, and uwsgitop's habits keep their meaning. */
import { describe, expect, it } from 'vitest';
import { bindingFor, KEYMAP } from '../../src/views/dashboard/keymap.js';
import { helpLines } from '../../src/views/dashboard/model/help.js';
import { keyHints } from '../../src/views/dashboard/model/hints.js';

const helpText = helpLines(200).map((l) => l.map((s) => s.text).join('')).join('\n');

describe('keymap', () => {
  it('lists every binding in the help, with its keys and its text', () => {
    for (const b of KEYMAP.filter((x) => x.label !== '')) {
      expect(helpText, b.action).toContain(b.label);
      expect(helpText, b.action).toContain(b.help.slice(0, 40));
    }
  });

  it('keeps uwsgitop\'s a (per-core view) and f (fast refresh), and binds no FIFO write to a single key', () => {
    expect(bindingFor('a', 'main')?.action).toBe('cores');
    expect(bindingFor('f', 'main')?.action).toBe('fast');
    expect(bindingFor('q', 'main')?.action).toBe('quit');
    expect(bindingFor('r', 'main')?.action).toBe('refresh');
    // The old one-keystroke commands: c p w x and the brutal R W Q C are bound to nothing now.
    for (const k of ['c', 'p', 'w', 'x', 'R', 'W', 'Q', 'C']) expect(bindingFor(k, 'main'), k).toBeUndefined();
    expect(bindingFor('!', 'main')?.action).toBe('control');
  });

  it('hints only keys the keymap binds', () => {
    const keys = new Set(KEYMAP.flatMap((b) => (b.hint ? [b.hint[0]] : [])));
    for (const view of ['workers', 'requests', 'graphs', 'events', 'fleet'] as const) {
      for (const [k] of keyHints(view, null, true, true)) expect(keys.has(k), `${view}: ${k}`).toBe(true);
    }
  });
});
