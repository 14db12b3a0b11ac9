/**
 * The page's colours, read from its stylesheet: in the light and in the dark scheme every text colour reaches
 * WCAG's 4.5:1 contrast against every background it is drawn on.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_CSS } from '../../src/web/assets/page-css.js';

/** The custom properties of the first `:root { ... }` block after `from`. */
function rootVars(css: string, from: number): Record<string, string> {
  const start = css.indexOf(':root {', from);
  const end = css.indexOf('}', start);
  const vars: Record<string, string> = {};
  for (const m of css.slice(start, end).matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})/gi)) vars[m[1]!] = m[2]!;
  return vars;
}

/** WCAG 2 relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const TEXTS = ['text', 'muted', 'accent', 'ok', 'warn', 'err', 'pause', 'cheap'];
const BACKGROUNDS = ['bg', 'panel', 'panel2', 'row-hover'];

describe('page colours', () => {
  const dark = rootVars(PAGE_CSS, 0);
  const light = rootVars(PAGE_CSS, PAGE_CSS.indexOf('prefers-color-scheme: light'));

  it('has a light scheme and a dark scheme with every colour named', () => {
    for (const scheme of [dark, light]) for (const name of [...TEXTS, ...BACKGROUNDS]) expect(scheme[name], name).toMatch(/^#[0-9a-f]{6}$/i);
    expect(light.bg).not.toBe(dark.bg);
  });

  it.each([
    ['dark', dark],
    ['light', light],
  ])('%s: every text colour is at least 4.5:1 on every background', (_name, scheme) => {
    const low: string[] = [];
    for (const t of TEXTS) for (const b of BACKGROUNDS) if (contrast(scheme[t]!, scheme[b]!) < 4.5) low.push(`${t} on ${b}: ${contrast(scheme[t]!, scheme[b]!).toFixed(2)}`);
    expect(low).toEqual([]);
  });
});
