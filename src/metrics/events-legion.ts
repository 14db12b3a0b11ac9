/** Legion events of an instance: lord changes, members joining or leaving, quorum reached or lost. */
import type { Legion } from '../stats/snapshot.js';
import type { Emit } from './event-emit.js';

/** Votes a node counts: itself plus every member it sees (uWSGI's quorum is a number of votes). */
function quorumReached(l: Legion): boolean {
  return l.members.length + 1 >= l.quorum;
}

/** Events of every legion seen in both snapshots. */
export function legionEvents(prev: Legion[], cur: Legion[], emit: Emit): void {
  for (const l of cur) {
    const pl = prev.find((x) => x.legion === l.legion);
    if (pl === undefined) continue;
    // The lord is who lord_uuid names (a lord names itself). i_am_the_lord lags behind it: seen on 2.0.21, a lord
    // that a higher valor displaces keeps i_am_the_lord set for ~2 s after lord_uuid names the new lord.
    if (pl.lordUuid !== l.lordUuid) {
      const mine = l.lordUuid !== '' && l.lordUuid === l.uuid;
      const who = mine ? 'this node' : l.lordUuid === '' ? 'nobody' : l.lordUuid;
      emit('legion-lord-changed', 'warn', `legion ${l.legion}: lord is now ${who}${l.lordUuid ? ` (valor ${l.lordValor})` : ''}`, {
        legion: l.legion,
        oldLord: pl.lordUuid,
        newLord: l.lordUuid,
        iAmTheLord: mine,
      });
    }
    const before = new Set(pl.members.map((m) => m.uuid));
    const after = new Set(l.members.map((m) => m.uuid));
    for (const m of l.members) {
      if (!before.has(m.uuid)) {
        emit('legion-member-joined', 'info', `legion ${l.legion}: ${m.name} joined (${m.uuid}, valor ${m.valor})`, {
          legion: l.legion,
          uuid: m.uuid,
          name: m.name,
        });
      }
    }
    for (const m of pl.members) {
      if (!after.has(m.uuid)) {
        emit('legion-member-left', 'warn', `legion ${l.legion}: ${m.name} left (${m.uuid})`, {
          legion: l.legion,
          uuid: m.uuid,
          name: m.name,
        });
      }
    }
    const was = quorumReached(pl);
    const is = quorumReached(l);
    if (was !== is) {
      const votes = l.members.length + 1;
      emit('legion-quorum', is ? 'info' : 'error', `legion ${l.legion}: quorum ${is ? 'reached' : 'lost'} (${votes} of ${l.quorum} votes)`, {
        legion: l.legion,
        reached: is,
        votes,
        quorum: l.quorum,
      });
    }
  }
}
