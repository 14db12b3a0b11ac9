/**
 * The one width table (src/present/cells.ts) against blessed's own: for every code point terminal text can
 * still hold (terminalText escapes controls, emoji and format characters first), the text report and the
 * dashboard's model count the cells blessed draws.
 */
import blessed from 'blessed';
import { describe, expect, it } from 'vitest';
import { charCells } from '../../src/present/cells.js';
import { displayWidth, fitCell } from '../../src/present/width.js';
import { terminalText } from '../../src/core/safe-text.js';
import { renderTable } from '../../src/views/text-table.js';

const unicode = (blessed as unknown as { unicode: { charWidth(s: string, i?: number): number } }).unicode;

describe('one width table', () => {
  it('counts every code point that survives terminalText as blessed does', () => {
    const differ: string[] = [];
    for (let code = 0x20; code <= 0x3ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const ch = String.fromCodePoint(code);
      if (terminalText(ch) !== ch) continue;
      if (charCells(ch) !== unicode.charWidth(ch, 0)) differ.push(code.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it('lines up a text table with CJK names as the dashboard pads them', () => {
    expect(displayWidth('日本a')).toBe(5);
    const [head, row] = renderTable([{ header: 'NAME' }, { header: 'N', align: 'right' }], [['日本', '7']]);
    expect(head).toBe('NAME  N');
    expect(row).toBe('日本  7');
    expect(fitCell('日本語', 5)).toBe('日本…');
  });
});
