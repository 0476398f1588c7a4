// How hcr writes numbers for people, in one place for the CLI, the report, the model card and
// the benchmarks: shares as percentages, counts with thousands separators, and durations. Fixed
// formats, never the locale's, so the output is the same on every machine.

/**
 * A share in [0, 1] as a percentage with `digits` decimals (default 2).
 *
 * @example
 * pct(0.98765); // '98.77%'
 * pct(0.5, 0); // '50%'
 */
export function pct(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/**
 * An integer with a comma every three digits.
 *
 * @example
 * thousands(1234567); // '1,234,567'
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A duration rounded to what a reader needs: seconds under a minute, else minutes, else hours
 * and minutes.
 *
 * @example
 * duration(42); // '42 s'
 * duration(3900); // '1 h 5 min'
 */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * A duration to the second, with the exact count of seconds after it (for records such as the
 * model card).
 *
 * @example
 * exactDuration(3725); // '1 h 2 min (3,725 s)'
 */
export function exactDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = h > 0 ? [`${h} h`, `${m} min`] : m > 0 ? [`${m} min`, `${s % 60} s`] : [`${s} s`];
  return `${parts.join(' ')} (${thousands(s)} s)`;
}

/**
 * A duration as a compact clock for progress lines; `?` when unknown (not finite).
 *
 * @example
 * clock(125); // '2m05s'
 * clock(3720); // '1h02m'
 */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
