/**
 * A worker's detail: its counters, every core with its in-flight request (method, host, URI, remote address,
 * age), all request variables on demand, its apps and its respawns (with the events that mention it).
 */
import type { Core, Worker } from '../../../stats/snapshot.js';
import { workerFieldGroups } from '../../../present/worker-fields.js';
import type { MonitorEvent, WorkerDerived } from '../../../metrics/types.js';
import { safeText } from '../../../core/safe-text.js';
import { fitCell, displayWidth, wrapWords } from '../../../present/width.js';
import { EPOCH_SHORT_WIDTH, fmtClock, fmtCount, fmtDuration, fmtEpochShort, fmtLocalTime, fmtRate, plainNumber, yesNo } from '../../../core/units.js';
import { line, type Line } from './line.js';
import { workerStyle } from '../../../present/columns/workers.js';
import type { StackView } from '../stack.js';

/** Frames shown at most (a deep recursion would push everything else out of the popup). */
const MAX_STACK_LINES = 60;

/** The Python stack section: each thread, outermost frame first, the code line under each frame. */
export function stackLines(stack: StackView, width: number, nowMs: number): Line[] {
  const out: Line[] = [];
  if (stack.state === 'reading') return [line(`Python stack of worker ${stack.workerId}: reading…`, 'title')];
  if (stack.kind === 'none') return [line('Python stack: no tracebacker', 'title'), ...prose(safeText(stack.why), width).map((l) => line(`  ${l}`, 'dim'))];
  if (stack.kind === 'error') return [line('Python stack: could not be read', 'title'), ...prose(safeText(stack.message), width).map((l) => line(`  ${l}`, 'warn'))];
  const tb = stack.traceback;
  const age = fmtDuration(Math.max(0, (nowMs - stack.atMs) / 1000));
  out.push(line(`Python stack of worker ${stack.workerId} (read ${age} ago from ${safeText(tb.path, 60)}; Enter reads again)`, 'title'));
  out.push(line(`  tracebacker found in ${safeText(stack.from, 80)}`, 'dim'));
  if (tb.frames.length === 0 && tb.other.length === 0) out.push(line('  no Python frame: the worker is not running Python code now (idle)', 'dim'));
  let thread: string | null = null;
  let shown = 0;
  for (const f of tb.frames) {
    if (shown >= MAX_STACK_LINES) {
      out.push(line(`  … ${tb.frames.length - shown} more frames`, 'dim'));
      break;
    }
    if (f.thread !== thread) {
      thread = f.thread;
      out.push(line(`  thread ${safeText(f.thread, 60)}`, 'bold'));
    }
    out.push(line(fitCell(`    ${safeText(f.filename)}:${f.lineno} in ${safeText(f.fn)}`, width, 'left').trimEnd()));
    if (f.line !== '') out.push(line(fitCell(`        ${safeText(f.line)}`, width, 'left').trimEnd(), 'dim'));
    shown++;
  }
  for (const o of tb.other.slice(0, 10)) out.push(line(fitCell(`  ${safeText(o)}`, width, 'left').trimEnd(), 'dim'));
  if (tb.truncated) out.push(line('  (the reply was cut at the byte limit)', 'warn'));
  return out;
}

/** Longest stretch a single request variable may take when wrapped (then cut with an ellipsis). */
const MAX_VAR_LINES = 8;

function kv(pairs: ReadonlyArray<readonly [string, string]>): Line {
  const out: Line = [];
  pairs.forEach(([k, v], i) => {
    out.push({ text: (i > 0 ? '   ' : '') + k + ' ', style: 'dim' });
    out.push({ text: v });
  });
  return out;
}

/** Sentences (already safe) wrapped at spaces to fit an indented line; only a word longer than that is split. */
function prose(text: string, width: number): string[] {
  const room = Math.max(10, width - 2);
  return wrapWords(text, room).flatMap((l) => wrap(l, room));
}

/** Split already-safe text into chunks of `width` cells (at least one chunk). */
function wrap(text: string, width: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width && cur !== '') {
      chunks.push(cur);
      cur = '';
      used = 0;
    }
    cur += ch;
    used += w;
  }
  chunks.push(cur);
  return chunks;
}

function row(cells: Array<[string, number, 'left' | 'right']>): string {
  return cells.map(([t, w, a]) => fitCell(t, w, a)).join(' ');
}

/** The worker's respawns: what the document says, then what the monitor saw happen to its slot. */
function respawnLines(w: Worker, events: readonly MonitorEvent[], nowMs: number): Line[] {
  const out: Line[] = [line('Respawns', 'title')];
  const spawnAge = w.lastSpawn ? fmtDuration(nowMs / 1000 - w.lastSpawn) : '-';
  out.push(kv([
    ['respawn count', fmtCount(w.respawnCount)],
    ['last spawn', w.lastSpawn ? `${fmtLocalTime(w.lastSpawn * 1000)} (${spawnAge} ago)` : 'never'],
  ]));
  const mine = events.filter((e) => e.data?.['slot'] === w.slot && e.type.startsWith('worker'));
  for (const e of mine.slice(-5)) {
    out.push([{ text: `  ${fmtClock(e.atMs / 1000)} `, style: 'dim' }, { text: `${e.type}: ${safeText(e.message)}` }]);
  }
  return out;
}

