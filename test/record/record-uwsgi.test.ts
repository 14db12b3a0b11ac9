/**
 * The flight recorder against a real uWSGI: `--json --watch --record` through a chain reload, a worker
 * killed with SIGKILL and the instance going away, then the recorder itself killed with SIGKILL. The replay
 * gives the same records and events at the same recorded times, the report of a moment shows that moment,
 * the replay dashboard in tmux walks through the chain reload at its recorded times, and a recording that
 * grows past --record-max rotates and stays under it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, LAUNCHER, spawnCli } from '../support/cli-helpers.js';
import { privateTmux } from '../support/tmux.js';
import { cleanupAll, rawStats, REPO_ROOT, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { listSegments } from '../../src/record/segments.js';

interface LiveEvent {
  atMs: number;
  type: string;
  message: string;
}
interface LiveRecord {
  ok: boolean;
  readAtMs: number;
  error?: string;
  events: LiveEvent[];
  workers?: Array<{ pid: number }>;
}

const children = new Set<ChildProcess>();

/** Start the built launcher with stdout into a file; killed by pid in afterAll if still running. */
function startRecorder(args: string[], outFile: string): ChildProcess {
  const fd = openSync(outFile, 'w');
  const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', fd, 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function records(file: string): LiveRecord[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as LiveRecord);
}

function events(list: LiveRecord[]): LiveEvent[] {
  return list.flatMap((r) => r.events.map((e) => ({ atMs: e.atMs, type: e.type, message: e.message })));
}

function utcClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

let dir: string;
let recording: string;
let liveFile: string;
let live: LiveRecord[];
let killedPid: number;
let newPid: number;

