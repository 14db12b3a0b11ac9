/**
 * The relay as an attack surface: one WebSocket client flooding /ws with tiny frames (and never reading the
 * replies) is closed by the relay, whose memory stays bounded, while another client watching the same real
 * uWSGI keeps its updates. The relay runs as its own process, so its RSS is its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { ClientBudget } from '../../src/relay/client-budget.js';
import { cleanupAll, freePort, REPO_ROOT, startUwsgi, waitFor } from '../support/uwsgi.js';

let relay: ChildProcess | null = null;
afterAll(async () => {
  if (relay?.pid !== undefined && relay.exitCode === null) relay.kill('SIGKILL');
  await cleanupAll();
});

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** `count` masked one-byte text frames, as a browser would send them, in one buffer. */
function tinyFrames(count: number): Buffer {
  const frame = Buffer.from([0x81, 0x81, 0x01, 0x02, 0x03, 0x04, 'x'.charCodeAt(0) ^ 0x01]);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

/**
 * A raw WebSocket client that writes frames as fast as the relay takes them and never reads while it writes.
 * Resolves when the relay has closed the connection (`closed`), or after `giveUpMs` with `closed: false`.
 */
function flood(port: number, frames: Buffer, rounds: number, giveUpMs = 20_000): Promise<{ closed: boolean; sent: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let sent = 0;
    let upgraded = false;
    const giveUp = setTimeout(() => {
      upgraded = false;
      socket.destroy();
    }, giveUpMs);
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => {
      upgraded = chunk.toString('latin1').startsWith('HTTP/1.1 101');
      // Stop reading: replies pile up on the relay's side, as with a client that never reads.
      socket.pause();
      const pump = (): void => {
        while (sent < rounds && !socket.destroyed) {
          sent++;
          if (!socket.write(frames)) return void socket.once('drain', pump);
        }
        // Everything written: a paused socket never sees the relay's FIN, so read (and drop) what is left.
        socket.on('data', () => undefined);
        socket.resume();
      };
      pump();
    });
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ closed: upgraded, sent });
    });
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

describe('a WebSocket client flooding /ws', () => {
  it('is closed by the relay, whose RSS stays bounded, while another client keeps its updates', async () => {
    buildDist();
    const uw = await startUwsgi({ workers: 1 });
    const port = await freePort();
    relay = spawn(process.execPath, [LAUNCHER, 'serve', uw.statsAddress, '--listen', `127.0.0.1:${port}`, '--interval', '0.2'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    relay.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const pid = relay.pid!;
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok, 'the relay to answer');

    const watcher = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    let updates = 0;
    watcher.on('message', () => updates++);
    await waitFor(() => updates >= 2, 'the watcher to get updates');
    const before = rssBytes(pid);

    // 2,000,000 tiny frames (14 MB) if the relay keeps taking them.
    const result = await flood(port, tinyFrames(100_000), 20);
    const after = rssBytes(pid);
    expect(result.closed).toBe(true);
    expect(after - before).toBeLessThan(64 * 1024 * 1024);
    expect(stderr).toMatch(/relay: WebSocket client 127\.0\.0\.1:\d+ closed: more than \d+ (messages a second|bad messages)/);

    // The watcher was not the one closed: it keeps getting updates.
    const seen = updates;
    await waitFor(() => updates >= seen + 3, 'more updates for the watcher after the flood');
    expect(watcher.readyState).toBe(WebSocket.OPEN);
    watcher.close();
    relay.kill('SIGINT');
    await new Promise((ok) => relay!.once('exit', ok));
  }, 60_000);
});

describe('one client budget', () => {
  it('allows a burst, then the rate; counts error replies and unread reply bytes', () => {
    let now = 0;
    const budget = new ClientBudget({ messagesPerSecond: 10, burst: 30, maxErrorReplies: 3, maxQueuedBytes: 1000 }, () => now);
    for (let i = 0; i < 30; i++) expect(budget.message()).toBeNull();
    expect(budget.message()).toBe('more than 10 messages a second');
    now += 1000;
    for (let i = 0; i < 10; i++) expect(budget.message()).toBeNull();
    expect(budget.message()).not.toBeNull();
    expect([budget.errorReply(), budget.errorReply(), budget.errorReply()]).toEqual([null, null, null]);
    expect(budget.errorReply()).toBe('more than 3 bad messages');
    expect(budget.queued(1000)).toBeNull();
    expect(budget.queued(1001)).toBe('1001 bytes of replies it does not read');
  });
});
