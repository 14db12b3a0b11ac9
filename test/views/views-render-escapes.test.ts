// @module-tag calendar
/**
 * The escapes the renderer hands blessed: fewer of them must never change what a cell shows. Each check reads
 * the colour of every visible character back with a small SGR reader written here, independent of the code.
 */
import { describe, expect, it } from 'vitest';
import { mergeColorRuns } from '../../src/views/dashboard/render/charts.js';
import { lineToSgr } from '../../src/views/dashboard/render/tags.js';

const ESC = '\u001b';

/** Every visible character with the SGR parameters in force for it (reset by ESC[m, ESC[0m and ESC[39m). */
function cells(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let fg = '';
  let other: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ESC) {
      const end = text.indexOf('m', i);
      const params = text.slice(i + 2, end);
      i = end;
      if (params === '' || params === '0') {
        fg = '';
        other = [];
      } else if (params === '39') {
        fg = '';
      } else {
        for (const p of params.split(';')) {
          if (/^3[0-7]$/.test(p)) fg = p;
          else other.push(p);
        }
      }
      continue;
    }
    out.push([text[i]!, [fg, ...[...new Set(other)].sort()].join(',')]);
  }
  return out;
}

const count = (text: string): number => text.split(ESC).length - 1;

describe('chart canvas escapes', () => {
  // What the drawille canvas writes: every braille cell coloured on its own, a label with fg+bg, newlines.
  const cell = (code: string, ch: string): string => `${ESC}[${code}m${ch}${ESC}[39m`;
  const canvas =
    cell('32', '⠁') + cell('32', '⠂') + cell('32', '⠄') + ' ' + cell('32', '⡀') + cell('31', '⠈') + cell('31', '⠐') +
    `${ESC}[37m${ESC}[40m12${ESC}[39m${ESC}[49m` + cell('32', '⠠') + '\n' + cell('32', '⢀') + cell('32', '⠁');

  it('keeps every character in its colour with fewer escapes', () => {
    const merged = mergeColorRuns(canvas);
    expect(cells(merged)).toEqual(cells(canvas));
    expect(count(merged)).toBeLessThan(count(canvas));
  });

  it('leaves text without colour runs as it is', () => {
    expect(mergeColorRuns('plain ⠁⠂ text\n')).toBe('plain ⠁⠂ text\n');
    expect(mergeColorRuns(cell('32', '⠁') + 'x' + cell('32', '⠂'))).toBe(cell('32', '⠁') + 'x' + cell('32', '⠂'));
  });
});

describe('styled lines as SGR', () => {
  const row = [
    { text: ' 12 ', style: 'busy' as const },
    { text: '4711 ', style: 'busy' as const },
    { text: 'idle', style: 'normal' as const },
    { text: ' {red-fg}', style: 'error' as const },
  ];

  it('opens one escape per run of one style, and braces stay text', () => {
    const sgr = lineToSgr(row, true);
    expect(cells(sgr).map(([ch]) => ch).join('')).toBe(' 12 4711 idle {red-fg}');
    const busy = cells(sgr).slice(0, 9).map(([, attr]) => attr);
    expect(new Set(busy)).toEqual(new Set(['32,1']));
    expect(cells(sgr).slice(9, 13).every(([, attr]) => attr === '')).toBe(true);
    expect(cells(sgr).slice(13).every(([, attr]) => attr === '31,1')).toBe(true);
    // busy run + its reset, error run + its reset.
    expect(count(sgr)).toBe(4);
  });

  it('without colour keeps only bold, underline and inverse', () => {
    const attrs = new Set(cells(lineToSgr(row, false)).map(([, attr]) => attr));
    for (const a of attrs) expect(a.split(',').filter((p) => p !== '').every((p) => ['1', '4', '7'].includes(p))).toBe(true);
  });
});
