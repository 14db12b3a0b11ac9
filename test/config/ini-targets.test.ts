import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readIniTargets } from '../../src/config/ini.js';
import { cleanupAll, tempDir, uwsgiBinary } from '../support/uwsgi.js';

/** What uWSGI itself makes of an ini: its --show-config dump (it exits at once without a socket). */
function uwsgiView(file: string, env: NodeJS.ProcessEnv): { stats: string[]; fifos: string[]; maxRequests: string[] } {
  // uWSGI logs to stderr; it exits by itself (no socket), the timeout is only a guard.
  const run = spawnSync(uwsgiBinary(), ['--ini', file, '--show-config'], { env, timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${run.stdout?.toString() ?? ''}${run.stderr?.toString() ?? ''}`;
  const config = output.slice(output.indexOf(';uWSGI instance configuration'), output.indexOf(';end of configuration'));
  const values = (key: string) =>
    config
      .split('\n')
      .map((line) => /^([A-Za-z0-9_-]+) = (.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === key)
      .map((m) => m[2] as string);
  return { stats: values('stats'), fifos: values('master-fifo'), maxRequests: values('max-requests') };
}

describe('reading uWSGI ini files for stats addresses and FIFO slots', () => {
  afterAll(cleanupAll);

  it('expands %d, %n, %(key), $(ENV) and repeated keys exactly as uWSGI does, and flags the underscore spelling uWSGI ignores', () => {
    const dir = tempDir();
    const file = join(dir, 'shop.ini');
    writeFileSync(
      file,
      [
        '; the zerg dance layout',
        '[uwsgi]',
        'run = /run/shop',
        'stats = %(run)/%n-stats.sock',
        'master-fifo = %dnew.fifo',
        'master_fifo = /ignored/by/uwsgi.fifo',
        'master-fifo = %(run)/running.fifo',
        '# a comment between',
        'master-fifo = $(SHOP_FIFO_DIR)/sleeping.fifo',
        'limit = 500',
        'max-requests = %(limit)',
        'run = /elsewhere',
        'master-fifo = %(run)/third.fifo',
        '[other]',
        'stats = 127.0.0.1:1',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SHOP_FIFO_DIR: '/srv/fifos' };
    const truth = uwsgiView(file, env);
    expect(truth.fifos).toHaveLength(4);
    const { targets, problems } = readIniTargets([file], env);
    expect(truth.maxRequests).toEqual(['500']);
    expect(targets).toEqual([{ file, stats: truth.stats[0] ?? null, fifos: truth.fifos, maxRequests: Number(truth.maxRequests[0]), vassal: null }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('uWSGI ignores "master_fifo"');
  });

  it('reads a vassals directory (every *.ini, sorted) and a named section', () => {
    const dir = tempDir();
    const vassals = join(dir, 'vassals');
    mkdirSync(vassals);
    writeFileSync(join(vassals, 'b.ini'), '[uwsgi]\nstats = 127.0.0.1:9192\nmaster-fifo = /run/b.fifo\n');
    writeFileSync(join(vassals, 'a.ini'), '[uwsgi]\nstats-server = :9191\n[staging]\nstats = :9999\nmaster-fifo = /run/staging.fifo\n');
    writeFileSync(join(vassals, 'notes.txt'), 'stats = nope\n');
    const { targets, problems } = readIniTargets([vassals, `${join(vassals, 'a.ini')}:staging`]);
    expect(problems).toEqual([]);
    expect(targets.map((t) => [t.file, t.stats, t.fifos, t.vassal])).toEqual([
      [join(vassals, 'a.ini'), ':9191', [], 'a.ini'],
      [join(vassals, 'b.ini'), '127.0.0.1:9192', ['/run/b.fifo'], 'b.ini'],
      // Named on its own, a file is not taken for a vassal of a directory.
      [`${join(vassals, 'a.ini')}:staging`, ':9999', ['/run/staging.fifo'], null],
    ]);
  });

  it('reports what it cannot know instead of guessing', () => {
    const dir = tempDir();
    const file = join(dir, 'x.ini');
    writeFileSync(file, '[uwsgi]\nstats = %(undefined_key)/s.sock\nmaster-fifo = %k/cores.fifo\nmaster-fifo = $(NOT_SET_ANYWHERE)/f.fifo\nmaster-fifo = /ok.fifo\n');
    const { targets, problems } = readIniTargets([file, join(dir, 'missing.ini')], {});
    expect(targets).toEqual([{ file, stats: null, fifos: ['/ok.fifo'], maxRequests: null, vassal: null }]);
    expect(problems.some((p) => p.includes('%(undefined_key)'))).toBe(true);
    expect(problems.some((p) => p.includes('%k'))).toBe(true);
    expect(problems.some((p) => p.includes('$(NOT_SET_ANYWHERE)'))).toBe(true);
    expect(problems.some((p) => p.includes('missing.ini') && p.includes('no such file'))).toBe(true);
  });
});
