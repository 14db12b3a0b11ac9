/**
 * The man page uwsgitop-ts(1) and the bash, zsh and fish completions, made from the one option table at build
 * time (scripts/shell-docs.mjs writes them into dist/), so they cannot drift from the commands' options.
 */
import { optionsOf, type CommandName, type OptionRow } from './option-table.js';

/** One flag of a table row, split: `-i, --interval <seconds>` is short -i, long --interval, value "seconds". */
export interface Flag {
  short?: string;
  long: string;
  /** The value's name (`seconds`, `files...`), absent for a switch. */
  value?: string;
  /** The value names a file or directory (completed with file names). */
  isPath: boolean;
}

/** The subcommands, in the help's order, with the synopsis and the line the man page and completions show. */
export const SHELL_COMMANDS: ReadonlyArray<{ name: CommandName; synopsis: string; summary: string }> = [
  { name: 'monitor', synopsis: '[options] ADDR...', summary: 'the live dashboard on a terminal, else text reports or JSON' },
  { name: 'serve', synopsis: 'serve [options] ADDR...', summary: 'a relay: live web page, WebSocket feed, Prometheus /metrics' },
  { name: 'fifo', synopsis: 'fifo [options] FIFO COMMAND...', summary: 'write a master FIFO command and verify it by the stats' },
  { name: 'dance', synopsis: 'dance [rollback] [options]', summary: 'the zerg dance (and rollback) of the uWSGI manual' },
  { name: 'replay', synopsis: 'replay [options] PATH...', summary: 'play back recordings made with --record' },
];

/** Words accepted in place of a command besides the table's (main.ts answers them). */
const HELP_WORDS = [
  { name: 'help', summary: 'the help, or a command\'s' },
  { name: 'version', summary: 'the version' },
];

/** Options commander adds to every command besides the table's rows. */
const BUILT_IN: ReadonlyArray<{ flags: string; description: string; monitorOnly?: boolean }> = [
  { flags: '-h, --help', description: 'show the help' },
  { flags: '-v, --version', description: 'show the version (also -V)', monitorOnly: true },
];

const PATH_VALUES = /^(file|files\.\.\.|path|fifo)$/;

/** Split a commander flags string into its parts. */
export function parseFlags(flags: string): Flag {
  const m = /^(?:(-\w), )?(--[\w-]+)(?: <([^>]+)>)?$/.exec(flags);
  if (!m) throw new Error(`option flags not understood: ${flags}`);
  const value = m[3];
  return { ...(m[1] ? { short: m[1] } : {}), long: m[2]!, ...(value ? { value } : {}), isPath: value !== undefined && PATH_VALUES.test(value) };
}

/** A command's rows plus commander's own help (and version) options, as flags and descriptions. */
export function shellOptions(name: CommandName): Array<{ flag: Flag; row: Pick<OptionRow, 'description' | 'default' | 'repeatable'> }> {
  const rows: Array<Pick<OptionRow, 'flags' | 'description' | 'default' | 'repeatable'>> = [
    ...optionsOf(name),
    ...BUILT_IN.filter((b) => !b.monitorOnly || name === 'monitor'),
  ];
  return rows.map((row) => ({ flag: parseFlags(row.flags), row }));
}

