/**
 * Three vassals sharing one id (the same config name in several watched directories): an unchanging Emperor
 * document, polled again and again, raises no "respawned" warning; a real respawn of one of them still does;
 * /metrics keeps them as distinct series and --json keeps each one's respawn delta.
 */
import { describe, expect, it } from 'vitest';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import { collectSamples } from '../../src/web/prom-samples.js';
import { snapshotRecord } from '../../src/views/json-record.js';
import { decodeDoc, sample } from '../support/views-support.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
function sharedIds(): any {
  const doc = sample('emperor.json');
  const v = doc.vassals[0];
  doc.vassals = [0, 1, 2].map((i) => ({ ...v, id: 'app.ini', pid: 5000 + i, respawns: i }));
  return doc;
}

describe('vassals sharing an id', () => {
  it('an unchanging document raises no respawn warning, poll after poll', () => {
    const core = new MonitorCore('emperor');
    const doc = sharedIds();
    const types: string[] = [];
    for (let i = 0; i < 5; i++) types.push(...core.ingestSnapshot(decodeDoc(doc, i * 1000, 'emperor'), i + 1).events.map((e) => e.type));
    expect(types.filter((t) => t.startsWith('vassal-'))).toEqual([]);
  });

  it('the one that respawned is reported, once, with its own pids', () => {
    const core = new MonitorCore('emperor');
    const doc = sharedIds();
    core.ingestSnapshot(decodeDoc(doc, 0, 'emperor'), 1);
    doc.vassals[1].pid = 6001;
    doc.vassals[1].respawns += 1;
    const update = core.ingestSnapshot(decodeDoc(doc, 1000, 'emperor'), 2);
    const respawned = update.events.filter((e) => e.type === 'vassal-respawned');
    expect(respawned).toHaveLength(1);
    expect(respawned[0]!.data).toMatchObject({ oldPid: 5001, newPid: 6001 });
    // --json: the respawn delta is on the second vassal only.
    const record: any = snapshotRecord(update.snapshot!, update.derived!);
    expect(record.vassals.map((v: any) => v.respawnsDelta)).toEqual([0, 1, 0]);
  });

  it('/metrics has one series per vassal, never the same labels twice', () => {
    const core = new MonitorCore('emperor');
    const update = core.ingestSnapshot(decodeDoc(sharedIds(), 0, 'emperor'), 1);
    const ready = collectSamples([{ target: 'emperor', update }], 0).get('uwsgi_vassal_ready')!;
    const labelSets = ready.map((s) => JSON.stringify(s.labels));
    expect(ready).toHaveLength(3);
    expect(new Set(labelSets).size).toBe(3);
  });
});
