/**
 * The one option table: every option of every command (the monitor, `serve`, `fifo`, `dance`), with its
 * help text and default. It drives commander for each command, the types the commands read back (OptionsOf,
 * derived from the rows by the compiler), and the options section of README.md (a test keeps that section
 * equal to `optionsMarkdown()`).
 * Habits of other tools (uwsgitop's --frequency, top's -d -b -n, htop's -C) are rows like any other.
 */
import { Option, type Command } from 'commander';

export type CommandName = 'monitor' | 'serve' | 'fifo' | 'dance' | 'replay';

export interface OptionRow {
  /** commander's flags: '-i, --interval <seconds>', '--no-color', '--fifo <address=path>'. */
  flags: string;
  description: string;
  commands: readonly CommandName[];
  /** Default value (commander's; shown in the help and README). */
  default?: string;
  /** The option may be given several times; its values are collected in order. */
  repeatable?: boolean;
}

/** Defaults and floors of the common options. */
export const DEFAULT_INTERVAL_S = 1;
export const MIN_INTERVAL_S = 0.1;
export const DEFAULT_TIMEOUT_S = 3;
export const DEFAULT_MAX_BYTES_TEXT = '64M';
export const DEFAULT_EFFECT_TIMEOUT_S = 30;

const WATCHERS = ['monitor', 'serve'] as const;

