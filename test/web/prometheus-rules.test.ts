/**
 * The shipped alerting rules (contrib/prometheus) pass Debian's promtool: `check rules` accepts them and
 * `test rules` runs their unit tests (every alert firing where it should, and not where it should not).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promtoolBinary } from '../support/prometheus.js';
import { REPO_ROOT } from '../support/uwsgi.js';

const DIR = join(REPO_ROOT, 'contrib', 'prometheus');

function promtool(args: string[]): string {
  return execFileSync(promtoolBinary(), args, { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

describe('alerting rules', () => {
  it('pass promtool check rules, with an alert for each way an instance goes wrong', () => {
    expect(promtool(['check', 'rules', 'uwsgi-alerts.yml'])).toMatch(/SUCCESS: 10 rules found/);
    const alerts = [...readFileSync(join(DIR, 'uwsgi-alerts.yml'), 'utf8').matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);
    expect(alerts.sort()).toEqual(
      ['UwsgiAllWorkersBusy', 'UwsgiCacheFull', 'UwsgiCrashLoop', 'UwsgiExceptionsRising', 'UwsgiHarakiri', 'UwsgiListenQueueNearFull', 'UwsgiRelayDown', 'UwsgiRespawnStorm', 'UwsgiTargetDown', 'UwsgiWorkersWithoutApp'],
    );
    // Each alert has a unit test.
    const tested = new Set([...readFileSync(join(DIR, 'uwsgi-alerts.test.yml'), 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect([...tested].sort()).toEqual(alerts.sort());
  });

  it('pass their promtool unit tests', () => {
    expect(promtool(['test', 'rules', 'uwsgi-alerts.test.yml'])).toMatch(/SUCCESS/);
  });
});
