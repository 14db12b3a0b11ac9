/**
 * The summary at the top: what the instance is (version, master pid, uptime), how it is doing (requests/s,
 * totals, listen queue against its maximum, tx/s, workers busy/idle/paused/cheap, average response time)
 * and whether what is shown can be trusted (live, stale for N s, down with the next retry, and the reason on
 * the line below).
 */
import type { EmperorSnapshot, InstanceSnapshot, RouterSnapshot } from '../../../stats/snapshot.js';
import type { Derived } from '../../../metrics/types.js';
import type { TargetState, TargetUpdate } from '../../../monitor/types.js';
import { safeText } from '../../../core/safe-text.js';
import { fmtClock, fmtCount, fmtDuration, fmtRate, plainNumber } from '../../../core/units.js';
import { cutKeeping, wrapWords } from '../../../present/width.js';
import { lineWidth, spread, type Line, type Segment, type Style } from './line.js';
import { instanceFigures, type InstanceFigures } from '../../../present/summary.js';

/** The number of summary lines, whatever the document kind (keeps the layout steady). */
export const SUMMARY_LINES = 3;

function seg(text: string, style?: Style): Segment {
  return { text, style };
}

function label(text: string): Segment {
  return { text, style: 'dim' };
}

/**
 * The connection state as a short styled phrase for the right end of the title line, computed against the
 * wall clock `nowMs`. A down target says so and when it is retried; why is on a line of its own (downLine),
 * because an error message never fitted beside the title at 80 columns and pushed the countdown off.
 */
export function stateSegments(state: TargetState | null, readAtMs: number | null, nowMs: number, replay = false): Line {
  if (state === null || state.state === 'connecting') return [seg(replay ? 'not recorded yet' : 'connecting…', 'warn')];
  // A replay never says live: what is shown was read at the recorded time.
  if (state.state === 'live') return [seg(replay ? '● recorded' : '● live', 'ok')];
  if (state.state === 'stale') {
    const age = readAtMs === null ? state.ageSeconds : Math.max(state.ageSeconds, (nowMs - readAtMs) / 1000);
    return [seg(`stale: no fresh data for ${fmtDuration(age)}`, 'warn')];
  }
  const parts: Line = [seg('DOWN', 'error')];
  if (state.nextRetryAtMs !== null) {
    const wait = Math.max(0, (state.nextRetryAtMs - nowMs) / 1000);
    parts.push(seg(wait < 0.5 ? ' · retrying now' : ` · retry in ${Math.ceil(wait)}s`, 'error'));
  }
  return parts;
}

/** Why a target is down, since when, and how old the data still shown is. */
export function downText(state: Extract<TargetState, { state: 'down' }>, readAtMs: number | null): string {
  const data = readAtMs === null ? '' : ` · data below read at ${fmtClock(readAtMs / 1000)}`;
  return `${safeText(state.error)} · down since ${fmtClock(state.sinceMs / 1000)}${data}`;
}


/** Listen queue against its socket's maximum (the fullest socket, named when there are several), styled near full. */
export function listenQueueSegments(snap: InstanceSnapshot, f: InstanceFigures = instanceFigures(snap, null)): Line {
  const style: Style | undefined = f.queueRatio >= 0.9 ? 'error' : f.queueRatio >= 0.7 ? 'warn' : undefined;
  const out: Line = [label('listen queue '), seg(f.queue, style)];
  if (f.queueSocket !== null) out.push(label(` on ${f.queueSocket}`));
  // uWSGI says 0/0 for unix sockets: say when the figure is the kernel's.
  if (f.queueKernel) out.push(label(' kernel'));
  if (f.queueErrors !== null && f.queueErrors !== '0') out.push(seg(` (${f.queueErrors} overflows)`, 'error'));
  return out;
}

/** The target as the title names it, and the part a shortened title keeps (see distinguishingPart). */
export interface TitleName {
  name: string;
  keep: string | null;
}

/**
 * The title: target, kind and version, master pid, uptime, state at the right. On a narrow terminal whole
 * parts give way from the end (a label never stays without its value), and the target keeps its port or
 * socket file name.
 */
