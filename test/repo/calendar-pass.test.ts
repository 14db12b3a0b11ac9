// @module-tag calendar
/**
 * The suite's calendar pass (scripts/test.sh) runs the date-showing tests with the wall clock 400 days ahead
 * in a half-hour zone. This proves the pass really moved the clock and the zone (else it would prove nothing),
 * and that an ordinary run sees the kernel's own time. The kernel's clock is read from /proc, which libfaketime
 * does not touch: boot time plus uptime.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Real epoch seconds now, from the kernel: /proc/stat's btime plus /proc/uptime. */
function kernelNowSeconds(): number {
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return btime + uptime;
}

const DAY = 86_400;
const calendarPass = process.env['FAKETIME'] !== undefined || (process.env['LD_PRELOAD'] ?? '').includes('faketime');

describe('the clock the suite runs under', () => {
  if (calendarPass) {
    it('is 400 days ahead of the kernel, in Asia/Kolkata (UTC+05:30)', () => {
      const ahead = Date.now() / 1000 - kernelNowSeconds();
      expect(ahead).toBeGreaterThan(400 * DAY - 60);
      expect(ahead).toBeLessThan(400 * DAY + 60);
      expect(new Date().getTimezoneOffset()).toBe(-330);
    });
  } else {
    it('is the kernel clock (btime + uptime, within a few seconds)', () => {
      expect(Math.abs(Date.now() / 1000 - kernelNowSeconds())).toBeLessThan(5);
    });
  }
});
