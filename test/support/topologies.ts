/**
 * Real uWSGI set-ups beyond a single instance: an emperor with vassals, a fastrouter with a subscribed node,
 * a legion of nodes. Built on startUwsgi, so cleanupAll() stops them by pid.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_PY, freePort, startUwsgi, tempDir, waitFor, rawStats, rawStatsRead, type UwsgiProcess } from './uwsgi.js';

/** An emperor (--emperor DIR --emperor-stats) with `names.length` vassals, each one worker serving the demo app. */
export async function startEmperor(names: string[]): Promise<{ emperor: UwsgiProcess; vassalDir: string }> {
  const dir = tempDir('uwsgitop-emperor-');
  const vassalDir = join(dir, 'vassals');
  mkdirSync(vassalDir);
  for (const name of names) {
    const port = await freePort();
    writeFileSync(
      join(vassalDir, `${name}.ini`),
      `[uwsgi]\nplugin = python3\nwsgi-file = ${APP_PY}\nhttp-socket = 127.0.0.1:${port}\nmaster = true\nworkers = 1\n`,
    );
  }
  const emperor = await startUwsgi({
    dir,
    http: false,
    app: false,
    noMaster: true,
    statsOption: '--emperor-stats',
    args: ['--emperor', vassalDir],
  });
  // Counted in the raw text: uWSGI writes vassal ids (file names) unescaped, so the document may not be JSON.
  await waitFor(async () => {
    const text = await rawStatsRead(emperor);
    return (text.match(/"ready":1/g) ?? []).length === names.length;
  }, `${names.length} ready vassals`, 20000, 250);
  return { emperor, vassalDir };
}

/** A fastrouter with a subscription server, and one instance subscribed to it under `key`. */
export async function startFastrouterWithSubscriber(key: string): Promise<{ router: UwsgiProcess; node: UwsgiProcess; nodeAddress: string }> {
  const routerPort = await freePort();
  const subscriptionPort = await freePort();
  const router = await startUwsgi({
    http: false,
    app: false,
    plugins: ['fastrouter'],
    statsOption: '--fastrouter-stats',
    args: ['--fastrouter', `127.0.0.1:${routerPort}`, '--fastrouter-subscription-server', `127.0.0.1:${subscriptionPort}`],
  });
  const nodePort = await freePort();
  const nodeAddress = `127.0.0.1:${nodePort}`;
  const node = await startUwsgi({
    http: false,
    app: true,
    workers: 1,
    args: ['--socket', nodeAddress, '--subscribe-to', `127.0.0.1:${subscriptionPort}:${key}`],
  });
  await waitFor(async () => {
    const doc = await rawStats(router);
    return doc.subscriptions?.some((s: { key: string; nodes: Array<{ name: string }> }) => s.key === key && s.nodes.some((n) => n.name === nodeAddress));
  }, `subscription ${key} on the fastrouter`, 20000, 250);
  return { router, node, nodeAddress };
}

/** A legion of nodes on loopback, valors given in order (highest becomes lord); waits until one is lord. */
export async function startLegion(valors: number[], legion = 'uwsgitop'): Promise<UwsgiProcess[]> {
  const ports = await Promise.all(valors.map(() => freePort()));
  const nodes = await Promise.all(
    valors.map((valor, i) => {
      const args = ['--legion', `${legion} 127.0.0.1:${ports[i]} ${valor} aes-128-cbc:uwsgitop-secret`];
      ports.forEach((port, j) => {
        if (j !== i) args.push('--legion-node', `${legion} 127.0.0.1:${port}`);
      });
      return startUwsgi({ http: true, workers: 1, args });
    }),
  );
  await waitFor(async () => {
    const docs = await Promise.all(nodes.map((n) => rawStats(n)));
    return docs.some((d) => d.legions?.[0]?.i_am_the_lord > 0);
  }, 'a legion lord to be elected', 30000, 500);
  return nodes;
}
