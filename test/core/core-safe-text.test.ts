// @module-tag calendar
import { describe, expect, it } from 'vitest';
import { escapeControls, safeJson, safeText } from '../../src/core/safe-text.js';

describe('safe text for terminals', () => {
  it('shows control, C1 and bidi characters as visible escapes', () => {
    expect(escapeControls('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    expect(escapeControls('\x07\x00\x7f')).toBe('\\x07\\x00\\x7f');
    expect(escapeControls('x\u009by')).toBe('x\\x9by');
    expect(escapeControls('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe');
    expect(escapeControls('l1\u2028l2\tz\n')).toBe('l1\\u2028l2\\tz\\n');
  });

  it('escapes the backslash, so a literal "\\x1b" typed by a client differs from a real ESC', () => {
    const literal = escapeControls('\\x1b[2J');
    const real = escapeControls('\x1b[2J');
    expect(literal).toBe('\\\\x1b[2J');
    expect(literal).not.toBe(real);
  });

  it('leaves ordinary text, including non-ASCII letters, alone', () => {
    expect(escapeControls('/shop/Ärger?q=日本&x={red-fg}')).toBe('/shop/Ärger?q=日本&x={red-fg}');
  });

  it('cuts long values with an ellipsis after escaping, never in the middle of the output budget', () => {
    expect(safeText('abcdef', 4)).toBe('abc…');
    expect(safeText('ab', 4)).toBe('ab');
    expect(safeText('\x1b\x1b\x1b', 5)).toBe('\\x1b…');
    expect(Array.from(safeText('x'.repeat(100), 10))).toHaveLength(10);
    expect(safeText(null)).toBe('');
  });

  it('spells C0, C1 and bidi characters \\uXXXX in JSON, the value unchanged once parsed', () => {
    const value = { uri: 'a\x1b]0;t\x07\u009b2J\u202ex\u2028' };
    const text = safeJson(value);
    expect(text).toBe('{"uri":"a\\u001b]0;t\\u0007\\u009b2J\\u202ex\\u2028"}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
