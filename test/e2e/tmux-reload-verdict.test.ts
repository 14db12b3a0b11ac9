/**
 * The dashboard after a bad deploy, in a real terminal against real uWSGI: `!` `c` `y` on a broken lazy app, an
 * app that exits at import, and --need-app. The verdict is on the status line until read, in red in the events,
 * the worker without its app is marked, and a crash loop is one event that counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, freePort, rawStats, REPO_ROOT } from '../support/uwsgi.js';
import { deploy, startApp, type Deploy } from '../support/deploys.js';

const tmux = privateTmux('uwsgitop-verdict');
let session = 0;

/** The dashboard on a fresh 2-worker lazy-apps instance (options), in a tmux window of 120 x 30. */
async function dashboardOn(options: Parameters<typeof startApp>[0] = {}, extra = '') {
  const proc = await startApp(options);
  const name = `v${session++}`;
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '30', '-c', REPO_ROOT, 'bash --norc --noprofile');
  tmux('send-keys', '-t', name, `node ${LAUNCHER} ${proc.statsAddress} --fifo ${proc.statsAddress}=${proc.fifos[0]} ${extra}; echo "exit=$?"`, 'Enter');
  const seen = paneSeen(tmux, name);
  await seen((s) => s.includes('● live') && /\bidle\b/.test(s), 'the live dashboard');
  const keys = (...k: string[]): void => void tmux('send-keys', '-t', name, ...k);
  /** Write the deploy, then ! c y. */
  const chainReload = (kind: Deploy): void => {
    deploy(proc, kind);
    keys('!');
    keys('c');
    keys('y');
  };
  const colours = (): string => tmux('capture-pane', '-p', '-e', '-t', name);
  return { proc, seen, keys, chainReload, colours };
}

/** The status line (the last line of the pane). */
function statusLine(screen: string): string {
  return screen.trimEnd().split('\n').at(-1) ?? '';
}

beforeAll(() => buildDist());
afterAll(cleanupAll);

