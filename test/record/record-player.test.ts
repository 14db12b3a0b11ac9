/**
 * The replay clock over recordings written here with a fixed clock: play at a speed (driven by an injected
 * real clock), pause, step, jump, the next event of a kind, and the times a user types. No wall-clock date
 * in any expected value.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingWriter } from '../../src/record/writer.js';
import { Recording } from '../../src/record/reader.js';
import { ReplayMonitor } from '../../src/record/replay-monitor.js';
import { EVENT_KINDS, parseReplayTime, ReplayPlayer } from '../../src/record/player.js';
import { cleanupAll, tempDir } from '../support/uwsgi.js';
import { SAMPLE_EPOCH_MS, sampleDoc } from '../support/samples.js';

afterAll(cleanupAll);

/** Twenty polls a second apart; the listen queue is full at polls 7-8, worker 2 is replaced at poll 12, the target is down at polls 15-16. */
function recording(): Recording {
  const file = join(tempDir(), 'rec.uwrec');
  let clock = SAMPLE_EPOCH_MS;
  const w = new RecordingWriter({ file, target: '127.0.0.1:9191', tool: 'test', intervalMs: 1000, secrets: false, now: () => clock, freeBytes: () => 1e15 });
  const doc = sampleDoc('instance-idle.json');
  for (let i = 0; i < 20; i++) {
    clock = SAMPLE_EPOCH_MS + i * 1000;
    if (i === 15 || i === 16) {
      w.failure(clock, 'connection refused', 'refused');
      continue;
    }
    doc.workers[0].requests += 3;
    doc.sockets[0].queue = i === 7 || i === 8 ? doc.sockets[0].max_queue : 0;
    doc.listen_queue = doc.sockets[0].queue;
    if (i === 12) {
      doc.workers[1].pid += 1000;
      doc.workers[1].last_spawn = Math.floor(clock / 1000);
      doc.workers[1].respawn_count += 1;
    }
    // A new object each poll, as each read parses one (the writer keeps the last as its patch base).
    w.document(clock, i * 1000, structuredClone(doc), 1, 1000, []);
  }
  w.close();
  return Recording.open(file);
}

describe('the replay player', () => {
  it('plays at the chosen speed from an injected clock, and stops at the end', () => {
    let real = 0;
    const player = new ReplayPlayer([new ReplayMonitor(recording())], () => real);
    player.seek(player.startMs);
    player.speed = 5;
    player.play();
    real += 1000;
    player.tick();
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS + 5000);
    expect(player.monitors[0]!.latest()!.snapshot!.readAtMs).toBe(SAMPLE_EPOCH_MS + 5000);
    player.pause();
    real += 1000;
    player.tick();
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS + 5000);
    expect(player.changeSpeed(1)).toBe(10);
    player.play();
    real += 60_000;
    player.tick();
    expect(player.status()).toMatchObject({ atMs: SAMPLE_EPOCH_MS + 19_000, playing: false, atEnd: true });
    player.close();
  });

  it('steps one poll at a time and finds the next respawn and the next time the target went down', () => {
    const player = new ReplayPlayer([new ReplayMonitor(recording())], () => 0);
    player.seek(player.startMs);
    expect(player.step(1)).toBe(true);
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS + 1000);
    player.step(-1);
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS);
    const respawn = player.nextEvent(['worker-respawned']);
    expect(respawn!.events.map((e) => e.type)).toContain('worker-respawned');
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS + 12_000);
    const down = player.nextEvent(['target-down']);
    expect(down!.error).toBe('connection refused');
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS + 15_000);
    expect(player.nextEvent(['target-down'])).toBeNull();
    // Jumping back rebuilds the state: the same respawn is found again, with the same message.
    player.seek(player.startMs);
    expect(player.nextEvent(['worker-respawned'])!.events[0]!.message).toBe(respawn!.events[0]!.message);
    player.close();
  });

  it('finds the next listen queue above its threshold (the Q key), once per time it filled', () => {
    const player = new ReplayPlayer([new ReplayMonitor(recording())], () => 0);
    player.seek(player.startMs);
    const full = player.nextEvent(EVENT_KINDS['next-queue']!.types);
    expect(player.positionMs).toBe(SAMPLE_EPOCH_MS + 7000);
    const socket = sampleDoc('instance-idle.json').sockets[0];
    expect(full!.events.find((e) => e.type === 'listen-queue-high')!.message).toBe(`listen queue of ${socket.name} at ${socket.max_queue}/${socket.max_queue} (100%)`);
    // Still full at poll 8: not a new crossing, so there is no next one.
    expect(player.nextEvent(EVENT_KINDS['next-queue']!.types)).toBeNull();
    player.close();
  });

  it('reads the times a user types: ISO with a zone, a local clock time on the position\'s day, an offset', () => {
    const at = SAMPLE_EPOCH_MS + 3600_000;
    expect(parseReplayTime('2026-11-21T10:00:00Z', at)).toBe(Date.UTC(2026, 10, 21, 10, 0, 0));
    expect(parseReplayTime('2026-11-21T12:00:00+02:00', at)).toBe(Date.UTC(2026, 10, 21, 10, 0, 0));
    expect(parseReplayTime('+90s', at)).toBe(at + 90_000);
    expect(parseReplayTime('-5m', at)).toBe(at - 300_000);
    const local = new Date(at);
    local.setHours(3, 12, 5, 0);
    expect(parseReplayTime('03:12:05', at)).toBe(local.getTime());
    expect(() => parseReplayTime('yesterday', at)).toThrow(/not a time/);
  });
});
