/**
 * Commands arriving over the WebSocket: validated, allowed only when the relay runs with --allow-control
 * (which requires a token), mapped to FIFO characters by name, logged with who asked, and recorded as a
 * 'command' event on the target's monitor.
 */
import type { TargetControl } from '../fifo/commands.js';
import type { MonitorEvent } from '../metrics/types.js';
import type { TargetMonitor } from '../monitor/types.js';
import { safeText } from '../core/safe-text.js';
import { isRelayCommand } from './commands.js';
import { PROTOCOL_VERSION, type CommandResultMessage, type ErrorMessage } from './protocol.js';
import { decodeClientMessage } from './schema.js';

/** What the relay needs from a target's controller (src/fifo/commands.ts's TargetControl): run a named command. */
export type RelayControl = Pick<TargetControl, 'run'>;

export interface CommandContext {
  allowControl: boolean;
  monitors: ReadonlyMap<string, TargetMonitor>;
  controls: ReadonlyMap<string, RelayControl>;
  /** Who sent it (remote address:port), for the log and the event. */
  remote: string;
  log: (line: string) => void;
  /** Tell every live client about an event recorded outside a poll. */
  announce: (target: string, event: MonitorEvent) => void;
}

function result(id: string, target: string, command: string, ok: boolean, message: string): CommandResultMessage {
  return { v: PROTOCOL_VERSION, type: 'command-result', id, target, command, ok, message };
}

/** Handle one client message; resolves with the reply to send to that client only. */
export async function handleClientMessage(text: string, ctx: CommandContext): Promise<CommandResultMessage | ErrorMessage> {
  const decoded = decodeClientMessage(text);
  if (!decoded.ok) {
    const message = decoded.reason === 'not-json' ? 'message is not JSON' : 'unknown message: expected {"v":2,"type":"command","id","target","command"}';
    return { v: PROTOCOL_VERSION, type: 'error', message };
  }
  const { id, target, command } = decoded.message;
  if (!ctx.allowControl) return result(id, target, command, false, 'control is disabled on this relay (start it with --allow-control and --token-file)');
  // With control on, every request comes from a token holder: refusals are logged too, with who asked.
  const refuse = (why: string): CommandResultMessage => {
    ctx.log(`relay: command ${safeText(command, 64)} on ${safeText(target, 200)} from ${safeText(ctx.remote, 80)}: REFUSED: ${safeText(why, 300)}`);
    return result(id, target, command, false, why);
  };
  if (!isRelayCommand(command)) return refuse(`unknown command: ${command}`);
  const monitor = ctx.monitors.get(target);
  if (monitor === undefined) return refuse('unknown target');
  const control = ctx.controls.get(target);
  if (control === undefined) return refuse('no master FIFO is known for this target');
  let outcome: { ok: boolean; message: string };
  try {
    outcome = await control.run(command);
  } catch (err) {
    outcome = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  ctx.log(
    `relay: command ${command} on ${safeText(target, 200)} from ${safeText(ctx.remote, 80)}: ${outcome.ok ? 'ok' : 'FAILED'}: ${safeText(outcome.message, 300)}`,
  );
  const event: MonitorEvent = {
    atMs: Date.now(),
    target,
    type: 'command',
    severity: outcome.ok ? 'info' : 'error',
    message: `${command} (relay, from ${ctx.remote}): ${outcome.message}`,
    data: { command, remote: ctx.remote, ok: outcome.ok },
  };
  monitor.addEvent(event);
  ctx.announce(target, event);
  return result(id, target, command, outcome.ok, outcome.message);
}
