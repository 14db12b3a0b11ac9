/**
 * `uwsgitop-ts serve ADDR... [--ini FILE...] [--listen 127.0.0.1:9192]`: one monitor per target feeding the
 * relay (live page, WebSocket feed, Prometheus endpoint) until SIGINT/SIGTERM or the injected signal.
 */
import { hostname, networkInterfaces } from 'node:os';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { createMonitor, type ControllableMonitor } from '../monitor/monitor.js';
import { escapeControls } from '../core/safe-text.js';
import { isLoopbackHost } from '../relay/auth.js';
import { pageAddress } from '../web/page-address.js';
import { startRelay, type RelayControl } from '../web/server.js';
import type { TargetOrigin } from '../web/sd.js';
import { readSnapshot } from '../stats/client.js';
import { publicReadError } from '../stats/public-error.js';
import { abortOnSignals } from './interrupt.js';
import { exitStatusFor } from './exit.js';
import { addOptions, type ServeOptions } from './option-table.js';
import { intervalMsOf, parseDuration, parseSeconds, parseSize, routeOutput } from './options.js';
import { collectSources } from './sources.js';
import { buildTargets, isOnThisHost, monitorPlacement, parseTargets } from './targets.js';
import { discoverControls } from './discover.js';
import { startRecordings } from './record-targets.js';
import { readTlsPair, readToken } from './serve-files.js';

export interface ServeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborting ends the relay (as SIGINT does). */
  signal?: AbortSignal;
}


const EXAMPLES = `
Examples:
  uwsgitop-ts serve 127.0.0.1:9191 /run/app/stats.sock        page at http://127.0.0.1:9192/
  uwsgitop-ts serve --ini /etc/uwsgi/apps/*.ini --listen 127.0.0.1:9300
  uwsgitop-ts serve :9191 --listen 0.0.0.0:9192 --token-file /etc/uwsgitop/token
                                  page at http://THIS-HOST:9192/?token=<the token in the file>
  uwsgitop-ts serve --fifo :9191=/run/app/master.fifo --allow-control --token-file TOKEN
  uwsgitop-ts serve :9191 :9292 --record /var/lib/uwsgitop --record-keep 7d   flight recorder

Routes: /  (live page)   /ws  (WebSocket feed, docs/relay-protocol.md)   /metrics  (Prometheus, every target)
        /probe?target=ADDR  (one target)   /sd  (Prometheus HTTP service discovery)   /metrics/relay
        /api/snapshot  (JSON of every target's latest update)   /healthz  (says ok, needs no token)
Binding anything but loopback requires --token-file; clients then send "Authorization: Bearer TOKEN",
basic auth with the token as password, or ?token=TOKEN. Off loopback add --tls-cert/--tls-key so the
token and the stats travel encrypted (https:// and wss://).
The dashboard reaches a relay with: uwsgitop-ts ws://HOST:PORT (wss:// with TLS)
`;


/** Parse `HOST:PORT`, `[v6]:PORT` or `:PORT` (loopback). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`--listen wants HOST:PORT (e.g. 127.0.0.1:9192), got ${JSON.stringify(text)}`);
  return { host: m[1] ?? (m[2] === '' || m[2] === undefined ? '127.0.0.1' : m[2]), port };
}

function buildProgram(io: ServeIo): Command {
  const program = new Command('uwsgitop-ts serve')
    .description('Serve a live web page, a WebSocket feed and Prometheus metrics for uWSGI instances (one stats read per target per interval).')
    .argument('[address...]', 'stats server addresses (as for uwsgitop-ts)');
  addOptions(program, 'serve').helpOption('-h, --help', 'show this help').addHelpText('after', EXAMPLES);
  return routeOutput(program, io).action(() => undefined);
}

/** Run `uwsgitop-ts serve` with injected streams; resolves with the exit status once stopped (never throws). */
export async function runServeCli(argv: string[], io: ServeIo): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`uwsgitop-ts: ${line}\n`);
  try {
    return await serve(argv, io, say);
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    const why = inUse ? new Error(`the --listen address is already in use (${(err as Error).message})`) : err;
    return exitStatusFor(why, 'uwsgitop-ts: serve', 'serve --help', (text) => void io.stderr.write(text));
  }
}