function titleLine(target: TitleName, kindText: string, version: string, pid: number, extra: Line, state: Line, width: number): Line {
  const room = Math.max(8, Math.min(40, width - lineWidth(state) - 2));
  const groups: Line[] = [
    [seg(cutKeeping(safeText(target.name), target.keep, room), 'title')],
    [seg('  '), seg(kindText), seg(` ${safeText(version, 24)}`)],
    [label('  pid '), seg(String(pid))],
  ];
  for (let i = 0; i < extra.length; i += 2) groups.push(extra.slice(i, i + 2));
  while (groups.length > 1 && lineWidth(groups.flat()) + lineWidth(state) + 1 > width) groups.pop();
  return spread(groups.flat(), state, width);
}

function instanceLines(target: TitleName, snap: InstanceSnapshot, d: Derived | null, state: Line, width: number): Line[] {
  const inst = d?.instance ?? null;
  const extra: Line = [];
  if (inst?.uptimeSeconds !== null && inst?.uptimeSeconds !== undefined) {
    // Only the master's own start (read from /proc for a local master) is the instance's uptime.
    if (inst.uptimeFrom === 'saved') extra.push(label('  oldest worker spawned '), seg(fmtClock(snap.readAtMs / 1000 - inst.uptimeSeconds)));
    else extra.push(label(inst.uptimeFrom === 'master' ? '  up ' : '  workers up '), seg(fmtDuration(inst.uptimeSeconds)));
  }
  const l1 = titleLine(target, 'uWSGI', snap.doc.version, snap.doc.pid, extra, state, width);
  const f = instanceFigures(snap, d);
  const traffic: Line = [
    label('req/s '), seg(f.rps, 'bold'),
    label('  total '), seg(f.requests),
    // The mean of the requests that finished in the last interval; uWSGI's running average is uAVG.
    label('  avg '), seg(f.avg),
    label('  tx '), seg(f.txps),
    label('  exc/s '), seg(f.eps, (inst?.eps ?? 0) > 0 ? 'warn' : undefined),
  ];
  const queue = listenQueueSegments(snap, f);
  // A queue near its maximum leads the line (with its overflow count): at 80 columns the end is what gets
  // cut. Overflows alone are a total since start, so a past incident does not keep it in front.
  const danger = queue[1]?.style === 'warn' || queue[1]?.style === 'error';
  const l2: Line = danger ? [...queue, seg('  '), ...traffic] : [...traffic, seg('  '), ...queue];
  const { total, busy, idle, paused, cheap, sig } = f.workers;
  const l3: Line = [
    label('workers '), seg(String(total)),
    label(': '), seg(`${busy} busy`, busy > 0 ? 'busy' : undefined),
    seg(`, ${idle} idle`),
  ];
  // Paused and cheap workers are named when there are any: at 80 columns "0 paused, 0 cheap" cut the CPU off.
  if (paused > 0) l3.push(seg(`, ${paused} paused`, 'pause'));
  if (cheap > 0) l3.push(seg(`, ${cheap} cheap`));
  if (sig > 0) l3.push(seg(`, ${sig} in signal handler`, 'sig'));
  l3.push(label('  busyness '), seg(f.busyness));
  l3.push(label('  in flight '), seg(f.inFlight));
  // CPU from /proc: shown for a local instance; a remote one says so rather than a guess.
  if (f.cpu !== null) l3.push(label('  cpu '), seg(f.cpu));
  return [l1, l2, l3];
}
function emperorLines(target: TitleName, snap: EmperorSnapshot, state: Line, width: number): Line[] {
  const doc = snap.doc;
  const v = doc.vassals;
  const l1 = titleLine(target, 'Emperor', doc.version, doc.pid, [], state, width);
  const l2: Line = [
    label('vassals '), seg(plainNumber(v.length)),
    label(': '), seg(`${v.filter((x) => x.ready).length} ready, ${v.filter((x) => x.accepting).length} accepting, `),
    seg(`${v.filter((x) => x.cursed > 0).length} cursed`, v.some((x) => x.cursed > 0) ? 'error' : undefined),
    seg(`, ${v.filter((x) => x.loyal > 0).length} loyal`),
    label('  respawns '), seg(fmtCount(v.reduce((s, x) => s + x.respawns, 0))),
    label('  throttle '), seg(plainNumber(doc.throttleLevel), doc.throttleLevel > 0 ? 'warn' : undefined),
  ];
  // Tyrant mode is the exception: say it only when on, so the line fits 80 columns.
  if (doc.emperorTyrant) l2.push(seg('  tyrant mode'));
  const l3: Line = [label('watching '), seg(doc.emperor.map((e) => safeText(e, 60)).join(', ') || '-')];
  if (doc.blacklist.length > 0) l3.push(label('  blacklist '), seg(plainNumber(doc.blacklist.length), 'error'));
  return [l1, l2, l3];
}

