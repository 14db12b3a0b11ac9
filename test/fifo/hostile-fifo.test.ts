/**
 * Hostile FIFO paths and command words for `uwsgitop-ts fifo`: a path (from argv or an ini's master-fifo) or
 * a command carrying ESC ] 0;pwned BEL or a newline comes back escaped on one line, and a "FIFO" that is the
 * process's own standard output (a symlink to /dev/stdout or /proc/self/fd/1) is refused, nothing written.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist, LAUNCHER, spawnCli, spawnShell } from '../support/cli-helpers.js';
import { rawUnsafe } from '../support/hostile.js';
import { tempDir } from '../support/uwsgi.js';

const EVIL = '\x1b]0;pwned\x07\nrm.fifo';

beforeAll(() => buildDist(), 120_000);

/** stderr is one line, without a raw control character, naming the escaped evil text. */
function expectOneEscapedLine(stderr: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.slice(0, -1)).not.toContain('\n');
  expect(rawUnsafe(stderr.slice(0, -1))).toBeNull();
  expect(stderr).toContain('\\x1b]0;pwned\\x07\\nrm.fifo');
}

describe('FIFO messages escape what the user or an ini gave', () => {
  it('a hostile path on the command line', async () => {
    const path = join(tempDir(), EVIL);
    const r = await spawnCli(['fifo', path, 'chain-reload']);
    expect(r.code).toBe(1);
    expectOneEscapedLine(r.stderr);
  });

  it("a hostile master-fifo in an ini file", async () => {
    const dir = tempDir();
    const ini = join(dir, 'app.ini');
    writeFileSync(ini, `[uwsgi]\nmaster-fifo = ${join(dir, '\x1b]0;pwned\x07\\nrm.fifo')}\n`);
    const r = await spawnCli(['fifo', '--ini', ini, 'chain-reload']);
    expect(r.code).toBeGreaterThan(0);
    expect(rawUnsafe(r.stderr)).toBeNull();
    expect(r.stderr).toContain('\\x1b]0;pwned\\x07');
  });

  it('a hostile command word', async () => {
    const r = await spawnCli(['fifo', join(tempDir(), 'x.fifo'), `chain${EVIL}`]);
    expect(r.code).toBe(2);
    expectOneEscapedLine(r.stderr);
  });
});

describe('a FIFO that is the process\'s own standard stream', () => {
  for (const target of ['/dev/stdout', '/proc/self/fd/1']) {
    it(`refuses a symlink to ${target} (stdout a pipe), writing nothing into it`, async () => {
      const link = join(tempDir(), 'master.fifo');
      symlinkSync(target, link);
      // Node's own child pipes are socket pairs: a shell pipe makes stdout a real pipe (a FIFO to fstat).
      const r = await spawnShell(`node ${LAUNCHER} fifo ${link} chain-reload | cat`);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('standard output');
      expect(r.stderr).toContain('nothing was sent');
    });
  }
});
