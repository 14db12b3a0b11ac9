/**
 * The command line: parse the options (commander, writing only to the injected streams), pick the mode
 * (dashboard, text reports, JSON, NDJSON stream, or a subcommand) and return the exit status:
 * 0 every target read, 1 some target failed, 2 usage error. Never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { Output } from './output.js';
import { keysHelpText } from '../views/dashboard/keymap.js';
import { abortOnSignals } from './interrupt.js';
import { exitStatusFor } from './exit.js';
import { guardStreams } from './stream-guard.js';
import { addOptions, type MonitorOptions } from './option-table.js';
import { intervalMsOf, noColorAsked, parseCount, parseSeconds, parseSize, routeOutput } from './options.js';
import { parseCheck } from '../fifo/http-check.js';
import { buildTargets, parseTargets, type Target } from './targets.js';
import { collectSources } from './sources.js';
import type { Recordings } from './record-targets.js';

export interface MainIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

type SubcommandRunner = (argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv; stdin?: NodeJS.ReadableStream }) => Promise<number>;


// Loaded on demand, so that a report never pays for the relay's or the FIFO layer's modules.
const SUBCOMMANDS: Record<string, () => Promise<SubcommandRunner>> = {
  fifo: async () => (await import('./fifo-cli.js')).runFifoCli,
  dance: async () => (await import('./dance-cli.js')).runDanceCli,
  serve: async () => (await import('./serve-cli.js')).runServeCli,
  replay: async () => (await import('./replay-cli.js')).runReplayCli,
};

const NOT_A_TERMINAL = 'uwsgitop-ts: stdout is not a terminal: printing one report (use --once/--count/--json for scripts)\n';

const EXAMPLES = `
Commands:
  uwsgitop-ts [options] ADDR...   the dashboard on a terminal, else text reports or JSON (this help)
  uwsgitop-ts serve ADDR...       a relay: live web page, WebSocket feed, Prometheus /metrics
  uwsgitop-ts fifo FIFO COMMAND   write a master FIFO command and verify it by the stats
  uwsgitop-ts dance ...           the zerg dance (and rollback) of the uWSGI manual
  uwsgitop-ts replay PATH...      play back recordings made with --record (dashboard, --once --at, --json)
  uwsgitop-ts help [COMMAND]      this help, or a command's
  uwsgitop-ts version             the version (also -v, -V, --version)

Addresses: HOST:PORT, :PORT, [::1]:PORT, tcp://HOST:PORT, /path/stats.sock, unix:///path/stats.sock,
@abstract-name, http://HOST:PORT (--stats-http), file:PATH or - (a saved document), ws://HOST:PORT or
wss://HOST:PORT (a relay, uwsgitop-ts serve; wss:// with --tls-cert).

Examples:
  uwsgitop-ts 127.0.0.1:9191                  live dashboard
  uwsgitop-ts --once :9191 /run/app/stats.sock  one text report per target (rates over 1 s)
  uwsgitop-ts --count 5 --interval 2 :9191    five reports, two seconds apart
  uwsgitop-ts --json :9191 | jq .workers      one JSON record per target (docs/json-output.md)
  uwsgitop-ts --json --watch :9191            NDJSON stream, one record per target per poll
  uwsgitop-ts --fifo :9191=/run/app/master.fifo :9191   dashboard with master FIFO controls
  uwsgitop-ts -b -n 3 -d 2 :9191              as top: three batch reports, two seconds apart
  uwsgitop-ts --record app.uwrec :9191       dashboard, every poll recorded (docs/recording-format.md)
  uwsgitop-ts replay app.uwrec               the same dashboard over the recording

Exit status: 0 every target was read, 1 some target failed, 2 usage error.

${keysHelpText()}
`;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function buildProgram(io: MainIo): Command {
  const program = new Command('uwsgitop-ts')
    .description('Monitor uWSGI instances through their stats servers: live dashboard, text reports, JSON.')
    .argument('[address...]', 'stats server addresses (see below)');
  addOptions(program, 'monitor')
    .version(packageVersion(), '-v, --version', 'show the version (also -V)')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES);
  // Errors are printed by main() as one line with the program name.
  return routeOutput(program, io).action(() => undefined);
}

/** `help`, `help COMMAND`, `version`, `-V`: the words people type before reading the help. */
function helpWords(argv: string[]): string[] | null {
  const [first, second] = argv;
  if (first === 'version' || (first === '-V' && argv.length === 1)) return ['--version'];
  if (first !== 'help') return null;
  if (second === undefined) return ['--help'];
  if (Object.hasOwn(SUBCOMMANDS, second)) return [second, '--help'];
  throw new UsageError(`no command ${JSON.stringify(second)}: the commands are ${Object.keys(SUBCOMMANDS).join(', ')}, help, version`);
}

