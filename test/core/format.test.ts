// The one formatting module: percentages, thousands, and the three duration styles (report,
// model card, progress line), pinned so that the CLI, the report and the card keep printing
// what they printed before they shared it.

import { describe, expect, it } from 'vitest';
import { clock, duration, exactDuration, pct, thousands } from '../../src/core/format.js';

describe('format', () => {
  it('pct: two decimals by default, or as many as asked', () => {
    expect(pct(0.98765)).toBe('98.77%');
    expect(pct(0.9876, 1)).toBe('98.8%');
    expect(pct(0.1, 0)).toBe('10%');
    expect(pct(1)).toBe('100.00%');
  });

  it('thousands: a comma every three digits, whatever the locale', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1000)).toBe('1,000');
    expect(thousands(1234567)).toBe('1,234,567');
  });

  it('duration: seconds, then minutes, then hours and minutes', () => {
    expect(duration(42.4)).toBe('42 s');
    expect(duration(150)).toBe('3 min');
    expect(duration(3900)).toBe('1 h 5 min');
  });

  it('exactDuration: to the second, with the count of seconds', () => {
    expect(exactDuration(42)).toBe('42 s (42 s)');
    expect(exactDuration(125)).toBe('2 min 5 s (125 s)');
    expect(exactDuration(3725)).toBe('1 h 2 min (3,725 s)');
  });

  it('clock: compact, and ? when unknown', () => {
    expect(clock(125)).toBe('2m05s');
    expect(clock(3720)).toBe('1h02m');
    expect(clock(Infinity)).toBe('?');
  });
});