/** The settings serve checks before it reads anything: interval, bounds, listen address, history, TLS and the token. */
function serveSettings(opts: ServeOptions, intervalFromCli: boolean, say: (line: string) => void) {
  const intervalMs = intervalMsOf(opts, intervalFromCli);
  const timeoutMs = Math.round(parseSeconds('--timeout', opts.timeout, 0.1) * 1000);
  const maxBytes = parseSize('--max-bytes', opts.maxBytes);
  const { host, port } = parseListen(opts.listen);
  const historyMs = parseDuration('--history', opts.history);
  // Each point costs every target and every tab memory: a day at the finest interval is the ceiling.
  if (historyMs < 10_000 || historyMs > 86_400_000) throw new UsageError(`--history wants 10s to 24h, got ${JSON.stringify(opts.history)}`);
  const historySize = Math.max(2, Math.ceil(historyMs / intervalMs));
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? readTlsPair(opts.tlsCert, opts.tlsKey) : null;
  const token = opts.tokenFile !== undefined ? readToken(opts.tokenFile, say) : null;
  if (token === null && !isLoopbackHost(host)) {
    throw new UsageError(`--listen ${escapeControls(host)} is not a loopback address: anyone on the network could read the stats; add --token-file FILE`);
  }
  if (opts.allowControl && token === null) throw new UsageError('--allow-control needs --token-file: commands are taken only from clients holding the token');
  return { intervalMs, timeoutMs, maxBytes, host, port, historySize, tls, token };
}

/** The lines serve prints once listening: where the page is, what it watches, and whether a token and control are on. */
function announcement(port: number, o: { host: string; tls: boolean; tokenFile: string | null; targets: number; intervalMs: number; controls: number | null }): string {
  const plain = pageAddress(o.host, port, o.tokenFile, { hostname: hostname(), addresses: Object.values(networkInterfaces()).flatMap((list) => list ?? []) });
  const scheme = (text: string): string => (o.tls ? text.replaceAll('http://', 'https://') : text);
  const where = { headline: scheme(plain.headline), alternatives: plain.alternatives.map(scheme) };
  return (
    `uwsgitop-ts relay: ${where.headline} watching ${o.targets} target${o.targets === 1 ? '' : 's'} every ${o.intervalMs / 1000} s` +
    ` (/ page, /ws feed, /metrics, /probe, /sd, /api/snapshot, /healthz)${o.tokenFile !== null ? '; token required' : ''}` +
    `${o.controls !== null ? `; control on for ${o.controls} target${o.controls === 1 ? '' : 's'}` : ''}\n` +
    (where.alternatives.length > 0 ? `uwsgitop-ts relay: also reachable as ${where.alternatives.join(' ')}\n` : '')
  );
}

/**
 * Fill `controls` for --allow-control: each target's --fifo or ini master-fifo, and a local master's own FIFO
 * found from its command line. Returns what stops that discovery.
 */
