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

/** Start Debian's /usr/bin/chromium through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
