/**
 * Width tricks in document strings (emoji, ZWJ sequences, flags, stacked combining marks, conjoining Hangul
 * jamo, tag characters, zero-width and format characters) at 80x24 in a real terminal (tmux): the title line
 * keeps "● live" whole at its right edge, every column of the requests view is there, nothing spills past
 * 80 cells, and the worker popup shows no replacement character.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeText } from '../../src/core/safe-text.js';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { startAdversary, type Adversary } from '../support/adversary.js';
import { sampleDoc } from '../support/samples.js';
import { privateTmux } from '../support/tmux.js';
import { REPO_ROOT, waitFor } from '../support/uwsgi.js';

const TRICKS = [
  '👨‍👩‍👧', // ZWJ family
  '🇫🇷', // flag
  '👍🏽', // modifier
  'e\u0301\u0301\u0301\u0301', // stacked combining marks
  '\u1100\u1161\u11a8\u1161', // jamo (composable) + a lone medial vowel
  'x\u{e0041}\u{e007f}', // tag characters
  '\u200b\u200c\u200d\u2060\u180e\ufff9', // zero-width and format characters
  '日本', // wide CJK (agreed on: kept)
].join('');

let server: Adversary;
beforeAll(async () => {
  buildDist();
  const doc = sampleDoc('instance-busy.json');
  doc.version = `2.0${TRICKS}`;
  for (const w of doc.workers) {
    for (const c of w.cores ?? []) {
      if (c.in_request !== 1) continue;
      c.vars = [`REQUEST_METHOD=GET`, `REQUEST_URI=/${TRICKS}`, `PATH_INFO=/${TRICKS}`, `HTTP_HOST=h${TRICKS}`, `REMOTE_ADDR=10.0.0.${TRICKS}`, ''];
    }
  }
  server = await startAdversary({ kind: 'document', body: JSON.stringify(doc) });
}, 120_000);
afterAll(async () => server?.close());

describe('width tricks', () => {
  it('terminal text escapes what terminals disagree on, and keeps wide CJK and accents', () => {
    expect(safeText('👨‍👩‍👧')).toBe('\\u{1f468}\\u200d\\u{1f469}\\u200d\\u{1f467}');
    expect(safeText('a\u200bb\u2060c')).toBe('a\\u200bb\\u2060c');
    expect(safeText('e\u0301')).toBe('é');
    expect(safeText('日本 Ärger')).toBe('日本 Ärger');
  });

  const tmux = privateTmux('uwsgitop-widths');
  it('at 80x24 in tmux: the title line, the columns and the popup stay intact', async () => {
    tmux('new-session', '-d', '-s', 'w', '-x', '80', '-y', '24', '-c', REPO_ROOT, `node ${LAUNCHER} ${server.address}`);
    const pane = (): string[] => tmux('capture-pane', '-p', '-t', 'w').split('\n');
    const lines = await waitFor(() => {
      const p = pane();
      return p[0]?.includes('live') ? p : null;
    }, 'the dashboard');
    expect(lines[0]!.trimEnd().endsWith('● live')).toBe(true);
    tmux('send-keys', '-t', 'w', '2');
    const req = await waitFor(() => {
      const p = pane();
      return p.some((l) => l.includes('REMOTE')) && p.some((l) => l.includes('\\u{1f468}')) ? p : null;
    }, 'the requests view with its REMOTE column');
    expect(req[0]!.trimEnd().endsWith('● live')).toBe(true);
    const header = req.find((l) => l.includes('REMOTE'))!;
    for (const col of ['AGE', 'WKR', 'METHOD', 'HOST+URI', 'REMOTE']) expect(header).toContain(col);
    // The request's row ends where the header's REMOTE column says: same width as the header.
    const row = req.find((l) => l.includes('\\u{1f468}'))!;
    expect(row.trimEnd().length).toBeLessThanOrEqual(80);
    tmux('send-keys', '-t', 'w', 'Enter');
    const popup = await waitFor(() => {
      const p = pane();
      return p.some((l) => l.includes('Cores')) ? p : null;
    }, 'the worker popup');
    expect(popup.join('\n')).not.toContain('\ufffd');
    tmux('send-keys', '-t', 'w', 'q');
  }, 60_000);
});
