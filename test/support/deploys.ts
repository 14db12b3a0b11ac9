/**
 * Deploys for the reload-verdict tests: an instance serving its own app file (version 1), and the bad deploys
 * an operator meets (a syntax error, an app that exits at import) written over it before a reload.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUwsgi, tempDir, type StartOptions, type UwsgiProcess } from './uwsgi.js';

/** A WSGI app answering 200 with `version` as its body. */
export function goodApp(version: string): string {
  return [
    'def application(env, start_response):',
    "    start_response('200 OK', [('Content-Type', 'text/plain')])",
    `    return [b'${version}']`,
    '',
  ].join('\n');
}

/** What each deploy writes over the app file. */
export const DEPLOYS = {
  good: goodApp('v2'),
  // A missing colon: the import fails, a lazy worker starts with no application.
  syntax: 'def application(env, start_response)\n    return []\n',
  // The new code exits at import: the worker dies before it accepts, again and again.
  exit: 'import os\nos._exit(3)\n',
  // The new code hangs at import: the chain reload waits on its first new worker until the command's timeout.
  hang: `import time\ntime.sleep(300)\n${goodApp('v2')}`,
} as const;

export type Deploy = keyof typeof DEPLOYS;

/** An instance serving its own app.py ('v1') with 2 workers and a master FIFO; `lazy` adds --lazy-apps. */
export async function startApp(options: { lazy?: boolean; needApp?: boolean; workers?: number; fifos?: string[]; source?: string; extra?: StartOptions } = {}): Promise<UwsgiProcess & { appFile: string }> {
  const dir = tempDir('uwsgitop-deploy-');
  const appFile = join(dir, 'app.py');
  writeFileSync(appFile, options.source ?? goodApp('v1'));
  const args = ['--plugin', 'python3', '--wsgi-file', appFile];
  if (options.lazy ?? true) args.push('--lazy-apps');
  if (options.needApp) args.push('--need-app');
  const proc = await startUwsgi({ dir, app: false, workers: options.workers ?? 2, fifos: options.fifos ?? ['m.fifo'], ...options.extra, args: [...args, ...(options.extra?.args ?? [])] });
  return Object.assign(proc, { appFile });
}

/** Write a deploy over the instance's app file. */
export function deploy(proc: { appFile: string }, kind: Deploy): void {
  writeFileSync(proc.appFile, DEPLOYS[kind]);
}

/** GET / on the instance: [status, body]. */
export async function getRoot(port: number): Promise<[number, string]> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) });
    return [res.status, await res.text()];
  } catch {
    return [0, ''];
  }
}