afterAll(async () => {
  for (const c of children) {
    try {
      process.kill(c.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await cleanupAll();
});

beforeAll(async () => {
  buildDist();
  dir = tempDir();
  recording = join(dir, 'app.uwrec');
  liveFile = join(dir, 'live.ndjson');
  const proc: UwsgiProcess = await startUwsgi({ workers: 3, fifos: ['master.fifo'], args: ['--lazy-apps'] });
  const recorder = startRecorder(['--json', '--watch', '--interval', '0.25', '--record', recording, proc.statsAddress], liveFile);
  const seenLive = (check: (l: LiveRecord[]) => boolean, what: string, ms = 30_000): Promise<LiveRecord[]> =>
    waitFor(() => {
      const l = records(liveFile);
      return check(l) ? l : null;
    }, what, ms, 100);
  await seenLive((l) => l.length >= 3, 'the first polls');

  writeFileSync(proc.fifos[0]!, 'c');
  await seenLive((l) => events(l).some((e) => e.type === 'chain-reload-progress' && e.message.startsWith('chain reload complete')), 'the chain reload done', 60_000);

  const doc = await rawStats(proc);
  killedPid = doc.workers[1].pid;
  process.kill(killedPid, 'SIGKILL');
  const afterKill = await seenLive((l) => events(l).some((e) => e.type === 'worker-respawned' && e.message.includes(`pid ${killedPid} ->`)), 'the killed worker respawned');
  newPid = (await rawStats(proc)).workers[1].pid;
  await seenLive((l) => l.length >= afterKill.length + 2, 'two more polls');

  await proc.stop();
  await seenLive((l) => events(l).some((e) => e.type === 'target-down'), 'the target down');
  await seenLive((l) => l.filter((r) => !r.ok).length >= 2, 'a second failed poll');
  // The recorder dies without any chance to flush or close.
  process.kill(recorder.pid!, 'SIGKILL');
  await new Promise((ok) => recorder.once('exit', ok));
  live = records(liveFile);
}, 180_000);

describe('a recording made with --json --watch --record', () => {
  it('replays (after kill -9) every poll the live stream printed, with the same events at the same times', async () => {
    const replay = await spawnCli(['replay', recording, '--json']);
    expect(replay.code).toBe(0);
    const replayed = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as LiveRecord);
    // Each poll is written before it is printed: whatever the recorder printed is in its recording.
    const ok = (l: LiveRecord[]): LiveRecord[] => l.filter((r) => r.ok);
    const replayedOk = new Set(ok(replayed).map((r) => r.readAtMs));
    for (const r of ok(live)) expect(replayedOk.has(r.readAtMs)).toBe(true);
    const shared = replayed.filter((r) => r.ok && live.some((l) => l.readAtMs === r.readAtMs));
    expect(events(shared)).toEqual(events(ok(live)));
    // A failed read is timed by the recorder as it fails, the printed line a moment later: same reasons, same events.
    const failures = (l: LiveRecord[]): Array<[string | undefined, string[]]> => l.filter((r) => !r.ok).map((r) => [r.error, r.events.map((e) => e.message)]);
    expect(failures(replayed).slice(0, failures(live).length)).toEqual(failures(live));
    const types = events(replayed).map((e) => e.type);
    expect(types).toContain('chain-reload-progress');
    expect(events(replayed).find((e) => e.type === 'worker-respawned' && e.message.includes(`pid ${killedPid} ->`))!.message).toMatch(/died/);
    const down = replayed.find((r) => !r.ok)!;
    expect(down.error).toBe(live.find((r) => !r.ok)!.error);
    expect(down.events.map((e) => e.type)).toEqual(['target-down']);
  });

  it('gives the text report of a moment: the killed worker before, its replacement after', async () => {
    const kill = events(live).find((e) => e.type === 'worker-respawned' && e.message.includes(`pid ${killedPid} ->`))!;
    // The last poll the live stream printed with the old worker still there.
    const lastOld = live.filter((r) => r.ok && r.readAtMs < kill.atMs && r.workers![1]!.pid === killedPid).at(-1)!;
    const before = await spawnCli(['replay', recording, '--once', '--at', new Date(lastOld.readAtMs).toISOString()]);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(new RegExp(`^\\s+2\\s+\\S+\\s+${killedPid}\\s`, 'm'));
    const after = await spawnCli(['replay', recording, '--once', '--at', new Date(kill.atMs).toISOString()]);
    expect(after.stdout).toMatch(new RegExp(`^\\s+2\\s+\\S+\\s+${newPid}\\s`, 'm'));
    // D plays to the next time the target went down after the poll shown (live[1]): an up read followed by a failed one.
    const down = live.find((r, i) => i > 1 && !r.ok && live[i - 1]!.ok)!;
    const gone = await spawnCli(['replay', recording, '--once', '--at', new Date(down.readAtMs + 100).toISOString()]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`down at that time: ${down.error}`);
  });

  it('is read by the python3 reader in scripts/ without uwsgitop-ts', () => {
    const text = execFileSync('python3', [join(REPO_ROOT, 'scripts', 'read-recording.py'), ...listSegments(recording).map((s) => s.path)], { encoding: 'utf8' });
    const polls = text.trim().split('\n').map((l) => JSON.parse(l) as { t: number; doc?: { workers: Array<{ pid: number }> }; err?: string });
    for (const r of live.filter((x) => x.ok)) expect(polls.find((x) => x.t === r.readAtMs)!.doc!.workers.map((w) => w.pid)).toEqual(r.workers!.map((w) => w.pid));
    const errors = polls.filter((x) => x.err !== undefined).map((x) => x.err);
    expect(errors.slice(0, live.filter((x) => !x.ok).length)).toEqual(live.filter((x) => !x.ok).map((x) => x.error));
  });
});

describe('the replay dashboard', () => {
  const tmux = privateTmux('uwsgitop-replay');
  const screen = (): string => tmux('capture-pane', '-p', '-t', 'replay');
  async function seen(check: (s: string) => boolean, what: string): Promise<string> {
    let last = '';
    try {
      return await waitFor(() => {
        last = screen();
        return check(last) ? last : null;
      }, what, 15_000, 150);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- screen ---\n${last}`);
    }
  }

  it('walks through the chain reload at its recorded times, marked REPLAY, and quits cleanly', async () => {
    tmux('new-session', '-d', '-s', 'replay', '-x', '120', '-y', '40', '-c', REPO_ROOT, 'bash --norc --noprofile');
    tmux('send-keys', '-t', 'replay', `TZ=UTC node ${LAUNCHER} replay ${recording}; echo "exit=$?"`, 'Enter');
    const first = live[0]!;
    await seen((x) => x.includes(`REPLAY ${new Date(first.readAtMs).toISOString().slice(0, 10)} ${utcClock(first.readAtMs)}`), 'the first recorded poll, marked REPLAY');

    const steps = events(live).filter((e) => e.type === 'chain-reload-progress' || e.type === 'worker-respawned');
    expect(steps.length).toBeGreaterThanOrEqual(3);
    // R plays to the next respawn: each step shows at the time it was recorded.
    for (const step of steps) {
      tmux('send-keys', '-t', 'replay', 'R');
      await seen((x) => x.includes(`REPLAY`) && x.includes(utcClock(step.atMs)) && x.includes(step.message.slice(0, 40)), `the step "${step.message}" at ${utcClock(step.atMs)}`);
    }
    const done = steps.find((e) => e.message.startsWith('chain reload complete'))!;
    expect(done).toBeDefined();

    // Back to a time before the reload, then one poll forward.
    tmux('send-keys', '-t', 'replay', 't');
    await seen((x) => x.includes('Jump to'), 'the jump prompt');
    tmux('send-keys', '-t', 'replay', utcClock(first.readAtMs), 'Enter');
    await seen((x) => x.includes(`at ${utcClock(first.readAtMs)}`) && x.includes(`REPLAY ${new Date(first.readAtMs).toISOString().slice(0, 10)} ${utcClock(first.readAtMs)}`), 'the jump back');
    tmux('send-keys', '-t', 'replay', 'Right');
    await seen((x) => x.includes(`poll at ${utcClock(live[1]!.readAtMs)}`), 'one poll forward');

    tmux('send-keys', '-t', 'replay', 'D');
    // D plays to the next time the target went down after the poll shown (live[1]): an up read followed by a failed one.
    const down = live.find((r, i) => i > 1 && !r.ok && live[i - 1]!.ok)!;
    await seen((x) => x.includes(`target down at ${utcClock(down.readAtMs)}`), 'the next target down');

    tmux('send-keys', '-t', 'replay', 'q');
    await seen((x) => x.includes('exit=0'), 'the replay exited with 0');
  });
});

describe('a recording past --record-max', () => {
  it('rotates into numbered segments, drops the oldest and stays under the cap; the replay has the newest polls', async () => {
    const proc = await startUwsgi({ workers: 4, args: ['--plugin', 'ugreen', '--ugreen', '--async', '100'] });
    const small = tempDir();
    const file = join(small, 'big.uwrec');
    const out = join(small, 'live.ndjson');
    const rec = startRecorder(['--json', '--watch', '--interval', '0.2', '--record', file, '--record-max', '16K', '--record-keyframe', '1', proc.statsAddress], out);
    await waitFor(() => listSegments(file).some((s) => s.number >= 4) && records(out).length >= 20, 'four rotations', 60_000, 200);
    process.kill(rec.pid!, 'SIGTERM');
    await new Promise((ok) => rec.once('exit', ok));
    const segments = listSegments(file);
    expect(segments.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThanOrEqual(16 * 1024);
    // The first segments are gone: dropped, oldest first.
    expect(segments.some((s) => s.number === 1)).toBe(false);
    const replay = await spawnCli(['replay', file, '--json']);
    expect(replay.code).toBe(0);
    const times = replay.stdout.trim().split('\n').map((l) => (JSON.parse(l) as LiveRecord).readAtMs);
    const printed = records(out).map((r) => r.readAtMs);
    expect(times.at(-1)).toBe(printed.at(-1));
    expect(times[0]).toBeGreaterThan(printed[0]!);
    expect(printed.slice(printed.indexOf(times[0]!))).toEqual(times);
  });
});
