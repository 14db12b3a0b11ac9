/**
 * ws:// addresses: a relay serves several targets over one connection. Each target it serves becomes a
 * Target here; reading one returns the relay's latest document for it (the relay does the polling).
 */
import type { StatsAddress } from '../stats/address.js';
import type { Snapshot } from '../stats/snapshot.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { StatsReadError } from '../core/errors.js';
import { nextEvent } from '../core/next-event.js';
import { connectRelay, type RemoteTargetMonitor } from '../relay/client.js';
import { failureText, type Target } from './targets.js';


/** What a relay address turned into: its targets, or the reason it could not be reached. */
export interface RelayOpening {
  address: StatsAddress;
  targets: Target[];
  /** Set when the relay could not be reached: the address becomes one failing target. */
  error: string | null;
  /** Set when trying again cannot help (an untrusted certificate): the command ends with this reason. */
  fatal?: Error;
}

function remoteTarget(address: StatsAddress, monitor: RemoteTargetMonitor, waitMs: number): Target {
  return {
    name: monitor.target,
    address,
    isStatic: false,
    remote: monitor,
    async fetch(signal: AbortSignal): Promise<Snapshot> {
      // A relay that has just started has not read its target yet: its first poll is worth waiting for.
      let update = monitor.latest();
      if (update === null || (update.snapshot === null && update.error === null)) update = await nextEvent<TargetUpdate>((listener) => monitor.subscribe(listener), { timeoutMs: waitMs, signal });
      if (update === null || update.snapshot === null) {
        throw new StatsReadError(update?.error ?? 'the relay has no document for this target yet', 'unreachable');
      }
      if (update.error !== null) throw new StatsReadError(`(via the relay) ${update.error}`, 'unreachable');
      return update.snapshot;
    },
  };
}

/**
 * Connect to every relay address; `prefix` names remote targets `HOST:PORT/target` when other targets are
 * given too. `log` gets the client's notes (messages dropped, targets gone or added), one safe line each.
 */
export async function openRelays(
  addresses: readonly StatsAddress[],
  prefix: boolean,
  connectTimeoutMs: number,
  log?: (line: string) => void,
): Promise<RelayOpening[]> {
  if (addresses.length === 0) return [];
  return Promise.all(
    addresses.map(async (address): Promise<RelayOpening> => {
      try {
        const host = new URL(address.text).host;
        // address.url keeps the token; address.text (the name shown) has it masked.
        const monitors = await connectRelay(address.kind === 'relay' ? address.url : address.text, { connectTimeoutMs, ...(log !== undefined ? { log } : {}), ...(prefix ? { targetPrefix: `${host}/` } : {}) });
        return { address, targets: monitors.map((m) => remoteTarget(address, m, connectTimeoutMs)), error: null };
      } catch (err) {
        const fatal = err instanceof StatsReadError && err.code === 'certificate' ? { fatal: err } : {};
        return { address, targets: [], error: failureText(address.text, err), ...fatal };
      }
    }),
  );
}

/** A target standing for an unreachable relay: every read fails with the connection error. */
export function failedRelayTarget(opening: RelayOpening): Target {
  return {
    name: opening.address.text,
    address: opening.address,
    isStatic: false,
    fetch: () => Promise.reject(new StatsReadError(opening.error ?? 'relay unreachable', 'unreachable')),
  };
}

/** Close every relay connection (stopping all of a relay's monitors closes it). */
export function closeRelays(openings: readonly RelayOpening[]): void {
  for (const o of openings) for (const t of o.targets) t.remote?.stop();
}