/** Every option, in the order the help lists them. */
export const OPTION_TABLE = [
  { flags: '--once', description: 'print one text report per target and exit (reads twice, one interval apart, for rates)', commands: ['monitor'] },
  { flags: '-n, --count <n>', description: 'print N reports (or N JSON lines per target), one interval apart', commands: ['monitor'] },
  { flags: '--json', description: 'print JSON records (one per target per line, NDJSON) instead of text', commands: ['monitor'] },
  { flags: '--watch', description: 'keep printing (with --json: an NDJSON stream) until interrupted or --count', commands: ['monitor'] },
  { flags: '-b, --batch', description: 'text reports, one per interval, until interrupted or -n N (as top -b)', commands: ['monitor'] },
  { flags: '-i, --interval <seconds>', description: `time between reads, seconds (2, 0.5, 2s, 500ms; minimum ${MIN_INTERVAL_S})`, commands: WATCHERS, default: String(DEFAULT_INTERVAL_S) },
  { flags: '-d, --delay <seconds>', description: 'the same as --interval (as top -d)', commands: ['monitor'] },
  { flags: '--frequency <seconds>', description: 'the same as --interval (as uwsgitop --frequency)', commands: WATCHERS },
  { flags: '--timeout <seconds>', description: 'give up on a stats read after this long', commands: WATCHERS, default: String(DEFAULT_TIMEOUT_S) },
  { flags: '--max-bytes <size>', description: 'largest stats document accepted (e.g. 64M)', commands: WATCHERS, default: DEFAULT_MAX_BYTES_TEXT },
  { flags: '--show-secrets', description: 'show cookies, Authorization and token-like query parameters of in-flight requests (masked by default)', commands: WATCHERS },
  { flags: '--no-color', description: 'no colours in the dashboard (also: NO_COLOR set to a non-empty value)', commands: ['monitor'] },
  { flags: '-C, --no-colour', description: 'the same as --no-color (as htop -C)', commands: ['monitor'] },
  { flags: '--no-confirm', description: 'dashboard: write FIFO commands without asking y/N first', commands: ['monitor'] },
  { flags: '-s, --sort <column>', description: 'dashboard: start with the workers (vassals, nodes) table sorted by this column, by its title or name (rss, busy%, req; as htop -s)', commands: ['monitor'] },
  { flags: '-F, --filter <text>', description: 'dashboard: start with the workers (vassals, nodes) table filtered by this text, as typed at / (as htop -F)', commands: ['monitor'] },
  { flags: '--fifo <address=path>', description: "pair a stats address with its instance's master FIFO (repeatable)", commands: WATCHERS, repeatable: true },
  { flags: '--ini <files...>', description: 'read targets (stats, master-fifo) from uWSGI ini files or a vassals directory', commands: WATCHERS },
  { flags: '--tracebacker <path>', description: "dashboard: the instance's --py-tracebacker PATH, to show a worker's Python stacks (Enter); found from a local master's command line without it", commands: ['monitor'] },

  { flags: '--record <path>', description: 'record every poll into this file (a directory, one recording per target, with several targets or with serve); play it back with `uwsgitop-ts replay`', commands: WATCHERS },
  { flags: '--record-max <size>', description: 'cap on a recording with all its rotated segments (FILE.1, FILE.2...); the oldest are dropped first', commands: WATCHERS, default: '256M' },
  { flags: '--record-keep <duration>', description: 'drop rotated segments older than this (e.g. 12h, 7d)', commands: WATCHERS },
  { flags: '--record-min-free <size>', description: 'stop recording, with one message, when the disk has less free space than this (monitoring goes on)', commands: WATCHERS, default: '256M' },
  { flags: '--record-keyframe <polls>', description: 'a whole document every N polls, patches between (smaller: faster seeks, bigger files)', commands: WATCHERS, default: '300' },

  { flags: '--listen <host:port>', description: 'where the relay listens (loopback unless --token-file)', commands: ['serve'], default: '127.0.0.1:9192' },
  { flags: '--token-file <file>', description: 'require this token (Authorization: Bearer or ?token=) on every request', commands: ['serve'] },
  { flags: '--allow-control', description: 'accept named master FIFO commands from clients with the token (each is logged)', commands: ['serve'] },
  { flags: '--collect-cores', description: 'Prometheus series per worker core (uwsgi_worker_core_*): many series with threads or async', commands: ['serve'] },
  { flags: '--probe-any-target', description: '/probe reads any HOST:PORT or http(s):// address, not only the watched ones (makes the relay a scanner)', commands: ['serve'] },
  { flags: '--history <duration>', description: 'how much history the page and the feed keep per target (e.g. 600s, 10m, 2h)', commands: ['serve'], default: '10m' },
  { flags: '--tls-cert <file>', description: 'serve HTTPS and WSS with this PEM certificate chain (with --tls-key)', commands: ['serve'] },
  { flags: '--tls-key <file>', description: 'the PEM private key of --tls-cert', commands: ['serve'] },

  { flags: '--stats <address>', description: 'the instance stats address (host:port, socket path, @name, http://...)', commands: ['fifo'] },
  { flags: '--wait', description: 'wait for the effect (needs --stats, except for slot switches)', commands: ['fifo'] },
  { flags: '--raw <chars>', description: 'write these command characters (checked against the table), e.g. --raw 2p', commands: ['fifo'] },
  { flags: '--ini <file>', description: 'the instance ini: its stats address and FIFO slots (when --stats is not given)', commands: ['fifo'], repeatable: true },
  { flags: '--timeout <seconds>', description: 'how long the effect may go without progress, seconds (at most 3600)', commands: ['fifo', 'dance'], default: String(DEFAULT_EFFECT_TIMEOUT_S) },
  { flags: '--canary', description: 'chain-reload: reload one worker first (SIGHUP, needs --lazy-apps and a local master), hold and check it, then the rest', commands: ['fifo'] },
  { flags: '--settle <seconds>', description: "a canary (fifo --canary, the dashboard's k at a chain reload's y/N): how long the canary worker must stay healthy", commands: ['fifo', 'monitor'], default: '10' },
  { flags: '--check <url>', description: "GET this URL during and after a reload (URL=2xx sets the expected class; the dashboard's reloads too); another status fails it (repeatable)", commands: ['fifo', 'dance', 'monitor'], repeatable: true },

  { flags: '--new <fifo>', description: "the new instance's FIFO (slot 0, new.fifo)", commands: ['dance'] },
  { flags: '--running <fifo>', description: "the running instance's FIFO (slot 1, running.fifo)", commands: ['dance'] },
  { flags: '--sleeping <fifo>', description: "the sleeping instance's FIFO (slot 2, sleeping.fifo)", commands: ['dance'] },
  { flags: '--new-stats <address>', description: 'stats address of the new instance (verifies its steps)', commands: ['dance'] },
  { flags: '--running-stats <address>', description: 'stats address of the running instance', commands: ['dance'] },
  { flags: '--sleeping-stats <address>', description: 'stats address of the sleeping instance', commands: ['dance'] },
  { flags: '--json', description: 'print the NDJSON records of every recorded poll, as --json --watch printed them', commands: ['replay'] },
  { flags: '--once', description: 'print the text report of one moment (--at, default the end) and exit', commands: ['replay'] },
  { flags: '--at <time>', description: 'the moment: 2026-12-01T03:12:00Z, 03:12:05 (local time), +90s from the start', commands: ['replay'] },
  { flags: '--speed <x>', description: 'initial playing speed: 1, 2, 5, 10, 20, 50 or 100', commands: ['replay'], default: '1' },
  { flags: '--show-secrets', description: 'show request secrets a recording made with --show-secrets holds (masked by default)', commands: ['replay'] },
  { flags: '--no-color', description: 'no colours in the dashboard (also: NO_COLOR set to a non-empty value)', commands: ['replay'] },

  { flags: '--manual-order', description: 'rollback: Q to running.fifo then p1 to sleeping.fifo (the manual\'s order)', commands: ['dance'] },
] as const satisfies readonly OptionRow[];

