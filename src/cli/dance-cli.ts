/**
 * `uwsgitop-ts dance --new FIFO --running FIFO --sleeping FIFO [--new-stats A --running-stats B --sleeping-stats C]`
 * and `uwsgitop-ts dance rollback --running FIFO --sleeping FIFO [...]`: the zerg dance, each step verified.
 */
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { exitStatusFor, exitStatusForOutcome } from './exit.js';
import { addOptions, type DanceOptions } from './option-table.js';
import { parseEffectTimeout, routeOutput } from './options.js';
import { escapeControls } from '../core/safe-text.js';
import { zergDance, zergRollback } from '../fifo/dance.js';
import type { CliIo } from './fifo-cli.js';
import { parseCheck, startChecks, tallyText, type HttpCheck } from '../fifo/http-check.js';

const NOTES = [
  '',
  'The zerg dance of the uWSGI 2.0 manual, for instances attached to one zerg pool that declare three master FIFOs',
  '(slot 0 new.fifo, slot 1 running.fifo, slot 2 sleeping.fifo) and do not run the dance in their own hooks:',
  '  dance:    Q to sleeping.fifo (old sleeper dies), 2p to running.fifo (old runner sleeps), 1 to new.fifo',
  '  rollback: p to sleeping.fifo (sleeper resumes), q to running.fifo (runner finishes its requests and exits),',
  '            1 to sleeping.fifo (sleeper becomes the runner); --manual-order: Q to running.fifo then p1 to sleeping.fifo',
  'Nothing is done unless a new instance answers new.fifo (dance) or a sleeper answers sleeping.fifo (rollback).',
  'With the stats addresses of the instances in their current roles each step is verified by the stats.',
  '',
  'With --new-stats the new instance must serve (its workers have the app the runner has, none crash-loops)',
  'before anything is done to the others.',
  '',
  'With --check URL[=2xx] the URL is requested during the dance and for 2 s after it, the answers counted.',
  '',
  'exit status: 0 done and verified, 1 a step failed (the steps done so far are listed), 2 usage error,',
  '             3 the new instance is broken (no app, crash loop, gone: nothing was done to the others)',
  '               or a --check answered outside its class',
].join('\n');

interface Parsed {
  rollback: boolean;
  opts: DanceOptions;
  timeoutMs: number;
  checks: HttpCheck[];
}

async function parseArgs(argv: string[], io: CliIo): Promise<Parsed> {
  const program = new Command('uwsgitop-ts dance')
    .usage('[rollback] --new FIFO --running FIFO --sleeping FIFO [--new-stats A] [--running-stats B] [--sleeping-stats C] [--timeout S]')
    .description('The zerg dance (and its rollback), each step verified by the stats.')
    .argument('[action]', 'rollback: bring the sleeper back')
    .helpOption('-h, --help', 'show this help');
  addOptions(program, 'dance').addHelpText('after', NOTES);
  routeOutput(program, io).action(() => undefined);
  await program.parseAsync(argv, { from: 'user' });
  const opts = program.opts<DanceOptions>();
  const action = program.args[0];
  if (action !== undefined && action !== 'rollback') throw new UsageError(`unexpected argument ${action}`);
  const rollback = action === 'rollback';
  const need: Array<[string, string | undefined]> = rollback
    ? [['--running', opts.running], ['--sleeping', opts.sleeping]]
    : [['--new', opts.new], ['--running', opts.running], ['--sleeping', opts.sleeping]];
  const missing = need.filter(([, v]) => v === undefined || v === '').map(([f]) => f);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`);
  if (rollback && (opts.new !== undefined || opts.newStats !== undefined)) throw new UsageError('rollback takes --running and --sleeping only');
  if (!rollback && opts.manualOrder) throw new UsageError('--manual-order applies to rollback only');
  return { rollback, opts, timeoutMs: parseEffectTimeout(opts.timeout), checks: opts.check.map(parseCheck) };
}

/** Run `uwsgitop-ts dance ...` (argv = the words after `dance`); resolves with the exit status. */
export async function runDanceCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = await parseArgs(argv, io);
  } catch (err) {
    return exitStatusFor(err, 'uwsgitop-ts dance', 'dance --help', (text) => void io.stderr.write(text));
  }
  const v = parsed.opts;
  const options = { timeoutMs: parsed.timeoutMs, manualOrder: v.manualOrder === true, onStep: (line: string) => io.stdout.write(`${escapeControls(line)}\n`) };
  // --check: requests through the pool during the dance and for 2 s after it; a status outside its class fails it.
  const checking = parsed.checks.length > 0 ? startChecks(parsed.checks) : null;
  const danced = parsed.rollback
    ? await zergRollback(
        { runningFifo: v.running!, sleepingFifo: v.sleeping! },
        { runningStats: v.runningStats ?? null, sleepingStats: v.sleepingStats ?? null },
        options,
      )
    : await zergDance(
        { newFifo: v.new!, runningFifo: v.running!, sleepingFifo: v.sleeping! },
        { newStats: v.newStats ?? null, runningStats: v.runningStats ?? null, sleepingStats: v.sleepingStats ?? null },
        options,
      );
  let report = danced;
  if (checking) {
    const tally = await checking.finish(danced.ok ? 2000 : 0);
    io.stdout.write(`${escapeControls(tallyText(tally))}\n`);
    if (tally.firstBad !== null && report.failure === undefined) {
      const message = `check failed: ${tally.firstBad}`;
      io.stdout.write(`FAILED: ${escapeControls(message)}\n`);
      report = { ...report, ok: false, failure: { kind: 'check', message } };
    }
  }
  if (!report.ok) io.stderr.write(`uwsgitop-ts dance: ${parsed.rollback ? 'rollback' : 'dance'} stopped, see the steps above\n`);
  return exitStatusForOutcome(report);
}
