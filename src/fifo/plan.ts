/**
 * Turns named commands plus what the stats show before into the bytes to write and the effect to wait for.
 * Pure: no I/O, so every decision is testable on saved documents.
 */
import { FifoError } from '../core/errors.js';
import type { InstanceDocument } from '../stats/snapshot.js';
import type { FifoCommand } from './commands.js';
import { isPaused, runningWorkers } from './state.js';

/** The effect to wait for after the write; fields are null when that aspect should not change. */
export interface Expectation {
  /** The stats server should go away (q/Q). */
  shutdown: boolean;
  /** Workers to replace: 'chain' one at a time (c), 'workers' (w/W), 'instance' (r/R: master re-executes). */
  replace: 'chain' | 'workers' | 'instance' | null;
  /** Every worker should end up cheap (C). */
  goCheap: boolean;
  /** Number of running workers expected (after + / -). */
  runningWorkers: number | null;
  /** Paused state expected (after p / pause / resume). */
  paused: boolean | null;
  /** The FIFO slot selected last (0-9). */
  slot: number | null;
  /** Names of written commands whose effect the stats do not show. */
  unverifiable: string[];
}

export interface Plan {
  /** The bytes to write, in order ('' when nothing is needed, e.g. pause on a paused instance). */
  bytes: string;
  /** Notes for the operator (e.g. "already paused: p not written"). */
  notes: string[];
  expect: Expectation;
  /** Why the command cannot do what it asks (every add-worker or remove-worker refused): fail, write nothing. */
  refused: string | null;
}

/** The plan as it is built, command after command. */
interface PlanState {
  notes: string[];
  expect: Expectation;
  bytes: string;
  paused: boolean | null;
  pauseTouched: boolean;
  deltaTouched: boolean;
  /** Worker slots of the instance (0 without stats). */
  slots: number;
  /** Running workers as the plan goes (null without stats). */
  running: number | null;
  extraAdds: number;
  extraRemoves: number;
  adds: number;
  removes: number;
}

/** pause, resume (written only when the stats say they change something) and the blind pause-toggle. */
function planPause(state: PlanState, command: FifoCommand): void {
  if (command.effect === 'pause-toggle') {
    state.bytes += 'p';
    if (state.paused !== null) state.paused = !state.paused;
    state.pauseTouched = true;
    return;
  }
  if (state.paused === null) {
    throw new FifoError(
      `"${command.name}" needs the instance's stats address (--stats) to know whether the workers are paused; use "pause-toggle" to write p blindly`,
      'usage',
    );
  }
  const want = command.effect === 'pause';
  if (state.paused === want) {
    state.notes.push(want ? 'already paused: p not written' : 'not paused: p not written');
  } else {
    state.bytes += 'p';
    state.paused = want;
  }
  state.pauseTouched = true;
}

/**
 * add-worker and remove-worker. uWSGI counts a '-' written when none runs and it then cancels a later '+'
 * (seen on 2.0.21), so a '-' beyond zero is not written; a '+' beyond the slots is ignored.
 */
function planWorkerDelta(state: PlanState, command: FifoCommand): void {
  state.deltaTouched = true;
  if (command.effect === 'add-worker') {
    state.adds++;
    if (state.running !== null && state.running >= state.slots) {
      state.extraAdds++;
      return;
    }
    state.bytes += command.byte;
    if (state.running !== null) state.running++;
    return;
  }
  state.removes++;
  if (state.running !== null && state.running <= 0) {
    state.extraRemoves++;
    return;
  }
  state.bytes += command.byte;
  if (state.running !== null) state.running--;
}

/** Commands whose byte is always written: what each should change in the stats. */
function planWritten(state: PlanState, command: FifoCommand): void {
  const { expect } = state;
  state.bytes += command.byte;
  switch (command.effect) {
    case 'shutdown':
      expect.shutdown = true;
      break;
    case 'reload':
      expect.replace = 'instance';
      // Seen on 2.0.21: the re-executed master starts over at slot 0, whatever slot was selected.
      state.notes.push(`after ${command.byte} the master reads its first --master-fifo (slot 0) again`);
      break;
    case 'reload-workers':
      if (expect.replace !== 'instance') expect.replace = 'workers';
      break;
    case 'chain-reload':
      if (expect.replace === null) expect.replace = 'chain';
      break;
    case 'go-cheap':
      expect.goCheap = true;
      break;
    case 'slot':
      expect.slot = command.slot ?? Number(command.byte);
      break;
    default:
      // 'none': written, but nothing in the stats shows it.
      expect.unverifiable.push(command.name);
  }
}

/** Plan one command by its effect: a new EffectKind does not compile until it is given its plan here. */
function planOne(state: PlanState, command: FifoCommand): void {
  switch (command.effect) {
    case 'pause':
    case 'resume':
    case 'pause-toggle':
      return planPause(state, command);
    case 'add-worker':
    case 'remove-worker':
      return planWorkerDelta(state, command);
    case 'shutdown':
    case 'reload':
    case 'reload-workers':
    case 'chain-reload':
    case 'go-cheap':
    case 'slot':
    case 'none':
      return planWritten(state, command);
    default:
      command.effect satisfies never;
  }
}

/** The whole plan refused when every add (or every remove) was impossible; notes on the ones not written. */
function finishPlan(state: PlanState): Plan {
  const { notes, expect, slots, running, extraAdds, extraRemoves, adds, removes } = state;
  if (state.pauseTouched && state.paused !== null) expect.paused = state.paused;
  let refused: string | null = null;
  if (adds > 0 && extraAdds === adds) {
    refused = `add-worker refused: all ${slots} worker slots (--workers ${slots}) already run a worker, uWSGI cannot add one; nothing written`;
  } else if (removes > 0 && extraRemoves === removes) {
    refused = 'remove-worker refused: no worker runs, none can be removed; nothing written';
  }
  if (state.deltaTouched && running !== null) {
    if (extraAdds > 0) {
      notes.push(`only ${slots} worker slots (--workers): uWSGI cannot add ${extraAdds} more, ${extraAdds === 1 ? 'that +' : 'those +'} not written`);
    }
    if (extraRemoves > 0) {
      notes.push(`no worker left to remove: ${extraRemoves} - not written (uWSGI would count ${extraRemoves === 1 ? 'it' : 'them'} against the next +)`);
    }
    if (running === 0) notes.push('no worker will run: requests wait in the listen queue until add-worker');
    expect.runningWorkers = running;
  }
  return refused !== null ? { bytes: '', notes, expect, refused } : { bytes: state.bytes, notes, expect, refused };
}

/**
 * Decide the bytes and the expected effect. `before` is the instance document read just before, or null without
 * stats; pause/resume need it (they must not toggle blindly) and throw FifoError without it.
 */
export function planCommands(commands: readonly FifoCommand[], before: InstanceDocument | null): Plan {
  const state: PlanState = {
    notes: [],
    expect: { shutdown: false, replace: null, goCheap: false, runningWorkers: null, paused: null, slot: null, unverifiable: [] },
    bytes: '',
    paused: before ? isPaused(before) : null,
    pauseTouched: false,
    deltaTouched: false,
    slots: before ? before.workers.length : 0,
    running: before ? runningWorkers(before).length : null,
    extraAdds: 0,
    extraRemoves: 0,
    adds: 0,
    removes: 0,
  };
  for (const command of commands) planOne(state, command);
  return finishPlan(state);
}