/** One core's line, and the request it serves (with every variable when `showVars`). */
function coreLines(c: Core, showVars: boolean, width: number, nowMs: number, sinceReadS: number): Line[] {
  const counters = row([
    [plainNumber(c.id), 4, 'right'], [fmtCount(c.requests), 7, 'right'], [fmtCount(c.staticRequests), 6, 'right'],
    [fmtCount(c.routedRequests), 6, 'right'], [fmtCount(c.offloadedRequests), 5, 'right'],
    [fmtCount(c.writeErrors), 5, 'right'], [fmtCount(c.readErrors), 5, 'right'],
  ]);
  const r = c.request;
  if (!c.inRequest || r === null) return [[{ text: counters + ' ' }, { text: 'idle', style: 'dim' }]];
  const out: Line[] = [[{ text: counters + ' ' }, { text: 'serving', style: 'busy' }]];
  out.push([
    { text: '     ' },
    { text: safeText(r.method), style: 'bold' },
    { text: ' ' + safeText(r.host) + safeText(r.uri || r.path) },
  ]);
  out.push(kv([
    ['     from', safeText(r.remoteAddr) || '-'],
    ['age', fmtDuration(r.ageSeconds === null ? null : r.ageSeconds + sinceReadS)],
    ['started', fmtEpochShort(r.startedAt, nowMs)],
    ['vars', String(r.vars.length)],
  ]));
  if (!showVars) return out;
  for (const [k, v] of r.vars) {
    const chunks = wrap(`${safeText(k)}=${safeText(v)}`, Math.max(10, width - 8));
    const shown = chunks.slice(0, MAX_VAR_LINES);
    if (chunks.length > MAX_VAR_LINES) shown[MAX_VAR_LINES - 1] = shown[MAX_VAR_LINES - 1]!.slice(0, -1) + '…';
    shown.forEach((chunk, i) => out.push([{ text: i === 0 ? '       ' : '         ' }, { text: chunk }]));
  }
  return out;
}

/** The cores table: counters per core, the request each one serves. */
function coresLines(w: Worker, showVars: boolean, width: number, nowMs: number, sinceReadS: number): Line[] {
  if (w.cores === null) return [line('Cores: not in the document (uWSGI runs with --stats-no-cores)', 'dim')];
  const out: Line[] = [line(`Cores (${w.cores.length}, ${w.inFlight.length} serving)`, 'title')];
  out.push(line(row([['CORE', 4, 'right'], ['REQ', 7, 'right'], ['STATIC', 6, 'right'], ['ROUTED', 6, 'right'], ['OFFL', 5, 'right'], ['WERR', 5, 'right'], ['RERR', 5, 'right'], ['REQUEST', 7, 'left']]), 'header'));
  for (const c of w.cores) out.push(...coreLines(c, showVars, width, nowMs, sinceReadS));
  if (!showVars && w.inFlight.length > 0) out.push(line('  (press v to show every request variable)', 'dim'));
  return out;
}

/** The apps table: requests, exceptions, rate and start of each app the worker loaded. */
function appLines(w: Worker, d: WorkerDerived | undefined, width: number, nowMs: number): Line[] {
  const out: Line[] = [line(`Apps (${w.apps.length})`, 'title')];
  if (w.apps.length === 0) return out;
  // One set of widths for the header and the rows; the mount point takes what is left of the line.
  const fixed = [3, 8, 6, 6, EPOCH_SHORT_WIDTH] as const;
  const mountWidth = Math.max(10, width - fixed.reduce((sum, n) => sum + n + 1, 0));
  const cells = (texts: readonly string[], last: string): Array<[string, number, 'left' | 'right']> => [
    ...fixed.map((n, k): [string, number, 'left' | 'right'] => [texts[k]!, n, 'right']),
    [last, mountWidth, 'left'],
  ];
  out.push(line(row(cells(['ID', 'REQ', 'EXC', 'req/s', 'STARTUP'], 'MOUNTPOINT / CHDIR')), 'header'));
  w.apps.forEach((a, i) => {
    const mount = safeText(a.mountpoint) || '(default)';
    const chdir = safeText(a.chdir);
    const numbers = [plainNumber(a.id), fmtCount(a.requests), fmtCount(a.exceptions), fmtRate(d?.appRps[i] ?? null), fmtEpochShort(a.startupTime, nowMs)];
    out.push(line(row(cells(numbers, chdir ? `${mount}  ${chdir}` : mount))));
  });
  return out;
}

/** The detail lines of one worker, `width` cells wide at most (the overlay scrolls them). */
export function workerDetail(
  w: Worker,
  d: WorkerDerived | undefined,
  events: readonly MonitorEvent[],
  showVars: boolean,
  width: number,
  nowMs: number,
  /** Seconds since the document was read, added to in-flight ages so they count up between polls. */
  sinceReadS = 0,
  /** The worker's Python stacks, once Enter asked for them. */
  stack?: StackView,
): Line[] {
  const status = safeText(w.statusRaw || w.status);
  const out: Line[] = [[
    { text: `Worker ${w.id || '-'}`, style: 'title' },
    { text: ` (slot ${w.slot})  pid ${w.pid || '-'}  ` },
    { text: status, style: workerStyle(w) ?? 'bold' },
    { text: w.accepting ? '  accepting' : '  not accepting', style: w.accepting ? undefined : 'warn' },
  ]];
  // The same fields, labels and units as the page's worker panel (src/present/worker-fields.ts).
  for (const group of workerFieldGroups(w, d)) out.push(kv(group));
  out.push([]);
  if (stack !== undefined) out.push(...stackLines(stack, width, nowMs), []);
  out.push(...respawnLines(w, events, nowMs), []);
  out.push(...coresLines(w, showVars, width, nowMs, sinceReadS), []);
  out.push(...appLines(w, d, width, nowMs), []);
  out.push(line(`accepting ${yesNo(w.accepting)}   status as sent: ${status}`, 'dim'));
  return out;
}
