/**
 * Linux abstract sockets (`@name`). uWSGI 2.0.21 binds `\0name\0` with the trailing NUL counted in the
 * address length. Node >= 22 connects to that exact address; Node 20 pads abstract addresses to the full
 * sun_path length and never connects, so there one long-lived python3 broker, shared by every abstract
 * read, connects and relays the bytes (transport-abstract-broker.ts). The caller's deadline and size cap
 * apply as for any channel: destroy() has the broker drop that connection at once.
 */
import type { Channel, ChannelEvents } from './transport-channel.js';
import { openThroughBroker, type BrokerCommand, type BrokerLink } from './transport-abstract-broker.js';
import { socketChannel } from './transport-socket.js';

export { abstractBrokerPid, stopAbstractBroker } from './transport-abstract-broker.js';

/** True when this Node can connect to uWSGI's abstract sockets itself. */
export function nodeReachesAbstract(version: string = process.versions.node): boolean {
  return Number(version.split('.')[0]) >= 22;
}

/** The abstract addresses to try, in order: uWSGI 2.0's `\0name\0`, then the conventional `\0name`. */
export function abstractPaths(name: string): string[] {
  return [`\0${name}\0`, `\0${name}`];
}

/** The interpreter that runs the broker (overridable for tests of a missing python3). */
export type RelayCommand = BrokerCommand;

/** A channel to `@name` through the shared python3 broker (Node < 22). */
export function pythonAbstractChannel(name: string, command: RelayCommand = { python: 'python3' }): Channel {
  let link: BrokerLink | null = null;
  let destroyed = false;
  return {
    start(events: ChannelEvents) {
      if (destroyed || link !== null) return;
      link = openThroughBroker(name, events, command);
    },
    write(bytes) {
      link?.write(bytes);
    },
    destroy() {
      destroyed = true;
      link?.close();
      link = null;
    },
  };
}

/** A channel to `@name` on Node >= 22 (one of abstractPaths). */
export function nodeAbstractChannel(path: string): Channel {
  return socketChannel({ kind: 'path', path });
}