/** Run the command line with injected streams; resolves with the exit status (never throws). */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const writeErr = (text: string): void => void io.stderr.write(text);
  const streams = guardStreams(io.stdout, io.stderr);
  try {
    argv = helpWords(argv) ?? argv;
    const first = argv[0];
    if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) return streams.status(await runSubcommand(first, argv.slice(1), io));
    return streams.status(await runMain(argv, io, writeErr));
  } catch (err) {
    return streams.status(exitStatusFor(err, 'uwsgitop-ts', '--help', writeErr));
  } finally {
    streams.settle();
  }
}

async function runSubcommand(name: string, rest: string[], io: MainIo): Promise<number> {
  const run = await SUBCOMMANDS[name]!();
  return run(rest, { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, env: io.env });
}

async function runMain(argv: string[], io: MainIo, writeErr: (text: string) => void): Promise<number> {
  const program = buildProgram(io);
  await program.parseAsync(argv, { from: 'user' });
  const opts = program.opts<MonitorOptions>();

  const intervalMs = intervalMsOf(opts, program.getOptionValueSource('interval') === 'cli');
  const timeoutMs = Math.round(parseSeconds('--timeout', opts.timeout, 0.1) * 1000);
  const maxBytes = parseSize('--max-bytes', opts.maxBytes);
  const count = opts.count === undefined ? null : parseCount('--count', opts.count);
  if (opts.batch) {
    if (opts.json) throw new UsageError('-b (batch, as top) prints text reports: for JSON use --json --watch');
    opts.watch = true;
  }
  if (opts.once && opts.watch) throw new UsageError('--once and --watch contradict each other (use --count N with --watch)');
  // Checked before any target is read, whatever the mode; loaded only when given (it brings the table specs).
  if (opts.sort !== undefined) (await import('../views/dashboard/model/start.js')).sortColumnId(opts.sort);

  const sources = await collectSources(program.args, opts.fifo, opts.ini ?? []);
  for (const problem of sources.problems) writeErr(`uwsgitop-ts: warning: ${problem}\n`);
  if (sources.addresses.length === 0) throw new UsageError('no stats address given (e.g. uwsgitop-ts 127.0.0.1:9191)');
  const addresses = parseTargets(sources.addresses);
  const relayAddresses = addresses.filter((a) => a.kind === 'relay');
  // The relay client (and ws) is loaded only when a ws:// address is given.
  const relay = relayAddresses.length > 0 ? await import('./relay-targets.js') : null;
  // The dashboard shows the relay client's notes as events; the other modes say them on stderr.
  const relayLog = wantsDashboard(opts, count, io) ? undefined : (line: string) => writeErr(`uwsgitop-ts: warning: ${line}
`);
  const relays = relay === null ? [] : await relay.openRelays(relayAddresses, addresses.length > 1, Math.max(timeoutMs, 5000), relayLog);
  try {
    // An untrusted certificate will not become trusted by retrying: one line, then the command ends.
    const fatal = relays.find((o) => o.fatal !== undefined)?.fatal;
    if (fatal !== undefined) throw fatal;
    const targets = buildTargets(addresses, io.stdin, { timeoutMs, maxBytes, showSecrets: opts.showSecrets === true }, (address) => {
      const opening = relays.find((o) => o.address === address);
      if (opening === undefined || relay === null) return [];
      return opening.error === null ? opening.targets : [relay.failedRelayTarget(opening)];
    });
    for (const t of targets) {
      const limit = sources.maxRequests.get(t.name);
      if (limit !== undefined) t.maxRequests = limit;
    }
    if (opts.record !== undefined && (opts.once || (opts.json && !opts.watch && count === null))) {
      throw new UsageError('--record records a watch: use it with the dashboard, --watch or --count, not a one-shot report');
    }
    // Loaded only when asked for, like every mode.
    const recordings = opts.record === undefined ? null : (await import('./record-targets.js')).startRecordings(targets, opts, intervalMs, writeErr);
    try {
      const labels = new Map([...sources.origins].map(([name, o]) => [name, o.vassal ?? basename(o.ini)] as const));
      return await runMode(targets, sources.fifos, labels, opts, { intervalMs, timeoutMs, count }, io, writeErr, recordings);
    } finally {
      recordings?.close();
    }
  } finally {
    relay?.closeRelays(relays);
  }
}

