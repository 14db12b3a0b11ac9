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

/**
 * Decide the bytes and the expected effect. `before` is the instance document read just before, or null without
 * stats; pause/resume need it (they must not toggle blindly) and throw FifoError without it.
 */
export function planCommands(commands: readonly FifoCommand[], before: InstanceDocument | null): Plan {
  const notes: string[] = [];
  const expect: Expectation = { shutdown: false, replace: null, goCheap: false, runningWorkers: null, paused: null, slot: null, unverifiable: [] };
  let bytes = '';
  let paused: boolean | null = before ? isPaused(before) : null;
  let pauseTouched = false;
  let deltaTouched = false;
  // Running workers as the plan goes (null without stats). uWSGI counts a '-' written when none runs and it then
  // cancels a later '+' (seen on 2.0.21), so a '-' beyond zero is not written; a '+' beyond the slots is ignored.
  const slots = before ? before.workers.length : 0;
  let running: number | null = before ? runningWorkers(before).length : null;
  let extraAdds = 0;
  let extraRemoves = 0;
  let adds = 0;
  let removes = 0;
  for (const command of commands) {
    switch (command.effect) {
      case 'pause':
      case 'resume': {
        if (paused === null) {
          throw new FifoError(
            `"${command.name}" needs the instance's stats address (--stats) to know whether the workers are paused; use "pause-toggle" to write p blindly`,
            'usage',
          );
        }
        const want = command.effect === 'pause';
        if (paused === want) {
          notes.push(want ? 'already paused: p not written' : 'not paused: p not written');
        } else {
          bytes += 'p';
          paused = want;
        }
        pauseTouched = true;
        break;
      }
      case 'pause-toggle':
        bytes += 'p';
        if (paused !== null) paused = !paused;
        pauseTouched = true;
        break;
      case 'add-worker':
        deltaTouched = true;
        adds++;
        if (running !== null && running >= slots) {
          extraAdds++;
        } else {
          bytes += command.byte;
          if (running !== null) running++;
        }
        break;
      case 'remove-worker':
        deltaTouched = true;
        removes++;
        if (running !== null && running <= 0) {
          extraRemoves++;
        } else {
          bytes += command.byte;
          if (running !== null) running--;
        }
        break;
      case 'shutdown':
        bytes += command.byte;
        expect.shutdown = true;
        break;
      case 'reload':
        bytes += command.byte;
        expect.replace = 'instance';
        // Seen on 2.0.21: the re-executed master starts over at slot 0, whatever slot was selected.
        notes.push(`after ${command.byte} the master reads its first --master-fifo (slot 0) again`);
        break;
      case 'reload-workers':
        bytes += command.byte;
        if (expect.replace !== 'instance') expect.replace = 'workers';
        break;
      case 'chain-reload':
        bytes += command.byte;
        if (expect.replace === null) expect.replace = 'chain';
        break;
      case 'go-cheap':
        bytes += command.byte;
        expect.goCheap = true;
        break;
      case 'slot':
        bytes += command.byte;
        expect.slot = command.slot ?? Number(command.byte);
        break;
      case 'none':
        bytes += command.byte;
        expect.unverifiable.push(command.name);
        break;
    }
  }
  if (pauseTouched && paused !== null) expect.paused = paused;
  let refused: string | null = null;
  if (adds > 0 && extraAdds === adds) {
    refused = `add-worker refused: all ${slots} worker slots (--workers ${slots}) already run a worker, uWSGI cannot add one; nothing written`;
  } else if (removes > 0 && extraRemoves === removes) {
    refused = 'remove-worker refused: no worker runs, none can be removed; nothing written';
  }
  if (deltaTouched && running !== null) {
    if (extraAdds > 0) {
      notes.push(`only ${slots} worker slots (--workers): uWSGI cannot add ${extraAdds} more, ${extraAdds === 1 ? 'that +' : 'those +'} not written`);
    }
    if (extraRemoves > 0) {
      notes.push(`no worker left to remove: ${extraRemoves} - not written (uWSGI would count ${extraRemoves === 1 ? 'it' : 'them'} against the next +)`);
    }
    if (running === 0) notes.push('no worker will run: requests wait in the listen queue until add-worker');
    expect.runningWorkers = running;
  }
  return refused !== null ? { bytes: '', notes, expect, refused } : { bytes, notes, expect, refused };
}
