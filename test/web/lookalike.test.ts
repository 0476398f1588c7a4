// The page's pure helpers, in Node: the look-alike note, class kinds, ranking and percentages.

import { describe, expect, it } from 'vitest';
import { CONFUSABLE_PAIRS, LOOKALIKE_PAIRS } from '../../src/core/metrics.js';
import {
  PAGE_LOOKALIKE_PAIRS,
  caseNote,
  classKind,
  lookalikeNote,
} from '../../src/web/lookalike.js';
import { EMPTY_MESSAGE, percent, rank } from '../../src/web/ranking.js';

describe('lookalikeNote', () => {
  it('covers the pairs of issue 4 (O/0, I/1, S/5, Z/2, B/8, G/6) and their lowercase kin', () => {
    const capitals = PAGE_LOOKALIKE_PAIRS.slice(0, 6);
    expect(capitals.map((p) => p.join('/'))).toEqual(['O/0', 'I/1', 'S/5', 'Z/2', 'B/8', 'G/6']);
    // Core's merged pairs all get a note, and the two extra ones are known confusions there.
    for (const pair of LOOKALIKE_PAIRS) expect(PAGE_LOOKALIKE_PAIRS).toContainEqual(pair);
    for (const pair of capitals) expect(CONFUSABLE_PAIRS).toContainEqual(pair);
    expect(lookalikeNote('o', '0')).toMatch(/^o \(small letter\) and 0 \(digit\) look alike/);
    expect(lookalikeNote('l', 'I')).toMatch(/^l \(small letter\) and I \(capital\)/);
  });

  it('notes a pair in either order and names what each class is', () => {
    expect(lookalikeNote('O', '0')).toMatch(/^O \(capital\) and 0 \(digit\) look alike/);
    expect(lookalikeNote('0', 'O')).toMatch(/^0 \(digit\) and O \(capital\) look alike/);
    expect(lookalikeNote('8', 'B')).toMatch(/^8 \(digit\) and B \(capital\)/);
    expect(lookalikeNote('G', '6')).toBeDefined();
  });

  it('says nothing for other pairs or a single class', () => {
    expect(lookalikeNote('A', '4')).toBeUndefined();
    expect(lookalikeNote('O', 'Q')).toBeUndefined();
    expect(lookalikeNote('O', undefined)).toBeUndefined();
  });

  it('tells digits, capitals and small letters apart', () => {
    expect(['0', 'A', 'a', 'Aa'].map(classKind)).toEqual([
      'digit',
      'capital',
      'small letter',
      undefined,
    ]);
  });
});

describe('rank and percent', () => {
  it('ranks the k most probable classes, best first', () => {
    expect(rank([0.1, 0.6, 0.05, 0.25], ['a', 'b', 'c', 'd'], 3)).toEqual([
      { label: 'b', probability: 0.6 },
      { label: 'd', probability: 0.25 },
      { label: 'a', probability: 0.1 },
    ]);
  });

  it('shows one decimal, and tiny probabilities as <0.1%', () => {
    expect(percent(0.9312)).toBe('93.1%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(0.0004)).toBe('<0.1%');
    expect(percent(0)).toBe('0.0%');
    expect(EMPTY_MESSAGE).toBe('Draw a character');
  });
});

describe('caseNote', () => {
  it("gives the case-merged reading when the best class's other case is ranked too", () => {
    const note = caseNote([
      { label: 'o', probability: 0.52 },
      { label: '0', probability: 0.02 },
      { label: 'O', probability: 0.45 },
    ]);
    expect(note).toMatch(/^o or O: 97\.0% together\./);
    expect(
      caseNote([
        { label: 'a', probability: 0.9 },
        { label: 'A', probability: 0.1 },
      ]),
    ).toBeUndefined();
    expect(
      caseNote([
        { label: 'O', probability: 0.9 },
        { label: 'Q', probability: 0.1 },
      ]),
    ).toBeUndefined();
    expect(caseNote([])).toBeUndefined();
  });
});