async function wireControls(
  targets: ReturnType<typeof buildTargets>,
  monitors: ControllableMonitor[],
  sources: Awaited<ReturnType<typeof collectSources>>,
  controls: Map<string, RelayControl>,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<() => void> {
  const local = targets.filter((t) => isOnThisHost(t) && !sources.fifos.has(t.name)).map((t) => t.name);
  const { createTargetControl } = await import('../fifo/control.js');
  // Commands are verified by the target's own poller: one request in flight, its --timeout and --max-bytes.
  const controlOf = (name: string, monitor: ControllableMonitor, paths: readonly string[]): RelayControl =>
    createTargetControl(paths[0]!, name, { slotPaths: [...paths], reader: (_address, ms) => monitor.readNow(ms + timeoutMs + 2000) });
  // A local master's own FIFO (its command line or ini) is used without --fifo, as in the dashboard.
  const stopDiscovery = discoverControls<RelayControl>(local, monitors, controls, async (name, paths) => controlOf(name, monitors[targets.findIndex((t) => t.name === name)]!, paths));
  if (sources.fifos.size === 0 && local.length === 0) {
    say('warning: --allow-control without any --fifo ADDR=PATH or ini master-fifo: no target can be controlled');
    return stopDiscovery;
  }
  for (const [i, t] of targets.entries()) {
    const paths = sources.fifos.get(t.name);
    if (paths !== undefined && paths.length > 0) controls.set(t.name, controlOf(t.name, monitors[i]!, paths));
  }
  return stopDiscovery;
}

async function serve(argv: string[], io: ServeIo, say: (line: string) => void): Promise<number> {
  const program = buildProgram(io);
  await program.parseAsync(argv, { from: 'user' });
  const opts = program.opts<ServeOptions>();
  const { intervalMs, timeoutMs, maxBytes, host, port, historySize, tls, token } = serveSettings(opts, program.getOptionValueSource('interval') === 'cli', say);
  const sources = await collectSources(program.args, opts.fifo, opts.ini ?? []);
  for (const problem of sources.problems) say(`warning: ${problem}`);
  if (sources.addresses.length === 0) throw new UsageError('no stats address given (e.g. uwsgitop-ts serve 127.0.0.1:9191)');
  const addresses = parseTargets(sources.addresses);
  for (const a of addresses) {
    if (a.kind === 'relay') throw new UsageError(`${escapeControls(a.text)} is a relay: serve watches stats servers, not other relays`);
    if (a.kind === 'stdin') throw new UsageError('serve cannot watch - (stdin): a relay re-reads every interval');
  }
  // stdin is refused above: the targets never read it.
  const showSecrets = opts.showSecrets === true;
  if (showSecrets && !isLoopbackHost(host)) {
    say(`warning: --show-secrets on ${escapeControls(host)} (not loopback): every holder of the token sees the cookies and credentials of in-flight requests`);
  }
  const targets = buildTargets(addresses, Readable.from([]), { timeoutMs, maxBytes, showSecrets });
  for (const t of targets) {
    const limit = sources.maxRequests.get(t.name);
    if (limit !== undefined) t.maxRequests = limit;
    // A failure leaves the relay (feed, page, /api/snapshot, events) without the bytes it quotes from the reply.
    const read = t.fetch.bind(t);
    t.fetch = (signal, observe) => read(signal, observe).catch((err: unknown) => Promise.reject(publicReadError(err)));
  }
  const origins = new Map<string, TargetOrigin>(targets.flatMap((t) => { const o = sources.origins.get(t.name); return o !== undefined ? [[t.name, o] as const] : []; }));

  const recordings = startRecordings(targets, opts, intervalMs, (text) => void io.stderr.write(text), true);
  const monitors: ControllableMonitor[] = targets.map((t) => createMonitor(t.name, t.fetch, { ...monitorPlacement(t), intervalMs, historySize, readTimeoutMs: timeoutMs + 2000, ...(t.maxRequests !== undefined ? { maxRequests: t.maxRequests } : {}) }));
  const controls = new Map<string, RelayControl>();
  const stopDiscovery = opts.allowControl ? await wireControls(targets, monitors, sources, controls, timeoutMs, say) : (): void => undefined;
  const controller = new AbortController();
  const removeHandlers = abortOnSignals(controller);
  const onOuterAbort = (): void => controller.abort();
  io.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (io.signal?.aborted) controller.abort();
  try {
    const relay = await startRelay(monitors, {
      host,
      port,
      token,
      allowControl: opts.allowControl ?? false,
      controls,
      showSecrets,
      tls,
      log: (line) => say(line),
      collectCores: opts.collectCores ?? false,
      probeAnyTarget: opts.probeAnyTarget ?? false,
      probeRead: (address, signal) => readSnapshot(address, { timeoutMs, maxBytes, signal }).catch((err: unknown) => Promise.reject(publicReadError(err))),
      probeMinIntervalMs: intervalMs,
      origins,
    });
    io.stdout.write(announcement(relay.port, { host, tls: tls !== null, tokenFile: token !== null ? opts.tokenFile! : null, targets: targets.length, intervalMs, controls: opts.allowControl ? controls.size : null }));
    if (!controller.signal.aborted) await new Promise<void>((ok) => controller.signal.addEventListener('abort', () => ok(), { once: true }));
    await relay.close();
    return 0;
  } finally {
    stopDiscovery();
    for (const m of monitors) m.stop();
    recordings?.close();
    removeHandlers();
    io.signal?.removeEventListener('abort', onOuterAbort);
  }
}
