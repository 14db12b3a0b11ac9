/** The legions view: for each legion its lord and quorum (heading lines), then every member with valor and last seen. */
import type { Legion, LegionMember } from '../../stats/snapshot.js';
import { safeText } from '../../core/safe-text.js';
import { fmtDuration, fmtEpochShort, plainNumber } from '../../core/units.js';
import type { Line } from './spec.js';
import type { Column, TableSpec } from './spec.js';

export interface MemberRow {
  legion: Legion;
  m: LegionMember;
  nowMs: number;
}

const isLord = (r: MemberRow): boolean => r.m.uuid === r.legion.lordUuid;

const columns: Array<Column<MemberRow>> = [
  { id: 'legion', title: 'LEGION', width: 12, align: 'left', priority: 1, text: (r) => safeText(r.legion.legion), sort: (r) => safeText(r.legion.legion) },
  { id: 'name', title: 'MEMBER', width: 12, flex: true, maxWidth: 30, align: 'left', priority: 1, text: (r) => safeText(r.m.name), sort: (r) => safeText(r.m.name) },
  { id: 'valor', title: 'VALOR', width: 6, align: 'right', priority: 1, desc: true, text: (r) => plainNumber(r.m.valor), sort: (r) => r.m.valor },
  { id: 'lord', title: 'LORD', width: 4, align: 'left', priority: 1, text: (r) => (isLord(r) ? 'yes' : ''), sort: (r) => (isLord(r) ? 1 : 0), style: (r) => (isLord(r) ? 'ok' : undefined) },
  {
    id: 'seen', title: 'LAST SEEN', width: 11, align: 'right', priority: 1, desc: true,
    text: (r) => (r.m.lastSeen ? `${fmtDuration(r.nowMs / 1000 - r.m.lastSeen)} ago` : 'never'),
    sort: (r) => r.m.lastSeen,
    style: (r) => (r.m.lastSeen && r.nowMs / 1000 - r.m.lastSeen > 30 ? 'warn' : undefined),
  },
  { id: 'checksum', title: 'CHECKSUM', width: 10, align: 'right', priority: 3, text: (r) => plainNumber(r.m.checksum), sort: (r) => r.m.checksum },
  { id: 'uuid', title: 'UUID', width: 9, flex: true, maxWidth: 36, align: 'left', priority: 1, text: (r) => safeText(r.m.uuid), sort: (r) => safeText(r.m.uuid) },
];

export const membersSpec: TableSpec<MemberRow> = {
  columns,
  key: (r) => `${safeText(r.legion.legion)}/${safeText(r.m.uuid)}`,
  defaultSort: 'legion',
};

/** Every member of every legion, flattened. */
export function memberRows(legions: readonly Legion[], nowMs: number): MemberRow[] {
  return legions.flatMap((legion) => legion.members.map((m) => ({ legion, m, nowMs })));
}

/** The lord's member name when it is listed, else its uuid. */
function lordName(l: Legion): string {
  const m = l.members.find((x) => x.uuid === l.lordUuid);
  return m && m.name !== '' ? safeText(m.name, 40) : safeText(l.lordUuid, 36);
}

/** Two heading lines per legion: this node and the lord, then the quorum and the configured nodes. */
export function legionHeads(legions: readonly Legion[], nowMs: number): Line[] {
  return legions.flatMap((l): Line[] => {
    const lord: Line = l.iAmTheLord
      ? [{ text: `THIS NODE IS LORD since ${fmtEpochShort(l.iAmTheLord, nowMs)}`, style: 'ok' }]
      // The valor first and the member's name rather than its uuid: at 80 columns the end of the line is cut.
      : [{ text: 'lord ', style: 'dim' }, { text: l.lordUuid ? `valor ${l.lordValor} ${lordName(l)}` : 'none', style: l.lordUuid ? undefined : 'error' }];
    const members = l.members.length + 1;
    return [
      [
        { text: safeText(l.legion, 24), style: 'title' },
        { text: ` ${safeText(l.addr, 24)}  valor ${l.valor}  ` },
        ...lord,
      ],
      [
        { text: '  quorum ', style: 'dim' },
        { text: `${l.quorum} (${members} node${members === 1 ? '' : 's'} with this one)`, style: l.quorum > members ? 'error' : undefined },
        { text: '  checksum ', style: 'dim' },
        { text: plainNumber(l.checksum) },
        { text: '  nodes ', style: 'dim' },
        { text: l.nodes.map((n) => safeText(n, 24)).join(', ') || '-' },
      ],
    ];
  });
}