type Row = (typeof OPTION_TABLE)[number];
type RowsOf<C extends CommandName> = Row extends infer R ? (R extends Row ? (C extends R['commands'][number] ? R : never) : never) : never;
/** The long flag's name: '-i, --interval <seconds>' -> 'interval'. */
type LongFlag<F extends string> = F extends `${string}--${infer Rest}` ? (Rest extends `${infer Name} ${string}` ? Name : Rest) : never;
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
/** commander's attribute: '--max-bytes' -> maxBytes, '--no-color' -> color. */
type Attribute<F extends string> = LongFlag<F> extends `no-${infer Negated}` ? Camel<Negated> : Camel<LongFlag<F>>;
type ValueOf<R extends Row> = R extends { repeatable: true } ? string[] : R['flags'] extends `${string}...>` ? string[] : R['flags'] extends `${string}<${string}` ? string : boolean;
/** Set even when not given: a default, a repeatable list (starts empty) or a --no- flag (starts true). */
type AlwaysSet<R extends Row> = R extends { default: string } | { repeatable: true } ? true : LongFlag<R['flags']> extends `no-${string}` ? true : false;

/** What a command reads back from commander, derived from the table (a new row is typed where it is read). */
export type OptionsOf<C extends CommandName> = {
  [R in RowsOf<C> as AlwaysSet<R> extends true ? Attribute<R['flags']> : never]: ValueOf<R>;
} & {
  [R in RowsOf<C> as AlwaysSet<R> extends true ? never : Attribute<R['flags']>]?: ValueOf<R>;
};

/** The flight recorder's options, as `monitor` and `serve` read them back. */
export type RecordOptions = Pick<OptionsOf<'serve'>, 'record' | 'recordMax' | 'recordKeep' | 'recordMinFree' | 'recordKeyframe' | 'showSecrets'>;
/** What `replay` reads back. */
export type ReplayOptions = OptionsOf<'replay'>;
/** What the monitor command reads back from commander (attribute names follow the table's flags). */
export type MonitorOptions = OptionsOf<'monitor'>;
/** What `serve` reads back. */
export type ServeOptions = OptionsOf<'serve'>;
/** What `fifo` reads back. */
export type FifoOptions = OptionsOf<'fifo'>;
/** What `dance` reads back. */
export type DanceOptions = OptionsOf<'dance'>;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The rows of one command. */
export function optionsOf(name: CommandName): OptionRow[] {
  return OPTION_TABLE.filter((r: OptionRow) => r.commands.includes(name));
}

/** Add every option of `name` from the table to a commander command. */
export function addOptions(command: Command, name: CommandName): Command {
  for (const row of optionsOf(name)) {
    const option = new Option(row.flags, row.description);
    if (row.repeatable) option.argParser(collect).default([] as string[]);
    else if (row.default !== undefined) option.default(row.default);
    command.addOption(option);
  }
  return command;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The README's options section: one table per command, from the option table. */
export function optionsMarkdown(): string {
  const titles: Record<CommandName, string> = {
    monitor: '`uwsgitop-ts [options] ADDR...` (dashboard, reports, JSON)',
    serve: '`uwsgitop-ts serve [options] ADDR...`',
    fifo: '`uwsgitop-ts fifo [options] FIFO COMMAND...`',
    dance: '`uwsgitop-ts dance [rollback] [options]`',
    replay: '`uwsgitop-ts replay [options] PATH...` (recordings made with --record)',
  };
  const out: string[] = [];
  for (const name of ['monitor', 'serve', 'fifo', 'dance', 'replay'] as const) {
    out.push(titles[name], '', '| option | default | what |', '| --- | --- | --- |');
    for (const row of optionsOf(name)) {
      const repeat = row.repeatable && !row.description.includes('repeatable') ? ' (repeatable)' : '';
      out.push(`| \`${cell(row.flags)}\` | ${row.default !== undefined ? `\`${row.default}\`` : ''} | ${cell(row.description)}${repeat} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
