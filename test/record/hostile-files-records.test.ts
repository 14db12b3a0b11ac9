/**
 * Hostile input, round two, the leftovers about recordings: a segment that is /proc/self/mem, one damaged
 * segment among 5,000, a --record directory under /proc, and a lock whose pid now belongs to another process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingWriter } from '../../src/record/writer.js';
import { startTicks } from '../../src/record/lock.js';
import { cleanupAll, tempDir } from '../support/uwsgi.js';
import { buildDist, runCli, spawnCli } from '../support/cli-helpers.js';

afterAll(cleanupAll);

const DOC = { version: '2.0.21', pid: 10, workers: [{ id: 1, pid: 11, requests: 5, status: 'idle' }] };

function recordInto(file: string, target: string, polls: number): void {
  const w = new RecordingWriter({ file, target, tool: 'test', intervalMs: 1000, secrets: false, freeBytes: () => 1e15 });
  for (let i = 0; i < polls; i++) w.document(1_700_000_000_000 + i * 1000, i * 1000, { ...DOC, load: i }, 1, 100, []);
  w.close();
}

describe('a recording segment linked to /proc/self/mem', () => {
  it('is said in one line naming the file: skipped among other segments, refused alone', async () => {
    buildDist();
    const dir = tempDir();
    recordInto(join(dir, 'a.uwrec'), 'a:1', 2);
    symlinkSync('/proc/self/mem', join(dir, 'a.uwrec.3'));
    const r = await spawnCli(['replay', dir, '--json']);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(join(dir, 'a.uwrec.3'));
    expect(r.stderr).not.toMatch(/EIO|i\/o error|\n\s+at /);

    const alone = join(tempDir(), 'mem.uwrec');
    symlinkSync('/proc/self/mem', alone);
    const a = await spawnCli(['replay', alone, '--json']);
    expect(a.signal).toBeNull();
    expect(a.code).not.toBe(0);
    expect(a.stdout).toBe('');
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toContain(alone);
    expect(a.stderr).not.toMatch(/EIO|i\/o error/);
  }, 30_000);
});

describe('a rotated recording of 5,000 segments, two of them damaged', () => {
  it('plays every other segment, with one warning naming each damaged one', async () => {
    buildDist();
    const dir = tempDir();
    const file = join(dir, 'app.uwrec');
    const SEGMENTS = 5000;
    // Each rotated segment as the recorder writes one (its header, then two polls), numbered oldest first.
    for (let s = 1; s <= SEGMENTS + 1; s++) {
      const part = join(dir, 'part.uwrec');
      const w = new RecordingWriter({ file: part, target: 'app:1', tool: 'test', intervalMs: 1000, secrets: false, freeBytes: () => 1e15 });
      for (const i of [0, 1]) w.document(1_700_000_000_000 + (s * 2 + i) * 1000, i * 1000, { ...DOC, load: s * 2 + i }, 1, 100, []);
      w.close();
      renameSync(part, s <= SEGMENTS ? `${file}.${s}` : file);
    }
    // One with a byte changed in its last frame (a checksum that no longer matches), one that is text.
    const flipped = `${file}.2500`;
    const bytes = readFileSync(flipped);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(flipped, bytes);
    writeFileSync(`${file}.4000`, 'this is not a recording segment\n');

    const r = await spawnCli(['replay', dir, '--json'], 120_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { target: string });
    expect(records.every((x) => x.target === 'app:1')).toBe(true);
    // Every poll but segment 4000's two and the damaged last poll of segment 2500.
    expect(records).toHaveLength((SEGMENTS + 1) * 2 - 3);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings.find((w) => w.includes(`${file}.2500:`))).toMatch(/damaged data at byte \d+/);
    expect(warnings.find((w) => w.includes(`${file}.4000 `))).toContain('is not a uwsgitop-ts recording');
  }, 180_000);
});

describe('--record with two targets and a directory that cannot be made', () => {
  it('--record /proc/nope/x ends at once with one line naming it (no hang in mkdir)', async () => {
    buildDist();
    const r = await spawnCli(['--json', '--watch', '--count', '1', '--record', '/proc/nope/x', '127.0.0.1:1', '127.0.0.1:2'], 15_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--record /proc/nope/x: cannot create this directory: no such file or directory');
    expect(existsSync('/proc/nope')).toBe(false);
  }, 20_000);

  it('still makes missing parents of a new directory', async () => {
    const dir = join(tempDir(), 'a', 'b');
    const r = await runCli(['--json', '--watch', '--count', '1', '--interval', '0.1', '--record', dir, '127.0.0.1:1', '127.0.0.1:2']);
    expect(r.code).toBe(1); // both targets are down; the recordings are made
    expect(readdirSync(dir)).toHaveLength(2);
  });
});

describe('a recording lock whose pid was reused', () => {
  const record = (file: string) => runCli(['--json', '--watch', '--count', '1', '--interval', '0.1', '--record', file, '127.0.0.1:1']);

  it('the lock holds the recorder start time; a live pid that started at another time is not a recorder: taken over', async () => {
    const dir = tempDir();
    const file = join(dir, 'app.uwrec');
    const w = new RecordingWriter({ file, target: '127.0.0.1:1', tool: 'test', intervalMs: 1000, secrets: false, freeBytes: () => 1e15 });
    const ticks = startTicks(process.pid);
    expect(ticks).toMatch(/^[0-9]+$/);
    expect(readFileSync(`${file}.lock`, 'latin1')).toBe(`uwsgitop-ts ${process.pid} ${ticks}\n`);
    w.close();

    // Another process now has the pid the lock names (a sleep we start): it is alive, but it is not the recorder.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = other.pid!;
      const otherTicks = startTicks(pid);
      expect(otherTicks).not.toBeNull();
      writeFileSync(`${file}.lock`, `uwsgitop-ts ${pid} ${BigInt(otherTicks!) + 1n}\n`);
      const reused = await record(file);
      expect(reused.stderr).not.toContain('is being recorded');
      expect(reused.code).toBe(1);
      expect(readdirSync(dir).sort()).toEqual(['app.uwrec', 'app.uwrec.1']);

      // The same pid with its real start time is a live recorder: refused with the holder's pid.
      writeFileSync(`${file}.lock`, `uwsgitop-ts ${pid} ${otherTicks}\n`);
      const live = await record(file);
      expect(live.code).toBe(2);
      expect(live.stderr).toContain(`is being recorded by another uwsgitop-ts (pid ${pid}`);
      // A lock from a build that wrote no start time: a live pid is still taken as the holder.
      writeFileSync(`${file}.lock`, `uwsgitop-ts ${pid}\n`);
      expect((await record(file)).code).toBe(2);
    } finally {
      other.kill('SIGKILL');
    }
    writeFileSync(`${file}.lock`, `uwsgitop-ts ${spawnSync('true').pid} 1\n`);
    expect((await record(file)).code).toBe(1);
  });
});
