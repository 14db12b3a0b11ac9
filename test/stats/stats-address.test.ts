/** parseAddress: every form a user may type, and a message a user can act on for everything else. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseAddress } from '../../src/stats/address.js';

function refusal(text: string): UsageError {
  try {
    parseAddress(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`parseAddress(${JSON.stringify(text)}) accepted it`);
}

const dir = mkdtempSync(join(tmpdir(), 'uwsgitop-address-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseAddress: accepted forms', () => {
  it('host:port, :port (127.0.0.1), localhost and [IPv6]:port are TCP', () => {
    expect(parseAddress('10.0.0.5:9191')).toEqual({ kind: 'tcp', text: '10.0.0.5:9191', host: '10.0.0.5', port: 9191 });
    expect(parseAddress(':9191')).toEqual({ kind: 'tcp', text: ':9191', host: '127.0.0.1', port: 9191 });
    expect(parseAddress('localhost:1')).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 1 });
    expect(parseAddress('stats.example.com:65535')).toMatchObject({ kind: 'tcp', host: 'stats.example.com', port: 65535 });
    expect(parseAddress('[::1]:9191')).toEqual({ kind: 'tcp', text: '[::1]:9191', host: '::1', port: 9191 });
  });

  it('paths with a slash and existing names are unix sockets', () => {
    expect(parseAddress('/run/app/stats.sock')).toEqual({ kind: 'unix', text: '/run/app/stats.sock', path: '/run/app/stats.sock' });
    expect(parseAddress('./x.sock')).toMatchObject({ kind: 'unix', path: './x.sock' });
    const existing = join(dir, 'present.sock');
    writeFileSync(existing, '');
    expect(parseAddress(existing)).toMatchObject({ kind: 'unix', path: existing });
    // A bare name that exists in the current directory is a path too.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(parseAddress('present.sock')).toEqual({ kind: 'unix', text: 'present.sock', path: 'present.sock' });
    } finally {
      process.chdir(cwd);
    }
  });

  it('@name is an abstract socket; http(s) URLs, file:, - and ws(s):// keep their meaning', () => {
    expect(parseAddress('@uwsgi-stats')).toEqual({ kind: 'abstract', text: '@uwsgi-stats', name: 'uwsgi-stats' });
    expect(parseAddress('http://127.0.0.1:9191')).toEqual({ kind: 'http', text: 'http://127.0.0.1:9191', url: 'http://127.0.0.1:9191/' });
    expect(parseAddress('https://stats.example.com/app1')).toMatchObject({ kind: 'http', url: 'https://stats.example.com/app1' });
    expect(parseAddress('http://[::1]:9191/')).toMatchObject({ kind: 'http', url: 'http://[::1]:9191/' });
    expect(parseAddress('file:saved.json')).toEqual({ kind: 'file', text: 'file:saved.json', path: 'saved.json' });
    expect(parseAddress('file:///tmp/a%20b.json')).toMatchObject({ kind: 'file', path: '/tmp/a b.json' });
    expect(parseAddress('-')).toEqual({ kind: 'stdin', text: '-' });
    expect(parseAddress('ws://127.0.0.1:8080/ws')).toMatchObject({ kind: 'relay', url: 'ws://127.0.0.1:8080/ws' });
    expect(parseAddress('wss://relay.example.com')).toMatchObject({ kind: 'relay' });
  });
});

describe('parseAddress: refusals explain themselves', () => {
  it('empty and blank input', () => {
    expect(refusal('').message).toMatch(/empty/);
    expect(refusal('   ').message).toMatch(/empty/);
    expect(refusal(' :9191').message).toMatch(/spaces/);
  });

  it('ports: missing, not a number, out of range', () => {
    expect(refusal('127.0.0.1:').message).toMatch(/port is missing/);
    expect(refusal('127.0.0.1').message).toMatch(/port is missing/);
    expect(refusal('localhost:http').message).toMatch(/"http" is not a number/);
    expect(refusal(':0').message).toMatch(/out of range \(1-65535\)/);
    expect(refusal(':65536').message).toMatch(/65536 is out of range/);
    expect(refusal('http://127.0.0.1:0/').message).toMatch(/out of range/);
    expect(refusal('9191').message).toMatch(/did you mean :9191/);
  });

  it('IPv6 without brackets, bad hosts, bad names', () => {
    expect(refusal('::1:9191').message).toMatch(/brackets: \[::1\]:9191/);
    expect(refusal('[::1]9191').message).toMatch(/\[ADDRESS\]:PORT/);
    expect(refusal('[nothost]:9191').message).toMatch(/not an IPv6 address/);
    expect(refusal('bad host:9191').message).toMatch(/not a host name or IP address/);
    expect(refusal('@').message).toMatch(/name after @ is empty/);
    expect(refusal('@' + 'n'.repeat(107)).message).toMatch(/106 bytes/);
    expect(refusal('/tmp/' + 'p'.repeat(120)).message).toMatch(/107 bytes/);
  });

  it('schemes and files', () => {
    expect(refusal('ftp://host/x').message).toMatch(/unknown scheme ftp/);
    expect(refusal('http://').message).toMatch(/not a valid URL|no host/);
    expect(refusal('file:').message).toMatch(/file: needs a path/);
    expect(refusal('missing-stats.sock').message).toMatch(/no such file \.\/missing-stats\.sock/);
  });

  it('messages quote the address the user typed', () => {
    expect(refusal(':99999').message).toContain('":99999"');
  });
});
