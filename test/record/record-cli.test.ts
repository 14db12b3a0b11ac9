/**
 * --record where users give it, against real uWSGI instances: `serve --record DIR` keeps one recording per
 * target and `replay DIR` plays them side by side on one clock (the fleet view in tmux, in step); the
 * dashboard records while it shows; the free-space floor stops recording with one message while the NDJSON
 * stream goes on; --record with a one-shot report is a usage error.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServeCli } from '../../src/cli/serve-cli.js';
import { Recording } from '../../src/record/reader.js';
import { ReplayMonitor } from '../../src/record/replay-monitor.js';
import { ReplayPlayer } from '../../src/record/player.js';
import { buildDist, LAUNCHER, runCli, spawnCli } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, freePort, REPO_ROOT, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), text: () => chunks.join('') };
}

const polls = (file: string): number => {
  try {
    return Recording.open(file).polls.length;
  } catch {
    return 0;
  }
};

let a: UwsgiProcess;
let b: UwsgiProcess;
let dir: string;

beforeAll(async () => {
  buildDist();
  [a, b] = await Promise.all([startUwsgi({ workers: 2 }), startUwsgi({ workers: 3 })]);
  dir = join(tempDir(), 'fleet');
  const controller = new AbortController();
  const err = sink();
  const done = runServeCli([a.statsAddress, b.statsAddress, '--listen', `127.0.0.1:${await freePort()}`, '--interval', '0.2', '--record', dir], {
    stdout: sink().stream,
    stderr: err.stream,
    env: {},
    signal: controller.signal,
  });
  await waitFor(() => {
    const files = (() => {
      try {
        return readdirSync(dir).filter((n) => n.endsWith('.uwrec'));
      } catch {
        return [];
      }
    })();
    return files.length === 2 && files.every((f) => polls(join(dir, f)) >= 8);
  }, 'eight polls of each target recorded', 30_000, 200);
  controller.abort();
  expect(await done).toBe(0);
  expect(err.text()).toBe('');
}, 120_000);

afterAll(cleanupAll);

describe('serve --record DIR', () => {
  it('keeps one recording per target; replay DIR --json interleaves both in recorded-time order', async () => {
    const files = readdirSync(dir).filter((n) => n.endsWith('.uwrec'));
    expect(files.map((f) => Recording.open(join(dir, f)).target).sort()).toEqual([a.statsAddress, b.statsAddress].sort());
    const r = await runCli(['replay', dir, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { target: string; readAtMs: number; workers: unknown[] });
    expect(new Set(lines.map((l) => l.target))).toEqual(new Set([a.statsAddress, b.statsAddress]));
    const times = lines.map((l) => l.readAtMs);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(lines.find((l) => l.target === b.statsAddress)!.workers).toHaveLength(3);
  });

  it('plays several recordings on one clock: each shows its last poll at or before the position', () => {
    const monitors = readdirSync(dir).filter((n) => n.endsWith('.uwrec')).map((f) => new ReplayMonitor(Recording.open(join(dir, f))));
    const player = new ReplayPlayer(monitors, () => 0);
    for (const at of [player.startMs + 500, player.endMs - 300, player.startMs + 1100]) {
      player.seek(at);
      for (const m of monitors) {
        const shown = m.latest()!.snapshot!.readAtMs;
        const polls = m.recording.polls.map((p) => p.t);
        expect(shown).toBe(Math.max(...polls.filter((t) => t <= at)));
      }
    }
    player.close();
  });

  // At describe level: a hook registered inside a test never runs, and the tmux server would outlive the suite.
  const fleetTmux = privateTmux('uwsgitop-replay-fleet');
  it('shows both recordings side by side in the fleet view of the replay dashboard, in step', async () => {
    const tmux = fleetTmux;
    const screen = (): string => tmux('capture-pane', '-p', '-t', 'fleet');
    const seen = async (check: (s: string) => boolean, what: string): Promise<string> => {
      let last = '';
      try {
        return await waitFor(() => ((last = screen()), check(last) ? last : null), what, 15_000, 150);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- screen ---\n${last}`);
      }
    };
    tmux('new-session', '-d', '-s', 'fleet', '-x', '120', '-y', '40', '-c', REPO_ROOT, 'bash --norc --noprofile');
    tmux('send-keys', '-t', 'fleet', `TZ=UTC node ${LAUNCHER} replay ${dir}; echo "exit=$?"`, 'Enter');
    await seen((x) => x.includes('REPLAY'), 'the replay');
    tmux('send-keys', '-t', 'fleet', '0');
    const s = await seen((x) => x.includes(a.statsAddress) && x.includes(b.statsAddress) && /workers?/i.test(x), 'both targets in the fleet view');
    expect(s).toContain('REPLAY');
    tmux('send-keys', '-t', 'fleet', 'Right', 'Right', 'Right');
    await seen((x) => x.includes('poll at'), 'stepping both');
    tmux('send-keys', '-t', 'fleet', 'q');
    await seen((x) => x.includes('exit=0'), 'the replay exited with 0');
  });
});

describe('--record', () => {
  const dashTmux = privateTmux('uwsgitop-record-dash');
  it('records what the dashboard shows, in tmux; the replay has those polls', async () => {
    const tmux = dashTmux;
    const file = join(tempDir(), 'dash.uwrec');
    tmux('new-session', '-d', '-s', 'dash', '-x', '100', '-y', '30', '-c', REPO_ROOT, 'bash --norc --noprofile');
    tmux('send-keys', '-t', 'dash', `node ${LAUNCHER} --interval 0.2 --record ${file} ${a.statsAddress}; echo "exit=$?"`, 'Enter');
    await waitFor(() => tmux('capture-pane', '-p', '-t', 'dash').includes('● live') && polls(file) >= 5, 'the dashboard live and five polls recorded', 20_000, 150);
    tmux('send-keys', '-t', 'dash', 'q');
    await waitFor(() => tmux('capture-pane', '-p', '-t', 'dash').includes('exit=0'), 'the dashboard exited with 0');
    const r = await spawnCli(['replay', file, '--once']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`== ${a.statsAddress}`);
    expect(r.stdout).toMatch(/Workers \(2\)/);
  });

  it('keeps the chain reload the dashboard wrote: the replay calls its first respawn the chain reload\'s, as the dashboard did', async () => {
    const tmux = dashTmux;
    const c = await startUwsgi({ workers: 2, fifos: ['master.fifo'] });
    const file = join(tempDir(), 'chain.uwrec');
    tmux('new-session', '-d', '-s', 'chain', '-x', '100', '-y', '30', '-c', REPO_ROOT, 'bash --norc --noprofile');
    const seen = paneSeen(tmux, 'chain');
    tmux('send-keys', '-t', 'chain', `node ${LAUNCHER} --interval 0.2 --fifo ${c.statsAddress}=${c.fifos[0]} --record ${file} ${c.statsAddress}; echo "exit=$?"`, 'Enter');
    await seen((x) => x.includes('● live'), 'the dashboard live');
    tmux('send-keys', '-t', 'chain', '!');
    await seen((x) => x.includes('which FIFO byte'), 'the control prompt');
    tmux('send-keys', '-t', 'chain', 'c');
    await seen((x) => x.includes('y/N'), 'the confirmation');
    tmux('send-keys', '-t', 'chain', 'y');
    const live = await seen((x) => x.includes('chain reload complete'), 'the chain reload done', 30_000);
    expect(live).toMatch(/worker 1 respawned \(chain reload\)/);
    tmux('send-keys', '-t', 'chain', 'q');
    await seen((x) => x.includes('exit=0'), 'the dashboard exited with 0');

    const r = await spawnCli(['replay', file, '--json']);
    expect(r.code).toBe(0);
    const replayed = r.stdout
      .trim()
      .split('\n')
      .flatMap((l) => (JSON.parse(l) as { events: Array<{ type: string; message: string }> }).events)
      .filter((e) => e.type === 'worker-respawned');
    expect(replayed.map((e) => e.message)).toEqual([expect.stringMatching(/^worker 1 respawned \(chain reload\)/), expect.stringMatching(/^worker 2 respawned \(chain reload\)/)]);
  });

  it('below --record-min-free stops recording with one message while the NDJSON stream goes on', async () => {
    const file = join(tempDir(), 'floor.uwrec');
    const r = await runCli(['--json', '--watch', '--count', '4', '--interval', '0.2', '--record', file, '--record-min-free', '100000T', a.statsAddress]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^uwsgitop-ts: ${a.statsAddress}: recording to .*floor\\.uwrec stopped: .* free on its file system, below the floor of .* \\(--record-min-free\\); monitoring goes on$`));
  });

  it('with a one-shot report is a usage error', async () => {
    const file = join(tempDir(), 'once.uwrec');
    for (const argv of [['--once', '--record', file, a.statsAddress], ['--json', '--record', file, a.statsAddress]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--record records a watch/);
    }
    const bad = await runCli(['--json', '--watch', '--record', file, '--record-keep', 'soon', a.statsAddress]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--record-keep wants a duration/);
  });
});