function roff(text: string): string {
  const escaped = text.replace(/\\/g, '\\e');
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

function roffFlag(flag: Flag): string {
  const names = [flag.short, flag.long].filter((x): x is string => x !== undefined).map((n) => `\\fB${n.replace(/-/g, '\\-')}\\fR`);
  return `${names.join(', ')}${flag.value ? ` \\fI${roff(flag.value)}\\fR` : ''}`;
}

/** uwsgitop-ts(1) in man(7) roff. */
export function manPage(version: string): string {
  const out = [
    `.TH UWSGITOP-TS 1 "" "uwsgitop-ts ${roff(version)}" "User Commands"`,
    '.\\" Generated from src/cli/option-table.ts by scripts/shell-docs.mjs: do not edit.',
    '.SH NAME',
    'uwsgitop-ts \\- live terminal monitor and controller for uWSGI',
    '.SH SYNOPSIS',
  ];
  for (const c of SHELL_COMMANDS) out.push(`.B uwsgitop-ts`, roff(c.synopsis).replace(/-/g, '\\-'), '.br');
  out.push(
    '.SH DESCRIPTION',
    'uwsgitop-ts reads the stats servers of running uWSGI instances (\\fB\\-\\-stats\\fR) and shows them: a live',
    'dashboard on a terminal, text reports or JSON otherwise. It controls instances through their master FIFO,',
    'each command verified by what the stats show afterwards, and serves a live web page, a WebSocket feed and',
    'Prometheus metrics.',
    '.SH COMMANDS',
  );
  for (const c of [...SHELL_COMMANDS, ...HELP_WORDS]) out.push('.TP', `\\fB${c.name === 'monitor' ? '(none)' : c.name}\\fR`, roff(c.summary));
  for (const c of SHELL_COMMANDS) {
    out.push(`.SH OPTIONS OF ${c.name === 'monitor' ? 'THE MONITOR' : c.name.toUpperCase()}`);
    for (const { flag, row } of shellOptions(c.name)) {
      const notes = [row.default !== undefined ? `default: ${row.default}` : '', row.repeatable && !row.description.includes('repeatable') ? 'repeatable' : ''].filter(Boolean);
      out.push('.TP', roffFlag(flag), roff(`${row.description}${notes.length ? ` (${notes.join('; ')})` : ''}.`));
    }
  }
  out.push(
    '.SH ADDRESSES',
    'HOST:PORT, :PORT (127.0.0.1), [::1]:PORT, tcp://HOST:PORT, /path/stats.sock, unix:///path/stats.sock,',
    '@abstract\\-name (Linux), http://HOST:PORT (uWSGI\'s \\fB\\-\\-stats\\-http\\fR), file:PATH or \\- (a saved document),',
    'ws://HOST:PORT (a relay started with \\fBserve\\fR).',
    '.SH EXIT STATUS',
    '0 every target was read (or help, version); 1 some target failed or a command did not take effect;',
    '2 a usage error.',
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'no colours in the dashboard, as \\fB\\-\\-no\\-color\\fR.',
    '.SH FILES',
    'The package\'s \\fIdocs/\\fR: json\\-output.md (the JSON records), recording\\-format.md (\\fB\\-\\-record\\fR),',
    'relay\\-protocol.md (\\fBserve\\fR), benchmarks.md. \\fIcontrib/systemd/\\fR holds a unit for \\fBserve\\fR.',
    '.SH SEE ALSO',
    '.BR uwsgi (1)',
    '',
  );
  return out.join('\n');
}

function allFlags(name: CommandName): string[] {
  return shellOptions(name).flatMap(({ flag }) => [flag.short, flag.long].filter((x): x is string => x !== undefined));
}

function valueFlags(pathOnes: boolean): string[] {
  const rows = [...new Set(SHELL_COMMANDS.map((c) => c.name))].flatMap((n) => shellOptions(n));
  const set = new Set<string>();
  for (const { flag } of rows) {
    if (flag.value === undefined || flag.isPath !== pathOnes) continue;
    if (flag.short) set.add(flag.short);
    set.add(flag.long);
  }
  return [...set].sort();
}

const SUBCOMMAND_WORDS = SHELL_COMMANDS.filter((c) => c.name !== 'monitor').map((c) => c.name);

/** The bash completion (bash-completion's `complete -F`). */
export function bashCompletion(): string {
  const pathFlags = valueFlags(true);
  const otherFlags = valueFlags(false).filter((f) => !pathFlags.includes(f));
  const cases = SHELL_COMMANDS.map((c) => `    ${c.name}) opts="${allFlags(c.name).join(' ')}" ;;`);
  return [
    '# bash completion for uwsgitop-ts. Generated from src/cli/option-table.ts by scripts/shell-docs.mjs: do not edit.',
    '_uwsgitop_ts() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=monitor opts',
    '  case ${COMP_WORDS[1]} in',
    `    ${SUBCOMMAND_WORDS.join('|')}) [ "$COMP_CWORD" -gt 1 ] && cmd=${'${COMP_WORDS[1]}'} ;;`,
    '  esac',
    '  case $prev in',
    `    ${pathFlags.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`,
    `    ${otherFlags.join('|')}) COMPREPLY=(); return ;;`,
    '  esac',
    '  case $cmd in',
    ...cases,
    '  esac',
    '  if [[ $cur == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
    '    return',
    '  fi',
    '  COMPREPLY=()',
    `  [ "$COMP_CWORD" -eq 1 ] && COMPREPLY=($(compgen -W "${[...SUBCOMMAND_WORDS, ...HELP_WORDS.map((h) => h.name)].join(' ')}" -- "$cur"))`,
    '  # Addresses may be socket paths, recordings are files.',
    '  COMPREPLY+=($(compgen -f -- "$cur"))',
    '}',
    'complete -o filenames -F _uwsgitop_ts uwsgitop-ts',
    '',
  ].join('\n');
}

function zshQuote(text: string): string {
  return text.replace(/'/g, `'\\''`);
}

function zshSpec(flag: Flag, description: string, repeatable: boolean): string[] {
  const desc = zshQuote(description.replace(/[[\]\\]/g, '\\$&'));
  const value = flag.value === undefined ? '' : `:${flag.value.replace(/:/g, '\\:')}:${flag.isPath ? '_files' : ' '}`;
  const star = repeatable ? '*' : '';
  if (!flag.short) return [`'${star}${flag.long}[${desc}]${value}'`];
  const excl = repeatable ? '' : `(${flag.short} ${flag.long})`;
  return [`'${excl}${star}'{${flag.short},${flag.long}}'[${desc}]${value}'`];
}

/** The zsh completion (`#compdef`, for a directory on $fpath, named _uwsgitop-ts). */
export function zshCompletion(): string {
  // The monitor's branch is `*)`: last.
  const branches = [...SHELL_COMMANDS.filter((c) => c.name !== 'monitor'), SHELL_COMMANDS[0]!].map((c) => {
    const specs = shellOptions(c.name).flatMap(({ flag, row }) => zshSpec(flag, row.description, row.repeatable === true));
    const shift = c.name === 'monitor' ? '' : ' shift words; (( CURRENT-- ));';
    return [`    ${c.name === 'monitor' ? '*' : c.name})${shift}`, '      _arguments -s -S \\', ...specs.map((s) => `        ${s} \\`), "        '*:address or path:_files' ;;"].join('\n');
  });
  const described = [...SHELL_COMMANDS.filter((c) => c.name !== 'monitor'), ...HELP_WORDS].map((c) => `'${c.name}:${zshQuote(c.summary.replace(/:/g, '\\:'))}'`);
  return [
    '#compdef uwsgitop-ts',
    '# zsh completion for uwsgitop-ts. Generated from src/cli/option-table.ts by scripts/shell-docs.mjs: do not edit.',
    '_uwsgitop-ts() {',
    '  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then',
    `    local -a commands=(${described.join(' ')})`,
    "    _describe -t commands 'command' commands",
    '    _files',
    '    return',
    '  fi',
    '  case $words[2] in',
    ...branches,
    '  esac',
    '}',
    '_uwsgitop-ts "$@"',
    '',
  ].join('\n');
}

function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}

/** The fish completion (for ~/.config/fish/completions/uwsgitop-ts.fish). */
export function fishCompletion(): string {
  const subs = [...SUBCOMMAND_WORDS, ...HELP_WORDS.map((h) => h.name)].join(' ');
  const out = [
    '# fish completion for uwsgitop-ts. Generated from src/cli/option-table.ts by scripts/shell-docs.mjs: do not edit.',
  ];
  for (const c of [...SHELL_COMMANDS.filter((x) => x.name !== 'monitor'), ...HELP_WORDS]) {
    out.push(`complete -c uwsgitop-ts -n __fish_use_subcommand -a ${c.name} -d ${fishQuote(c.summary)}`);
  }
  for (const c of SHELL_COMMANDS) {
    const cond = c.name === 'monitor' ? `'not __fish_seen_subcommand_from ${subs}'` : `'__fish_seen_subcommand_from ${c.name}'`;
    for (const { flag, row } of shellOptions(c.name)) {
      const parts = ['complete -c uwsgitop-ts', `-n ${cond}`];
      if (flag.short) parts.push(`-s ${flag.short.slice(1)}`);
      parts.push(`-l ${flag.long.slice(2)}`);
      if (flag.value !== undefined) parts.push(flag.isPath ? '-r -F' : '-x');
      parts.push(`-d ${fishQuote(row.description)}`);
      out.push(parts.join(' '));
    }
  }
  out.push('');
  return out.join('\n');
}
