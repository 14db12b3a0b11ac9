/** `uwsgitop-ts fifo FIFO COMMAND... [--stats ADDR] [--wait] [--timeout S] [--raw CHARS]`: scripted FIFO control. */
import { UsageError } from '../core/errors.js';
import { existsSync } from 'node:fs';
import { COMMANDS, findCommand, parseCommandWords, parseRawBytes, type FifoCommand } from '../fifo/commands.js';
import { runFifoCommands } from '../fifo/run.js';
import { readIniTargets } from '../config/ini.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Help text of the fifo subcommand. */
export function fifoHelp(): string {
  const width = Math.max(...COMMANDS.filter((c) => c.effect !== 'slot').map((c) => c.name.length));
  const lines = COMMANDS.filter((c) => c.effect !== 'slot').map(
    (c) => `  ${c.name.padEnd(width)}  ${c.byte ? `'${c.byte}'` : 'p? '}  ${c.summary}${c.dangerous ? ' [drops requests/stops]' : ''}`,
  );
  return [
    'usage: uwsgitop-ts fifo FIFO COMMAND... [--stats ADDR] [--wait] [--timeout S] [--raw CHARS] [--ini FILE]',
    '       uwsgitop-ts fifo --ini FILE COMMAND... [--wait] ...   (the FIFO and stats address from the ini)',
    '',
    'Writes the commands to the uWSGI master FIFO in one write, in order. With --stats the state is read first',
    '(pause/resume write p only when needed); with --wait the effect is waited for and shown by the stats.',
    '',
    'commands:',
    ...lines,
    `  ${'slot-N or N'.padEnd(width)}  '0'-'9'  select master FIFO slot N (the N+1th --master-fifo)`,
    '',
    'options:',
    '  --stats ADDR   the instance stats address (host:port, socket path, @name, http://...)',
    '  --wait         wait for the effect (needs --stats, except for slot switches)',
    '  --timeout S    how long the effect may go without progress, seconds (default 30)',
    '  --raw CHARS    write these command characters (checked against the table), e.g. --raw 2p',
    '  --ini FILE     the instance ini: its stats address and FIFO slots (when --stats is not given)',
    '',
    'exit status: 0 written (and with --wait verified), 1 failed, 2 usage error',
  ].join('\n');
}

interface Parsed {
  fifo: string;
  words: string[];
  raw: string | null;
  stats: string | null;
  wait: boolean;
  timeoutMs: number;
  ini: string[];
  help: boolean;
}

function parseArgs(argv: string[]): Parsed {
  const parsed: Parsed = { fifo: '', words: [], raw: null, stats: null, wait: false, timeoutMs: 30000, ini: [], help: false };
  const positional: string[] = [];
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : null;
    const take = (): string => {
      if (inline !== null) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      case '--stats':
        parsed.stats = take();
        break;
      case '--wait':
        parsed.wait = true;
        break;
      case '--timeout': {
        const text = take();
        const seconds = Number(text);
        if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError(`--timeout needs seconds between 0 and 3600, got "${text}"`);
        parsed.timeoutMs = Math.round(seconds * 1000);
        break;
      }
      case '--raw':
        parsed.raw = take();
        break;
      case '--ini':
        parsed.ini.push(take());
        break;
      case '--':
        positional.push(...argv.slice(i + 1));
        i = argv.length;
        break;
      default:
        // '-' alone is remove-worker's byte; other dashes are unknown options.
        if (arg.startsWith('-') && arg !== '-' && !/^-[0-9]$/.test(arg)) throw new UsageError(`unknown option ${arg} (see uwsgitop-ts fifo --help)`);
        positional.push(arg);
    }
  }
  if (parsed.help) return parsed;
  // With --ini the FIFO may be left out (`fifo --ini app.ini chain-reload`): the ini declares it. A first word that
  // names a command and is not an existing path is then a command, not the FIFO.
  const first = positional[0];
  const fifoFromIni =
    parsed.ini.length > 0 && (first === undefined ? parsed.raw !== null : findCommand(first) !== undefined && !existsSync(first));
  const [fifo, ...words] = fifoFromIni ? ['', ...positional] : positional;
  if (first === undefined && parsed.ini.length > 0 && parsed.raw === null) {
    throw new UsageError('missing COMMAND (e.g. chain-reload, pause, resume, reload-workers; --help lists them)');
  }
  if (!fifo && !fifoFromIni) throw new UsageError('missing FIFO path (usage: uwsgitop-ts fifo FIFO COMMAND..., or fifo --ini FILE COMMAND...)');
  if (!fifoFromIni && words.length === 0 && parsed.raw === null && findCommand(fifo!) !== undefined && !existsSync(fifo!)) {
    throw new UsageError(`missing FIFO path: "${fifo}" is a command (usage: uwsgitop-ts fifo FIFO COMMAND..., or fifo --ini FILE COMMAND...)`);
  }
  parsed.fifo = fifo ?? '';
  parsed.words = words;
  if (words.length === 0 && parsed.raw === null) throw new UsageError('missing COMMAND (e.g. chain-reload, pause, resume, reload-workers; --help lists them)');
  return parsed;
}