describe('the dashboard after a bad deploy', () => {
  it.concurrent('q while a chain reload is still being verified gives the shell back at once, not at the command\'s timeout', async () => {
    const d = await dashboardOn();
    d.chainReload('hang');
    // The first new worker hangs at import: the verification waits on it for up to 30 s.
    await d.seen((s) => /chain-reload|chain reload/.test(statusLine(s)) && !s.includes('y/N'), 'the chain reload under way', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    d.keys('q');
    const after = await d.seen((s) => /^exit=\d+/m.test(s), 'the shell back', 10_000);
    expect(after).toMatch(/^exit=0$/m);
  }, 60_000);

  it.concurrent('a broken lazy app: FAILED on the status line until Esc, noapp in STATUS, a red event', async () => {
    const d = await dashboardOn();
    d.chainReload('syntax');
    const failed = await d.seen((s) => statusLine(s).includes('chain reload FAILED'), 'the failed verdict on the status line', 30_000);
    expect(statusLine(failed)).toContain('no application loaded');
    expect(statusLine(failed)).toContain('m:read Esc:dismiss');
    // The workers table marks the new worker that has no app.
    await d.seen((s) => /\bnoapp\b/.test(s), 'noapp in the STATUS column');
    // r would say "reading now": the verdict stays until read.
    d.keys('r');
    await new Promise((r) => setTimeout(r, 1500));
    expect(statusLine(d.colours())).toContain('chain reload FAILED');
    d.keys('9');
    const events = await d.seen((s) => s.includes('chain-reload: chain reload FAILED') || s.includes('chain reload FAILED: worker'), 'the failure in the events');
    const row = d.colours().split('\n').find((l) => l.includes('FAILED') && !l.includes('Esc:dismiss'));
    expect(row, events).toBeDefined();
    // Red (SGR 31 or 91) on the event's row.
    expect(row).toMatch(/\x1b\[(?:[\d;]*;)?(?:31|91)(?:;[\d;]*)?m/);
    d.keys('Escape');
    await d.seen((s) => !statusLine(s).includes('chain reload FAILED'), 'Esc dismisses the verdict');
  }, 90_000);

  it.concurrent('an app that exits at import: the crash loop named on the status line, ONE crash-loop event that counts', async () => {
    const d = await dashboardOn();
    d.chainReload('exit');
    const failed = await d.seen((s) => statusLine(s).includes('chain reload FAILED'), 'the failed verdict', 30_000);
    expect(statusLine(failed)).toMatch(/worker 1 crash-looping/);
    // Let it loop a few more seconds: still one crash-loop event, not one respawn event per poll.
    await new Promise((r) => setTimeout(r, 5000));
    d.keys('Escape');
    d.keys('9');
    // The workers view's events pane names the crash loop too: wait for the events view's own header.
    const events = await d.seen((s) => /\bSEV\b/.test(s) && s.includes('crash-looping:'), 'the crash-loop event in the events view');
    const loops = events.split('\n').filter((l) => /worker-crash-loop +worker 1 crash-looping: \d+ respawns in \d+ s/.test(l));
    expect(loops, events).toHaveLength(1);
    // Before the loop is recognised its respawns are reported as they come; after it, none, and no chain progress.
    const respawns = events.split('\n').filter((l) => /worker 1 respawned|chain reload: worker 1 of 2/.test(l));
    expect(respawns.length, events).toBeLessThanOrEqual(4);
  }, 90_000);

  it.concurrent('--need-app: the master that exited is named, not "no progress within 30 s"', async () => {
    const d = await dashboardOn({ needApp: true });
    d.chainReload('syntax');
    const failed = await d.seen((s) => statusLine(s).includes('chain reload FAILED'), 'the failed verdict', 30_000);
    expect(statusLine(failed)).toContain(`master ${d.proc.pid} exited during the chain`);
  }, 90_000);

  it.concurrent('k at the chain reload\'s y/N: a canary first; on a broken deploy it stops, the other worker keeps its pid and the old code', async () => {
    const d = await dashboardOn({}, '--settle 1');
    const before = ((await rawStats(d.proc)).workers as Array<{ pid: number }>).map((w) => w.pid);
    deploy(d.proc, 'syntax');
    d.keys('!');
    d.keys('c');
    await d.seen((s) => statusLine(s).includes('y/N, k: canary first'), 'the canary offered at the y/N');
    d.keys('k');
    const failed = await d.seen((s) => statusLine(s).includes('canary FAILED'), 'the canary verdict', 30_000);
    expect(statusLine(failed)).toContain('chain-reload-canary: canary FAILED: worker 1');
    const after = ((await rawStats(d.proc)).workers as Array<{ pid: number }>).map((w) => w.pid);
    expect(after[1]).toBe(before[1]);
    d.keys('m');
    const whole = await d.seen((s) => s.includes('Last message'), 'the whole verdict');
    expect(whole.replace(/\s+/g, ' ')).toContain('still run the old code: nothing else was reloaded');
  }, 90_000);

  it.concurrent('--check: a good deploy from the dashboard says how its checks were answered', async () => {
    const port = await freePort();
    const d = await dashboardOn({ extra: { http: false, args: ['--http-socket', `127.0.0.1:${port}`] } }, `--check http://127.0.0.1:${port}/=2xx`);
    d.chainReload('good');
    const done = await d.seen((s) => /chain reload done/.test(statusLine(s)), 'the verdict', 30_000);
    d.keys('m');
    const whole = (await d.seen((s) => s.includes('Last message'), 'the whole verdict')).replace(/\s+/g, ' ');
    const counted = /(\d+) checks: (\d+) x 200/.exec(whole);
    expect(counted, done + whole).not.toBeNull();
    expect(counted![1]).toBe(counted![2]);
  }, 90_000);
});
