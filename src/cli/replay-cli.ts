/**
 * `uwsgitop-ts replay PATH...`: recordings played back. On a terminal, the dashboard over the past (every
 * view, the events derived as they were live, marked REPLAY with the recorded time); `--json` the NDJSON
 * records `--json --watch` would have printed; `--once --at TIME` the text report of that moment.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { exitStatusFor } from './exit.js';
import { RecordingError, UsageError } from '../core/errors.js';
import { fileKind } from '../core/regular-file.js';
import { escapeControls } from '../core/safe-text.js';
import { renderTextReport } from '../views/text-report.js';
import { jsonLine, updateRecord } from '../views/json-record.js';
import { Recording } from '../record/reader.js';
import { ReplayMonitor } from '../record/replay-monitor.js';
import { parseReplayTime, ReplayPlayer, SPEEDS } from '../record/player.js';
import { Output } from './output.js';
import type { TargetUpdate } from '../monitor/types.js';
import { noColorAsked, routeOutput } from './options.js';
import { outsideRecording } from './replay-range.js';
import { addOptions, type ReplayOptions } from './option-table.js';

export interface ReplayIo {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const EXAMPLES = `
A PATH is a recording (with its rotated segments FILE.1, FILE.2...) or a directory of them (serve --record DIR).

Examples:
  uwsgitop-ts replay app.uwrec                            the dashboard over the recording
  uwsgitop-ts replay a.uwrec b.uwrec                      side by side (fleet view), in step
  uwsgitop-ts replay app.uwrec --at 03:12 --speed 10      start at 03:12 local time, ten times faster
  uwsgitop-ts replay app.uwrec --json | jq .listenQueue   the NDJSON records --json --watch printed
  uwsgitop-ts replay app.uwrec --once --at 2026-12-01T03:12:00Z   the text report of that moment

Keys: space play/pause, +/- speed (1x-100x), left/right one poll back/forward, t jump to a time,
e next event, R next respawn, Q next listen queue above threshold, D next target down; the others as live.
`;

function buildProgram(io: ReplayIo): Command {
  const program = new Command('uwsgitop-ts replay')
    .description('Play back recordings made with --record (docs/recording-format.md).')
    .argument('<path...>', 'recordings or directories of recordings');
  addOptions(program, 'replay').helpOption('-h, --help', 'show this help').addHelpText('after', EXAMPLES);
  return routeOutput(program, io).action(() => undefined);
}

/**
 * Every recording a PATH names: the file itself, or each *.uwrec (current segment) of a directory. In a
 * directory, a *.uwrec that is not a regular file (a FIFO, a device) is skipped with a warning, never opened.
 */
