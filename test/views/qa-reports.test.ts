// @module-tag calendar
/**
 * QA regressions found by running the reports against real uWSGI: what is unknown must read as unknown
 * (in-flight without cores), and a legion lord being displaced must not be reported as still this node.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, section } from '../support/cli-helpers.js';
import { sample } from '../support/metrics-fixtures.js';
import { cleanupAll, rawHttpRequest, rawStats, startUwsgi, tempDir, waitFor } from '../support/uwsgi.js';

afterAll(cleanupAll);

describe('--json in-flight requests', () => {
  it('with --stats-no-cores the in-flight count is unknown (null), not 0, while a request is being served', async () => {
    const proc = await startUwsgi({ workers: 1, args: ['--stats-no-cores'] });
    rawHttpRequest(proc.httpPort!, Buffer.from('GET /slow?s=8 HTTP/1.0\r\nHost: qa\r\n\r\n'));
    // uWSGI itself shows the worker busy: a request is in flight, the document just cannot say which.
    await waitFor(async () => (await rawStats(proc)).workers[0].status === 'busy', 'the worker busy with /slow');
    const { code, stdout } = await runCli(['--json', proc.statsAddress]);
    expect(code).toBe(0);
    const record = JSON.parse(stdout);
    expect(record.summary.busy).toBe(1);
    expect(record.workers[0].cores).toBeNull();
    expect(record.summary.inFlight).toBeNull();
    expect(record.workers[0].inFlight).toBeNull();
  }, 30_000);

  it('with cores the same request is counted and listed', async () => {
    const proc = await startUwsgi({ workers: 1 });
    rawHttpRequest(proc.httpPort!, Buffer.from('GET /slow?s=8 HTTP/1.0\r\nHost: qa\r\n\r\n'));
    await waitFor(async () => (await rawStats(proc)).workers[0].status === 'busy', 'the worker busy with /slow');
    const record = JSON.parse((await runCli(['--json', proc.statsAddress])).stdout);
    expect(record.summary.inFlight).toBe(1);
    expect(record.workers[0].inFlight.map((r: { uri: string }) => r.uri)).toEqual(['/slow?s=8']);
  }, 30_000);
});

describe('text report of a legion', () => {
  it('a lord whose lordship moved to a higher valor names the new lord (uWSGI still shows i_am_the_lord for a moment)', async () => {
    // What a lord's document looks like right after a node with a higher valor joined (seen on 2.0.21).
    const doc = sample('legion-lord.json');
    const legion = doc.legions[0];
    const newLord = '99999999-8888-7777-6666-555555555555';
    legion.lord_uuid = newLord;
    legion.lord_valor = legion.valor + 1;
    const file = join(tempDir('uwsgitop-qa-'), 'handover.json');
    writeFileSync(file, JSON.stringify(doc));
    const { code, stdout } = await runCli(['--once', '--interval', '0.1', `file:${file}`]);
    expect(code).toBe(0);
    const lines = section(stdout, `Legion ${legion.legion} at `).join('\n');
    expect(lines).toContain(`lord ${newLord} (valor ${legion.valor + 1})`);
    expect(lines).not.toContain('this node is lord since');
  });

  it('a lord that is still lord says so', async () => {
    const doc = sample('legion-lord.json');
    const file = join(tempDir('uwsgitop-qa-'), 'lord.json');
    writeFileSync(file, JSON.stringify(doc));
    const { stdout } = await runCli(['--once', '--interval', '0.1', `file:${file}`]);
    expect(section(stdout, `Legion ${doc.legions[0].legion} at `).join('\n')).toContain('this node is lord since');
  });
});