function routerLines(target: TitleName, snap: RouterSnapshot, d: Derived | null, state: Line, width: number): Line[] {
  const doc = snap.doc;
  const nodes = doc.subscriptions.flatMap((s) => s.nodes);
  const failing = nodes.filter((n) => n.failcnt > 0).length;
  const dead = nodes.filter((n) => n.deathMark).length;
  const rates = (d?.nodes ?? []).map((n) => n.rps).filter((r): r is number => r !== null);
  const l1 = titleLine(target, safeText(doc.routerName, 16) || 'router', doc.version, doc.pid, [], state, width);
  const l2: Line = [
    label('active sessions '), seg(fmtCount(doc.activeSessions), 'bold'),
    label('  subscriptions '), seg(plainNumber(doc.subscriptions.length)),
    label('  nodes '), seg(String(nodes.length)),
    seg(` (${failing} failing`, failing > 0 ? 'warn' : undefined),
    seg(`, ${dead} dead)`, dead > 0 ? 'error' : undefined),
    label('  req/s '), seg(rates.length ? fmtRate(rates.reduce((a, b) => a + b, 0)) : '-'),
  ];
  const l3: Line = [label('sockets '), seg(doc.routerSockets.map((s) => safeText(s, 40)).join(', ') || '-')];
  if (doc.staticNodes.length > 0) l3.push(label('  static nodes '), seg(plainNumber(doc.staticNodes.length)));
  if (doc.cheap) l3.push(seg('  cheap mode', 'warn'));
  return [l1, l2, l3];
}

/**
 * The summary lines for one target. `shown` is the update on screen (frozen or latest); `live` is the
 * latest state, so a frozen display still says when the target goes down.
 */
export function summaryLines(shown: TargetUpdate | null, live: TargetState | null, target: string | TitleName, width: number, nowMs: number, replay = false): Line[] {
  if (typeof target === 'string') target = { name: target, keep: null };
  const snap = shown?.snapshot ?? null;
  // A repaired document or an address warning is marked beside the state, where 80 columns keep it (events: 9).
  const notes = snap === null ? [] : [snap.repairs.length > 0 ? 'repaired' : '', snap.warnings.length > 0 ? 'warning' : ''].filter(Boolean);
  const mark: Line = notes.length > 0 ? [seg(`⚠ ${notes.join('+')}: key 9 `, 'warn')] : [];
  const state = [...mark, ...stateSegments(live, snap?.readAtMs ?? null, nowMs, replay)];
  let lines: Line[];
  if (snap === null) {
    lines = [
      spread([seg(cutKeeping(safeText(target.name), target.keep, Math.max(8, Math.min(60, width - lineWidth(state) - 2))), 'title')], state, width),
      [label(live?.state === 'down' ? 'no document read yet; the monitor keeps retrying' : 'waiting for the first stats document…')],
      [],
    ];
  } else if (snap.kind === 'instance') {
    lines = instanceLines(target, snap, shown?.derived ?? null, state, width);
  } else if (snap.kind === 'emperor') {
    lines = emperorLines(target, snap, state, width);
  } else {
    lines = routerLines(target, snap, shown?.derived ?? null, state, width);
  }
  // Down: the reason takes the second line, and the third too when it needs it (an 80-column terminal);
  // otherwise the last numbers read stay there.
  if (live?.state === 'down') {
    const why = wrapWords(downText(live, snap?.readAtMs ?? null), width, 2).map((t): Line => [seg(t, 'error')]);
    lines = [lines[0]!, why[0]!, why[1] ?? lines[1]!];
  }
  return lines;
}