/** Run `uwsgitop-ts fifo ...` (argv = the words after `fifo`); resolves with the exit status. */
export async function runFifoCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  let commands: FifoCommand[];
  let slotPaths: string[] | undefined;
  try {
    parsed = parseArgs(argv);
    if (parsed.help) {
      io.stdout.write(`${fifoHelp()}\n`);
      return 0;
    }
    commands = [...(parsed.words.length > 0 ? parseCommandWords(parsed.words) : []), ...(parsed.raw !== null ? parseRawBytes(parsed.raw) : [])];
    if (parsed.ini.length > 0) {
      const { targets, problems } = readIniTargets(parsed.ini);
      for (const problem of problems) io.stderr.write(`uwsgitop-ts fifo: ${problem}\n`);
      const mine = parsed.fifo === ''
        ? (targets.length === 1 ? targets[0] : undefined)
        : (targets.find((t) => t.fifos.includes(parsed.fifo)) ?? (targets.length === 1 ? targets[0] : undefined));
      if (!mine) {
        throw new UsageError(
          parsed.fifo === '' ? `give the FIFO path: ${targets.length} instances in ${parsed.ini.join(', ')}` : `no ini given declares master-fifo ${parsed.fifo}`,
        );
      }
      if (parsed.fifo === '') {
        // Slot 0 unless the stats show the master reading another slot (runFifoCommands checks with slotPaths).
        if (mine.fifos.length === 0) throw new UsageError(`${mine.file} declares no master-fifo: give the FIFO path`);
        parsed.fifo = mine.fifos[0]!;
      }
      slotPaths = mine.fifos;
      if (parsed.stats === null) parsed.stats = mine.stats;
    }
    const conditional = commands.find((c) => c.effect === 'pause' || c.effect === 'resume');
    if (conditional && parsed.stats === null) {
      throw new UsageError(`"${conditional.name}" needs --stats ADDR to know whether the workers are paused (pause-toggle writes p blindly)`);
    }
    const statsFree = commands.every((c) => c.effect === 'slot');
    if (parsed.wait && parsed.stats === null && !statsFree) {
      throw new UsageError('--wait needs the instance stats address (--stats ADDR, or an --ini that declares stats)');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`uwsgitop-ts fifo: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const result = await runFifoCommands(parsed.fifo, commands, {
    stats: parsed.stats,
    wait: parsed.wait,
    timeoutMs: parsed.timeoutMs,
    slotPaths,
    onProgress: (message) => io.stderr.write(`${message}\n`),
  });
  (result.ok ? io.stdout : io.stderr).write(`${result.ok ? '' : 'uwsgitop-ts fifo: '}${result.message}\n`);
  return result.ok ? 0 : 1;
}
