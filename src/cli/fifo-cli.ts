/** `uwsgitop-ts fifo FIFO COMMAND... [--stats ADDR] [--wait] [--timeout S] [--raw CHARS]`: scripted FIFO control. */
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { exitStatusFor, exitStatusForOutcome } from './exit.js';
import { addOptions, type FifoOptions } from './option-table.js';
import { parseEffectTimeout, routeOutput } from './options.js';
// Messages name the FIFO path and command words as given (argv, an ini's master-fifo): whoever writes an ini
// or picks a file name controls them, so every message goes out escaped, on one line.
import { escapeControls } from '../core/safe-text.js';
import { existsSync } from 'node:fs';
import { COMMANDS, findCommand, parseCommandWords, parseRawBytes, type FifoCommand } from '../fifo/commands.js';
import { runFifoCommands } from '../fifo/run.js';
import { runCanaryChainReload } from '../fifo/canary.js';
import { parseCheck, type HttpCheck } from '../fifo/http-check.js';
import { readIniTargets } from '../config/ini.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The fifo subcommand's command table and notes, after commander's usage and options. */
function fifoHelpText(): string {
  const width = Math.max(...COMMANDS.filter((c) => c.effect !== 'slot').map((c) => c.name.length));
  const lines = COMMANDS.filter((c) => c.effect !== 'slot').map(
    (c) => `  ${c.name.padEnd(width)}  ${c.byte ? `'${c.byte}'` : 'p? '}  ${c.summary}${c.dangerous ? ' [drops requests/stops]' : ''}`,
  );
  return [
    '',
    '       uwsgitop-ts fifo --ini FILE COMMAND... [--wait] ...   (the FIFO and stats address from the ini)',
    '',
    'Writes the commands to the uWSGI master FIFO in one write, in order. With --stats the state is read first',
    '(pause/resume write p only when needed); with --wait the effect is waited for and shown by the stats.',
    '',
    'commands:',
    ...lines,
    `  ${'slot-N or N'.padEnd(width)}  '0'-'9'  select master FIFO slot N (the N+1th --master-fifo)`,
    '',
    'exit status: 0 written (and with --wait verified), 1 failed or not verified, 2 usage error,',
    '             3 the reload failed: the new workers have no app, crash-loop, the master exited, a --check',
    '               failed, or the --canary worker failed (the other workers then still run the old code)',
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
  canary: boolean;
  settleMs: number;
  checks: HttpCheck[];
}

function buildProgram(io: CliIo): Command {
  const program = new Command('uwsgitop-ts fifo')
    .usage('FIFO COMMAND... [--stats ADDR] [--wait] [--timeout S] [--raw CHARS] [--ini FILE]')
    .description('Write master FIFO commands and (with --stats) verify their effect by the stats.')
    .argument('[words...]', 'the FIFO path, then the commands')
    .helpOption('-h, --help', 'show this help');
  addOptions(program, 'fifo').addHelpText('after', fifoHelpText());
  return routeOutput(program, io).action(() => undefined);
}

async function parseArgs(argv: string[], io: CliIo): Promise<Parsed> {
  const program = buildProgram(io);
  await program.parseAsync(argv, { from: 'user' });
  const opts = program.opts<FifoOptions>();
  const parsed: Parsed = {
    fifo: '', words: [], raw: opts.raw ?? null, stats: opts.stats ?? null, wait: opts.wait === true,
    timeoutMs: parseEffectTimeout(opts.timeout), ini: opts.ini,
    canary: opts.canary === true, settleMs: parseSettle(opts.settle), checks: opts.check.map(parseCheck),
  };
  const positional = program.args;
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

function parseSettle(text: string): number {
  const seconds = Number(text.replace(/s$/, ''));
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw new UsageError(`--settle needs seconds between 0 and 3600, got "${text}"`);
  return Math.round(seconds * 1000);
}

/** Run `uwsgitop-ts fifo ...` (argv = the words after `fifo`); resolves with the exit status. */
export async function runFifoCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  let commands: FifoCommand[];
  let slotPaths: string[] | undefined;
  try {
    parsed = await parseArgs(argv, io);
    commands = [...(parsed.words.length > 0 ? parseCommandWords(parsed.words) : []), ...(parsed.raw !== null ? parseRawBytes(parsed.raw) : [])];
    if (parsed.ini.length > 0) {
      const { targets, problems } = readIniTargets(parsed.ini);
      for (const problem of problems) io.stderr.write(`uwsgitop-ts fifo: ${escapeControls(problem)}\n`);
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
    if (parsed.canary && (commands.length !== 1 || commands[0]!.effect !== 'chain-reload')) {
      throw new UsageError('--canary goes with chain-reload alone (one worker first, then the chain reload of the rest)');
    }
    if (parsed.canary && parsed.stats === null) throw new UsageError('--canary needs the instance stats address (--stats ADDR, or an --ini that declares stats)');
    if (parsed.checks.length > 0 && !parsed.wait && !parsed.canary) throw new UsageError('--check needs --wait: the checks run while the effect is awaited');
  } catch (err) {
    return exitStatusFor(err, 'uwsgitop-ts fifo', 'fifo --help', (text) => void io.stderr.write(text));
  }
  const run = {
    stats: parsed.stats,
    wait: parsed.wait || parsed.canary,
    timeoutMs: parsed.timeoutMs,
    slotPaths,
    checks: parsed.checks,
    onProgress: (message: string) => void io.stderr.write(`${escapeControls(message)}\n`),
  };
  const result = parsed.canary ? await runCanaryChainReload(parsed.fifo, { ...run, settleMs: parsed.settleMs }) : await runFifoCommands(parsed.fifo, commands, run);
  (result.ok ? io.stdout : io.stderr).write(`${result.ok ? '' : 'uwsgitop-ts fifo: '}${escapeControls(result.message)}\n`);
  return exitStatusForOutcome(result);
}
