/** Debian's Chromium, headless, with the settings this closed network needs (no background connections). */
import { chromium, type Browser } from 'playwright-core';

/** Flags for a root, sandbox-less, offline headless Chromium that makes no connection of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Start Debian's /usr/bin/chromium through playwright-core. Under the suite's calendar pass (libfaketime preloaded)
 * the browser keeps the real clock: Chromium's own timers stall under libfaketime, and a browser's clock is not the
 * relay's anyway, so the page must not depend on the two agreeing.
 */
export function launchChromium(): Promise<Browser> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'LD_PRELOAD' || name.startsWith('FAKETIME')) delete env[name];
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, env });
}
