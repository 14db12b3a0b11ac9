// The one format every benchmark prints its verdicts in, so `npm run bench` can gather them at the end.

/** One "goal:" line: a ratio against its ceiling (and the aim, when there is one). */
export function goalLine(name, ratio, ceiling, aim = null, detail = '') {
  const verdict = ratio <= ceiling ? (aim !== null && ratio <= aim ? 'met, aim met' : 'met') : 'NOT MET';
  return `goal: ${name.padEnd(44)} ${ratio.toFixed(2).padStart(6)}x  (goal <= ${ceiling}x${aim !== null ? `, aim ${aim}x` : ''})  ${verdict}${detail ? `  ${detail}` : ''}`;
}