/** True when these options on this terminal run the live dashboard (no --json, no text mode, a real terminal). */
function wantsDashboard(opts: MonitorOptions, count: number | null, io: MainIo): boolean {
  const textMode = Boolean(opts.once || opts.watch || count !== null);
  const isTerminal = (io.stdout as { isTTY?: boolean }).isTTY === true && io.env.TERM !== 'dumb';
  return !opts.json && !textMode && isTerminal;
}

interface Timing {
  intervalMs: number;
  timeoutMs: number;
  count: number | null;
}

async function runMode(
  targets: Target[],
  fifos: Map<string, string[]>,
  labels: ReadonlyMap<string, string>,
  opts: MonitorOptions,
  { intervalMs, timeoutMs, count }: Timing,
  io: MainIo,
  writeErr: (text: string) => void,
  recordings: Recordings | null,
): Promise<number> {

  const textMode = Boolean(opts.once || opts.watch || count !== null);
  if (wantsDashboard(opts, count, io)) {
    const color = opts.color && opts.colour && !noColorAsked(io.env);
    // Each mode is loaded on demand: the dashboard never loads the JSON writers, a report never loads blessed.
    const { runDashboardCli } = await import('./dashboard-cli.js');
    const settleMs = Math.round(parseSeconds('--settle', opts.settle, 0) * 1000);
    const checks = opts.check.map(parseCheck);
    const start = { ...(opts.sort !== undefined ? { sort: opts.sort } : {}), ...(opts.filter !== undefined ? { filter: opts.filter } : {}) };
    return runDashboardCli({ targets, fifos, labels, start, color, confirm: opts.confirm, intervalMs, timeoutMs, settleMs, checks, recordings, tracebacker: opts.tracebacker ?? null }, io);
  }

  const out = new Output(io.stdout);
  const controller = new AbortController();
  // Signals are handled only by the modes that run for a while; a one-shot keeps the default (exit on ^C).
  const looping = Boolean(opts.watch || (count !== null && count > 1));
  const removeHandlers = looping ? abortOnSignals(controller) : () => undefined;
  const stopOnClose = out.onClosed(() => controller.abort(new Error('stdout closed')));
  try {
    if (opts.json && !opts.watch && count === null) {
      const { runJsonOnce } = await import('./json-cli.js');
      const failed = await runJsonOnce(targets, out, writeErr, controller.signal);
      return failed && !out.closed ? 1 : 0;
    }
    const dumb = (io.stdout as { isTTY?: boolean }).isTTY === true && io.env.TERM === 'dumb';
    if (!opts.json && !textMode) writeErr(dumb ? NOT_A_TERMINAL.replace('stdout is not a terminal', 'TERM=dumb cannot show the dashboard') : NOT_A_TERMINAL);
    const common = { targets, intervalMs, out, writeErr, signal: controller.signal };
    const result = opts.json
      ? await (await import('./watch-cli.js')).runJsonWatch({ ...common, count: opts.watch ? count : count ?? 1, timeoutMs })
      : await (await import('./report-cli.js')).runTextReports({ ...common, count: opts.watch ? count : count ?? 1 });
    // Interrupting a stream (^C, `| head`) is how it normally ends: that is success.
    if (result.interrupted) return 0;
    return result.failed ? 1 : 0;
  } finally {
    stopOnClose();
    removeHandlers();
    out.dispose();
  }
}
