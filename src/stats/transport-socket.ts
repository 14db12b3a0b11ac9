/** Channels over Node sockets: TCP, unix paths, abstract names (Node >= 22) and TLS for https://. */
import net from 'node:net';
import tls from 'node:tls';
import type { Channel, ChannelEvents } from './transport-channel.js';

/** Where a socket channel connects. */
export type SocketEndpoint =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'path'; path: string }
  | { kind: 'tls'; host: string; port: number; servername: string };

/** A channel over one net/tls socket. */
export function socketChannel(endpoint: SocketEndpoint): Channel {
  let socket: net.Socket | null = null;
  return {
    start(events: ChannelEvents) {
      if (endpoint.kind === 'tls') {
        // Normal certificate verification against Node's CA store (plus NODE_EXTRA_CA_CERTS).
        const servername = net.isIP(endpoint.servername) === 0 ? endpoint.servername : undefined;
        const s = tls.connect({ host: endpoint.host, port: endpoint.port, servername });
        s.once('secureConnect', () => events.connected());
        socket = s;
      } else {
        const s = endpoint.kind === 'tcp' ? net.connect({ host: endpoint.host, port: endpoint.port }) : net.connect({ path: endpoint.path });
        s.once('connect', () => events.connected());
        socket = s;
      }
      socket.on('data', (chunk: Buffer) => events.data(chunk));
      socket.once('end', () => events.end());
      socket.on('error', (err: NodeJS.ErrnoException) => events.error(err));
    },
    write(bytes) {
      // A write to a server that already closed fails with EPIPE/ECONNRESET: the error event reports it.
      socket?.write(bytes);
    },
    destroy() {
      socket?.destroy();
    },
  };
}
