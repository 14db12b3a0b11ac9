/** The one way tests start headless Chromium (Debian's /usr/bin/chromium through playwright-core). */
import { chromium, type Browser } from 'playwright-core';

/** Launch a headless Chromium with no network side traffic; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
