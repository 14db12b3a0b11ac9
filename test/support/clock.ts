/** Clock helpers for tests: the local HH:MM:SS an operator would read for an epoch value, computed independently. */

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock HH:MM:SS of epoch seconds, as a person reading the clock in this time zone would write it. */
export function localClock(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Local `MM-DD HH:MM` of epoch seconds (how a spawn more than a day old is shown in a narrow column). */
export function localMonthDayTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local `YYYY-MM-DD HH:MM:SS` of epoch seconds. */
export function localDateTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${localClock(epochSeconds)}`;
}

/** Local wall-clock HH:MM:SS of epoch milliseconds. */
export function localClockMs(epochMs: number): string {
  return localClock(epochMs / 1000);
}