export function recordingFiles(path: string, warn: (line: string) => void = () => undefined): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${escapeControls(path)}: no such recording`);
  }
  if (!st.isDirectory()) return [path];
  const names = readdirSync(path).filter((n) => n.endsWith('.uwrec')).sort();
  if (names.length === 0) throw new UsageError(`${escapeControls(path)}: no recording (*.uwrec) in this directory`);
  const files: string[] = [];
  for (const n of names) {
    const file = join(path, n);
    try {
      const kind = statSync(file);
      if (!kind.isFile()) {
        warn(`${file} is ${fileKind(kind)}, not a recording: skipped`);
        continue;
      }
    } catch {
      continue; // gone since the listing
    }
    files.push(file);
  }
  return files;
}

function openMonitors(paths: readonly string[], showSecrets: boolean, writeErr: (t: string) => void): ReplayMonitor[] {
  const monitors: ReplayMonitor[] = [];
  const names = new Map<string, number>();
  const warn = (line: string): void => writeErr(`uwsgitop-ts: replay: warning: ${escapeControls(line)}\n`);
  const files: Array<{ file: string; fromDirectory: boolean }> = [];
  for (const path of paths) {
    const found = recordingFiles(path, warn);
    const fromDirectory = found.length !== 1 || found[0] !== path;
    for (const file of found) files.push({ file, fromDirectory });
  }
  let skipped: string | null = null;
  for (const { file, fromDirectory } of files) {
    let recording: Recording;
    try {
      recording = Recording.open(file);
    } catch (err) {
      // In a directory of recordings, a damaged one is skipped with one warning and the others play.
      if (!fromDirectory || !(err instanceof RecordingError)) throw err;
      warn(`${err.message}; skipped`);
      skipped ??= err.message;
      continue;
    }
    for (const p of recording.problems) writeErr(`uwsgitop-ts: replay: warning: ${escapeControls(p)}\n`);
    const seen = names.get(recording.target) ?? 0;
    names.set(recording.target, seen + 1);
    // Two recordings of one target (two days, two boxes' copies) get distinct names on screen.
    const name = seen === 0 ? recording.target : `${recording.target} (${seen + 1})`;
    monitors.push(new ReplayMonitor(recording, { name, showSecrets }));
  }
  if (monitors.length === 0) throw new RecordingError(skipped ?? `${paths.join(', ')}: no recording to replay`);
  return monitors;
}

/** Run `uwsgitop-ts replay` with injected streams; resolves with the exit status (never throws). */
export async function runReplayCli(argv: string[], io: ReplayIo): Promise<number> {
  const writeErr = (text: string): void => void io.stderr.write(text);
  try {
    return await replay(argv, io, writeErr);
  } catch (err) {
    return exitStatusFor(err, 'uwsgitop-ts: replay', 'replay --help', writeErr);
  }
}

async function replay(argv: string[], io: ReplayIo, writeErr: (text: string) => void): Promise<number> {
  const program = buildProgram(io);
  await program.parseAsync(argv, { from: 'user' });
  const opts = program.opts<ReplayOptions>();
  const speed = Number(opts.speed);
  if (!SPEEDS.includes(speed)) throw new UsageError(`--speed wants one of ${SPEEDS.join(', ')}, got ${JSON.stringify(opts.speed)}`);
  if (opts.json && opts.once) throw new UsageError('--json and --once: choose one output');
  const monitors = openMonitors(program.args, opts.showSecrets === true, writeErr);
  const player = new ReplayPlayer(monitors);
  try {
    const startAt = opts.at === undefined ? null : parseReplayTime(opts.at, player.startMs);
    const outside = startAt === null ? null : outsideRecording(player, startAt);
    if (outside !== null && startAt! < player.startMs && (opts.once || opts.json)) {
      // A report "at 03:00" made of a later poll would be a lie; a stream just starts where the recording does.
      if (opts.once) throw new RecordingError(`--at ${opts.at}: ${outside}: nothing recorded then`);
      writeErr(`uwsgitop-ts: replay: --at ${escapeControls(opts.at!)}: ${outside}: from its first poll\n`);
    }
    if (outside !== null && startAt! > player.endMs && opts.once) writeErr(`uwsgitop-ts: replay: --at ${escapeControls(opts.at!)}: ${outside}: its last poll\n`);
    if (opts.json) return replayJson(player, monitors, startAt !== null && startAt < player.startMs ? null : startAt, new Output(io.stdout));
    const isTerminal = (io.stdout as { isTTY?: boolean }).isTTY === true && io.env.TERM !== 'dumb';
    if (opts.once || !isTerminal) {
      if (!opts.once) writeErr('uwsgitop-ts: replay: stdout is not a terminal: printing the report at the end of the recording (use --once --at TIME)\n');
      return replayOnce(player, monitors, startAt ?? player.endMs, new Output(io.stdout), writeErr);
    }
    player.seek(startAt ?? player.startMs);
    player.speed = speed;
    const { runReplayDashboard } = await import('./replay-dashboard.js');
    const note = outside === null ? null : `--at: ${outside}, ${startAt! < player.startMs ? 'first' : 'last'} poll shown`;
    return await runReplayDashboard(player, { input: io.stdin ?? process.stdin, output: io.stdout, env: io.env }, { color: opts.color && !noColorAsked(io.env), note });
  } finally {
    player.close();
  }
}

/** Every recorded poll from `startAt` on, in time order across the recordings, as --json --watch wrote it. */
function replayJson(player: ReplayPlayer, monitors: readonly ReplayMonitor[], startAt: number | null, out: Output): number {
  const write = (updates: readonly TargetUpdate[]): boolean => {
    for (const u of updates) {
      const at = monitors.find((m) => m.target === u.target)!.recording.polls[u.seq - 1]!.t;
      if (!out.write(jsonLine(updateRecord(u, at)))) return false;
    }
    return true;
  };
  // Records come in recorded-time order; a poll's record is built when the player passes it.
  if (startAt !== null) player.seek(startAt - 1);
  else if (!write(player.seek(player.startMs))) return 0;
  for (;;) {
    const t = player.neighbour(1);
    if (t === null || !write(player.seek(t))) return 0;
  }
}

function replayOnce(player: ReplayPlayer, monitors: readonly ReplayMonitor[], atMs: number, out: Output, writeErr: (t: string) => void): number {
  player.seek(atMs);
  let failed = false;
  let printed = false;
  for (const m of monitors) {
    const u = m.latest();
    if (u === null) {
      writeErr(`uwsgitop-ts: replay: ${escapeControls(m.target)}: nothing recorded before that time\n`);
      failed = true;
      continue;
    }
    if (u.error !== null || u.snapshot === null || u.derived === null) {
      writeErr(`uwsgitop-ts: replay: ${escapeControls(m.target)}: down at that time: ${escapeControls(u.error ?? 'no document')}\n`);
      failed = true;
      continue;
    }
    const first = m.position <= 0 || m.recording.polls[m.position - 1]?.ok !== true;
    const text = renderTextReport(u.snapshot, u.derived, { ratesNote: first && u.derived.intervalSeconds === null ? 'none: the first poll of the recording' : null });
    out.write((printed ? '\n' : '') + text);
    printed = true;
  }
  return failed ? 1 : 0;
}
