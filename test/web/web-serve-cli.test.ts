/** `uwsgitop-ts serve` as the main CLI runs it: usage errors, then a real relay in front of a real uWSGI, stopped by the signal. */
import { afterAll, describe, expect, it } from 'vitest';
import { hostname, networkInterfaces } from 'node:os';
import { runServeCli } from '../../src/cli/serve-cli.js';
import { cleanupAll, freePort, startUwsgi, waitFor } from '../support/uwsgi.js';
import { sink, startServe, writeTokenFile } from '../support/serve.js';
import { parsePrometheus, promValue } from '../support/web-fixtures.js';

afterAll(cleanupAll);

describe('serve command', () => {
  it('refuses a non-loopback --listen without a token, and --allow-control without a token', async () => {
    for (const argv of [['127.0.0.1:1', '--listen', '0.0.0.0:0'], ['127.0.0.1:1', '--allow-control'], ['127.0.0.1:1', '--listen', 'nonsense'], ['ws://127.0.0.1:9'], []]) {
      const out = sink();
      const err = sink();
      expect(await runServeCli(argv, { stdout: out.stream, stderr: err.stream, env: {} })).toBe(2);
      expect(err.text()).toMatch(/^uwsgitop-ts: serve: .+\n$/);
    }
  });

  it('refuses --tls-cert without --tls-key, a --history out of range, and warns of --show-secrets off loopback', async () => {
    for (const [argv, why] of [
      [['127.0.0.1:1', '--tls-cert', 'x.pem'], '--tls-cert and --tls-key go together'],
      [['127.0.0.1:1', '--history', '5s'], '--history wants 10s to 24h'],
      [['127.0.0.1:1', '--history', 'soon'], '--history wants a duration'],
    ] as const) {
      const err = sink();
      expect(await runServeCli([...argv], { stdout: sink().stream, stderr: err.stream, env: {} })).toBe(2);
      expect(err.text()).toContain(why);
    }
    const serve = startServe(['127.0.0.1:1', '--listen', `0.0.0.0:${await freePort()}`, '--token-file', writeTokenFile('serve-cli-token-abcdefghijklmnop'), '--show-secrets']);
    await serve.output('uwsgitop-ts relay:', 'the relay to start');
    expect(await serve.stop()).toBe(0);
    expect(serve.err.text()).toContain('warning: --show-secrets on 0.0.0.0 (not loopback): every holder of the token sees the cookies and credentials of in-flight requests');
  });

  it('serves a live instance until the signal aborts, with the token from --token-file', async () => {
    const uw = await startUwsgi({ workers: 2 });
    const token = 'serve-cli-token-abcdefghijklmnop';
    const port = await freePort();
    const serve = startServe([uw.statsAddress, '--listen', `127.0.0.1:${port}`, '--token-file', writeTokenFile(token), '--interval', '0.3']);
    await serve.output(`http://127.0.0.1:${port}/`, 'the relay URL on stdout');
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const metrics = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      const fam = parsePrometheus(await res.text());
      // The family is declared before the first read ends: wait for the instance's own sample.
      return fam.get('uwsgi_workers')?.samples.some((s) => s.labels['target'] === uw.statsAddress) ? fam : null;
    }, 'metrics of the instance');
    expect(promValue(metrics, 'uwsgi_workers', { target: uw.statsAddress })).toBe(2);
    expect(await serve.stop()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(serve.err.text()).toBe('');
  }, 30000);

  it('with --probe-any-target probes an instance it does not watch; --collect-cores adds per-core series', async () => {
    const watched = await startUwsgi({ workers: 1, args: ['--threads', '2'] });
    const other = await startUwsgi({ workers: 3 });
    const port = await freePort();
    const serve = startServe([watched.statsAddress, '--listen', `127.0.0.1:${port}`, '--probe-any-target', '--collect-cores', '--interval', '0.3']);
    await serve.output(`http://127.0.0.1:${port}/`, 'the relay URL on stdout');
    const probed = parsePrometheus(await (await fetch(`http://127.0.0.1:${port}/probe?target=${other.statsAddress}`)).text());
    expect(promValue(probed, 'uwsgi_workers', { target: other.statsAddress })).toBe(3);
    expect(promValue(probed, 'uwsgi_up', { target: other.statsAddress })).toBe(1);
    // A stopped instance probed again (after the interval) answers uwsgi_up 0, not an HTTP error.
    await other.stop();
    const down = await waitFor(async () => {
      const fam = parsePrometheus(await (await fetch(`http://127.0.0.1:${port}/probe?target=${other.statsAddress}`)).text());
      return promValue(fam, 'uwsgi_up', { target: other.statsAddress }) === 0 ? fam : null;
    }, 'uwsgi_up 0 for the stopped instance');
    expect(down.get('uwsgi_workers')?.samples ?? []).toEqual([]);
    const cores = await waitFor(async () => {
      const fam = parsePrometheus(await (await fetch(`http://127.0.0.1:${port}/probe?target=${watched.statsAddress}`)).text());
      return fam.get('uwsgi_worker_core_requests_total')?.samples.length ? fam : null;
    }, 'per-core series of the watched instance');
    expect(cores.get('uwsgi_worker_core_requests_total')!.samples.map((s) => s.labels.core_id).sort()).toEqual(['0', '1']);
    expect(await serve.stop()).toBe(0);
  }, 30000);

  it('on a wildcard --listen prints an address an operator can open, and where the token is (never the token)', async () => {
    const uw = await startUwsgi({ workers: 1 });
    const token = 'wildcard-listen-token-0123456789';
    const tokenFile = writeTokenFile(token, 'relay.token');
    // This machine's own external addresses (what another box would use), link-local ones need a zone: left out.
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'));
    for (const [wildcard, families] of [['0.0.0.0', ['IPv4']], ['[::]', ['IPv4', 'IPv6']]] as const) {
      const port = await freePort();
      const serve = startServe([uw.statsAddress, '--listen', `${wildcard}:${port}`, '--token-file', tokenFile]);
      await serve.output('watching', `the relay's address on stdout for ${wildcard}`);
      const text = serve.out.text();
      expect(text).not.toContain(`http://${wildcard}`);
      expect(text).toContain(`http://${hostname()}:${port}/?token=<the token in ${tokenFile}>`);
      expect(text).toContain(`port ${port}`);
      for (const a of external.filter((x) => (families as readonly string[]).includes(x!.family))) {
        expect(text).toContain(a!.family === 'IPv6' ? `http://[${a!.address}]:${port}/` : `http://${a!.address}:${port}/`);
      }
      expect(text).not.toContain(token);
      // It does listen everywhere: loopback reaches it, with the token.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(await serve.stop()).toBe(0);
      expect(serve.err.text()).toBe('');
    }
  }, 30000);
});
