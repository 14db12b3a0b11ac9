/**
 * `uwsgitop-ts dance --new FIFO --running FIFO --sleeping FIFO [--new-stats A --running-stats B --sleeping-stats C]`
 * and `uwsgitop-ts dance rollback --running FIFO --sleeping FIFO [...]`: the zerg dance, each step verified.
 */
import { UsageError } from '../core/errors.js';
import { zergDance, zergRollback } from '../fifo/dance.js';
import type { CliIo } from './fifo-cli.js';

/** Help text of the dance subcommand. */
export function danceHelp(): string {
  return [
    'usage: uwsgitop-ts dance --new FIFO --running FIFO --sleeping FIFO [--new-stats A] [--running-stats B] [--sleeping-stats C] [--timeout S]',
    '       uwsgitop-ts dance rollback --running FIFO --sleeping FIFO [--running-stats B] [--sleeping-stats C] [--manual-order] [--timeout S]',
    '',
    'The zerg dance of the uWSGI 2.0 manual, for instances attached to one zerg pool that declare three master FIFOs',
    '(slot 0 new.fifo, slot 1 running.fifo, slot 2 sleeping.fifo) and do not run the dance in their own hooks:',
    '  dance:    Q to sleeping.fifo (old sleeper dies), 2p to running.fifo (old runner sleeps), 1 to new.fifo',
    '  rollback: p to sleeping.fifo (sleeper resumes), q to running.fifo (runner finishes its requests and exits),',
    '            1 to sleeping.fifo (sleeper becomes the runner); --manual-order: Q to running.fifo then p1 to sleeping.fifo',
    'Nothing is done unless a new instance answers new.fifo (dance) or a sleeper answers sleeping.fifo (rollback).',
    'With the stats addresses of the instances in their current roles each step is verified by the stats.',
    '',
    'exit status: 0 done and verified, 1 a step failed (the steps done so far are listed), 2 usage error',
  ].join('\n');
}

interface Parsed {
  rollback: boolean;
  values: Map<string, string>;
  manualOrder: boolean;
  help: boolean;
}

const VALUE_FLAGS = ['--new', '--running', '--sleeping', '--new-stats', '--running-stats', '--sleeping-stats', '--timeout'];

function parseArgs(argv: string[]): Parsed {
  const parsed: Parsed = { rollback: false, values: new Map(), manualOrder: false, help: false };
  const args = [...argv];
  if (args[0] === 'rollback') {
    parsed.rollback = true;
    args.shift();
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '-h' || flag === '--help') {
      parsed.help = true;
    } else if (flag === '--manual-order') {
      parsed.manualOrder = true;
    } else if (VALUE_FLAGS.includes(flag)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      parsed.values.set(flag, value);
    } else {
      throw new UsageError(`unexpected argument ${arg} (see uwsgitop-ts dance --help)`);
    }
  }
  if (parsed.help) return parsed;
  const need = parsed.rollback ? ['--running', '--sleeping'] : ['--new', '--running', '--sleeping'];
  const missing = need.filter((f) => !parsed.values.has(f));
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')} (see uwsgitop-ts dance --help)`);
  if (parsed.rollback && (parsed.values.has('--new') || parsed.values.has('--new-stats'))) throw new UsageError('rollback takes --running and --sleeping only');
  if (!parsed.rollback && parsed.manualOrder) throw new UsageError('--manual-order applies to rollback only');
  return parsed;
}

/** Run `uwsgitop-ts dance ...` (argv = the words after `dance`); resolves with the exit status. */
export async function runDanceCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  let timeoutMs = 30000;
  try {
    parsed = parseArgs(argv);
    if (parsed.help) {
      io.stdout.write(`${danceHelp()}\n`);
      return 0;
    }
    const timeout = parsed.values.get('--timeout');
    if (timeout !== undefined) {
      const seconds = Number(timeout);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError(`--timeout needs seconds between 0 and 3600, got "${timeout}"`);
      timeoutMs = Math.round(seconds * 1000);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`uwsgitop-ts dance: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const v = parsed.values;
  const options = { timeoutMs, manualOrder: parsed.manualOrder, onStep: (line: string) => io.stdout.write(`${line}\n`) };
  const report = parsed.rollback
    ? await zergRollback(
        { runningFifo: v.get('--running') as string, sleepingFifo: v.get('--sleeping') as string },
        { runningStats: v.get('--running-stats') ?? null, sleepingStats: v.get('--sleeping-stats') ?? null },
        options,
      )
    : await zergDance(
        { newFifo: v.get('--new') as string, runningFifo: v.get('--running') as string, sleepingFifo: v.get('--sleeping') as string },
        { newStats: v.get('--new-stats') ?? null, runningStats: v.get('--running-stats') ?? null, sleepingStats: v.get('--sleeping-stats') ?? null },
        options,
      );
  if (!report.ok) io.stderr.write(`uwsgitop-ts dance: ${parsed.rollback ? 'rollback' : 'dance'} stopped, see the steps above\n`);
  return report.ok ? 0 : 1;
}
