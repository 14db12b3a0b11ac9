/** The dashboard over recordings: the live Dashboard on replay monitors, its clock the player's position, its replay keys the player's controls. */
import { Dashboard, type ReplayHooks } from '../views/dashboard/dashboard.js';
import type { ScreenIO } from '../views/dashboard/render/terminal.js';
import { wantsAscii } from '../views/dashboard/render/ascii.js';
import { safeText } from '../core/safe-text.js';
import { outsideRecording } from './replay-range.js';
import { endDashboardOnSignals } from './dashboard-signals.js';
import { fmtClock } from '../core/units.js';
import { EVENT_KINDS, parseReplayTime, type ReplayPlayer } from '../record/player.js';

function at(ms: number): string {
  return fmtClock(ms / 1000);
}


/** The player's controls as the dashboard's replay keys. */
export function replayHooks(player: ReplayPlayer): ReplayHooks {
  return {
    status: () => player.status(),
    act(action) {
      switch (action) {
        case 'play':
          if (player.playing) {
            player.pause();
            return `paused at ${at(player.positionMs)}`;
          }
          player.play();
          return `playing at ${player.speed}x`;
        case 'speed-up':
        case 'speed-down':
          return `speed ${player.changeSpeed(action === 'speed-up' ? 1 : -1)}x`;
        case 'step-forward':
        case 'step-back':
          return player.step(action === 'step-forward' ? 1 : -1) ? `poll at ${at(player.positionMs)}` : action === 'step-forward' ? 'end of the recording' : 'start of the recording';
        default:
          break;
      }
      const kind = EVENT_KINDS[action];
      if (kind === undefined) return `${action}: not a replay action`;
      const from = player.positionMs;
      const found = player.nextEvent(kind.types);
      if (found === null) return `no ${kind.label} after ${at(from)}`;
      const ev = found.events.find((e) => kind.types === null || kind.types.includes(e.type))!;
      return `${kind.label} at ${at(ev.atMs)}: ${safeText(ev.message, 100)}`;
    },
    jump(text) {
      try {
        player.pause();
        const wanted = parseReplayTime(text, player.positionMs);
        player.seek(wanted);
        const outside = outsideRecording(player, wanted);
        return outside === null ? `at ${at(player.positionMs)}` : `${at(wanted)}: ${outside}, ${wanted < player.startMs ? 'first' : 'last'} poll shown`;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  };
}

/** Run the replay dashboard until the user quits; resolves with the exit status (the terminal restored). */
export function runReplayDashboard(player: ReplayPlayer, io: ScreenIO, options: { color: boolean; note?: string | null }): Promise<number> {
  const dashboard = new Dashboard(player.monitors, io, {
    color: options.color,
    ascii: wantsAscii(io.env),
    controls: new Map(),
    now: () => player.positionMs,
    replay: replayHooks(player),
  });
  endDashboardOnSignals(dashboard);
  if (options.note) dashboard.state.message = { text: safeText(options.note, 160), style: 'warn', atMs: player.positionMs };
  const stop = player.onChange(() => dashboard.schedule(false));
  return dashboard.done.finally(stop);
}
