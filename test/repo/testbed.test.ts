import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, rawStats, startUwsgi } from '../support/uwsgi.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('test bed: real uWSGI instances', () => {
  afterAll(cleanupAll);

  it('starts an instance with the requested workers and stops master and workers by pid', async () => {
    const proc = await startUwsgi({ workers: 3 });
    const doc = await rawStats(proc);
    expect(doc.pid).toBe(proc.pid);
    expect(doc.workers).toHaveLength(3);
    const workerPids: number[] = doc.workers.map((w: { pid: number }) => w.pid);
    await proc.stop();
    expect(pidAlive(proc.pid)).toBe(false);
    for (const pid of workerPids) expect(pidAlive(pid)).toBe(false);
  });

  it('serves stats on unix, abstract and stats-http sockets', async () => {
    const [unix, abstract, http] = await Promise.all([
      startUwsgi({ stats: 'unix', workers: 1 }),
      startUwsgi({ stats: 'abstract', workers: 1 }),
      startUwsgi({ stats: 'tcp', statsHttp: true, workers: 1 }),
    ]);
    expect((await rawStats(unix)).pid).toBe(unix.pid);
    expect((await rawStats(abstract)).pid).toBe(abstract.pid);
    expect((await rawStats(http)).pid).toBe(http.pid);
    expect(http.statsAddress.startsWith('http://')).toBe(true);
  });
});
