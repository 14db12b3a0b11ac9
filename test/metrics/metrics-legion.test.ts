// @module-tag calendar
/** Legion events from a real uWSGI legion: the lord leaves, a member becomes lord. */
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startLegion } from '../support/topologies.js';
import { cleanupAll, rawStats, waitFor } from '../support/uwsgi.js';

afterAll(cleanupAll);

describe('legion events on a real uWSGI legion', () => {
  it('when the lord stops, the remaining node reports the member left and the lord changed to itself', async () => {
    const [lord, member] = await startLegion([99, 50]);
    const lordUuid: string = (await rawStats(lord!)).legions[0].uuid;
    const addr = parseAddress(member!.statsAddress);
    const m = createMonitor(member!.statsAddress, (signal) => readSnapshot(addr, { signal }), { intervalMs: 500 });
    try {
      await waitFor(() => m.latest()?.state.state === 'live', 'first read of the member');
      await lord!.stop();
      const has = (type: string): MonitorEvent | undefined => m.events().find((e) => e.type === type);
      await waitFor(() => has('legion-lord-changed'), 'the lord change on the member', 60_000, 250);
      expect(has('legion-lord-changed')!.data).toMatchObject({ oldLord: lordUuid, iAmTheLord: true });
      await waitFor(() => has('legion-member-left'), 'the old lord leaving', 60_000, 250);
      expect(has('legion-member-left')!.data).toMatchObject({ uuid: lordUuid });
    } finally {
      m.stop();
      await member!.stop();
    }
  }, 120_000);
});
