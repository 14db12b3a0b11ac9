/** Test-only helpers for the relay protocol tests: real relay messages built from the sample documents, and a relay that sends what a test scripts. */
import { WebSocketServer, type WebSocket } from 'ws';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import type { TargetMonitor } from '../../src/monitor/types.js';
import { encodeMessage, helloMessage, helloTarget, latestPoints, targetState, updateMessage } from '../../src/relay/protocol.js';
import { copy, sample, snap } from './metrics-fixtures.js';

/** A monitor core fed two polls of a sample, the second with more requests, so derived values and history exist. */
export function polled(name: string): MonitorCore {
  const core = new MonitorCore(`relay-test/${name}`);
  const first = sample(name);
  const second = copy(first);
  for (const w of second.workers ?? []) w.requests += 10;
  core.ingestSnapshot(snap(first, 0, core.target), 1);
  core.ingestSnapshot(snap(second, 1000, core.target), 2);
  return core;
}

export function asMonitor(core: MonitorCore): TargetMonitor {
  return {
    target: core.target,
    intervalMs: 1000,
    latest: () => core.latest(),
    subscribe: () => () => undefined,
    history: (n) => core.history(n),
    events: () => core.events(),
    addEvent: (e) => core.addEvent(e),
    refresh() {},
    setIntervalMs() {},
    stop() {},
  };
}

/** A real update message of a sample, as JSON text and as the JSON value a client parses. */
export function realUpdate(name: string): { text: string; json: Record<string, unknown> } {
  const core = polled(name);
  const latest = core.latest()!;
  const text = encodeMessage(updateMessage(latest.target, 1, targetState(latest), { events: latest.events, points: latestPoints(asMonitor(core)), at: latest.snapshot?.readAtMs ?? 0 }));
  return { text, json: JSON.parse(text) as Record<string, unknown> };
}

/** The hello a relay of these monitors sends (each target at revision 0). */
export function realHello(monitors: readonly TargetMonitor[], control: boolean, commands: readonly string[]): string {
  const targets = monitors.map((m) => {
    const latest = m.latest();
    return helloTarget(m, 0, latest === null ? null : targetState(latest));
  });
  return encodeMessage(helloMessage(targets, control, commands, 600));
}

/** A WebSocket server on a free loopback port that sends each new client the frames `script` gives it. */
export async function scriptedRelay(script: (ws: WebSocket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => script(ws));
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
