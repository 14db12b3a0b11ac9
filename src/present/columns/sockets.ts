/** The sockets view: each listening socket's queue against its maximum. */
import type { Socket } from '../../stats/snapshot.js';
import { safeText } from '../../core/safe-text.js';
import { yesNo } from '../../core/units.js';
import type { Column, TableSpec } from './spec.js';

const ratio = (s: Socket): number => (s.maxQueue > 0 ? s.queue / s.maxQueue : 0);

const columns: Array<Column<Socket>> = [
  { id: 'name', title: 'SOCKET', width: 20, flex: true, align: 'left', priority: 1, text: (s) => safeText(s.name), sort: (s) => safeText(s.name) },
  { id: 'proto', title: 'PROTO', width: 8, align: 'left', priority: 1, text: (s) => safeText(s.proto), sort: (s) => safeText(s.proto) },
  {
    id: 'queue', title: 'QUEUE/MAX', width: 11, align: 'right', priority: 1, desc: true,
    text: (s) => `${s.queue}/${s.maxQueue}`, sort: ratio,
    style: (s) => (ratio(s) >= 0.9 ? 'error' : ratio(s) >= 0.7 ? 'warn' : undefined),
  },
  { id: 'shared', title: 'SHARED', width: 6, align: 'left', priority: 2, text: (s) => yesNo(s.shared), sort: (s) => (s.shared ? 1 : 0) },
  { id: 'offload', title: 'OFFLOAD', width: 7, align: 'left', priority: 2, text: (s) => yesNo(s.canOffload), sort: (s) => (s.canOffload ? 1 : 0) },
  // uWSGI reports 0/0 for unix sockets; where the kernel answered, QUEUE/MAX is its figure (as `ss -xl`).
  { id: 'from', title: 'FROM', width: 6, align: 'left', priority: 2, text: (s) => (s.queueFrom === 'kernel' ? 'kernel' : 'uWSGI'), sort: (s) => s.queueFrom ?? '' },
];

export const socketsSpec: TableSpec<Socket> = { columns, key: (s) => safeText(s.name), defaultSort: 'name' };
