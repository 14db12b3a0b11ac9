/**
 * A worker recycled by --max-requests is reported as such when the instance's ini says so (--ini), not as a
 * worker that died: the first recycle cannot be told from a crash by the stats alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli-helpers.js';
import { cleanupAll, httpRequests, startUwsgi, tempDir } from '../support/uwsgi.js';

afterAll(cleanupAll);

describe('--max-requests from the ini', () => {
  it('names the cause of a recycle max-requests, with the ini, and died without it', async () => {
    // uWSGI recycles only workers older than --min-worker-lifetime (60 s by default).
    const proc = await startUwsgi({ workers: 1, args: ['--max-requests', '5', '--min-worker-lifetime', '0'] });
    const ini = join(tempDir(), 'app.ini');
    writeFileSync(ini, `[uwsgi]\nstats = ${proc.statsAddress}\nmax-requests = 5\n`);
    const watch = (args: string[]) => runCli(['--json', '--watch', '--count', '14', '--interval', '0.25', ...args]);
    const causes = (stdout: string): string[] =>
      stdout
        .trim()
        .split('\n')
        .flatMap((l) => JSON.parse(l).events as Array<{ type: string; data?: { cause?: string } }>)
        .filter((e) => e.type === 'worker-respawned')
        .map((e) => String(e.data?.cause));
    const withIni = watch(['--ini', ini]);
    const without = watch([proc.statsAddress]);
    // Six requests: the fifth recycles the only worker (uWSGI counts requests served since its spawn).
    await new Promise((r) => setTimeout(r, 600));
    await httpRequests(proc.httpPort!, '/', 6);
    const [a, b] = await Promise.all([withIni, without]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(causes(a.stdout)).toEqual(['max-requests']);
    expect(causes(b.stdout)).toEqual(['died']);
  }, 60000);
});
