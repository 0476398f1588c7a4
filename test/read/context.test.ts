// The line as context for look-alikes: letters inside letter runs, digits inside digit runs,
// codes that mix the two left alone, the classifier's ranking kept, and the switch to turn it
// off, first on hand-made probabilities, then through readText on a drawn line.

import { describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import {
  CONTEXT_DEFAULTS,
  applyLineContext,
  characterKind,
  lookalikePartners,
  type ContextInput,
} from '../../src/core/read/context.js';
import { READ_LOOKALIKES } from '../../src/core/read/options.js';
import { readText } from '../../src/core/read/read.js';
import { drawPage, layout, templateClassifier } from './helpers.js';

const partners = lookalikePartners(READ_LOOKALIKES, LABEL_SETS.alnum36.classes);

/** One character: the label sure at `p`, the rest of the probability on `others`. */
function char(
  label: string,
  p = 0.95,
  others: Record<string, number> = {},
  spaceBefore = false,
): ContextInput {
  const rest = Object.values(others).reduce((a, b) => a + b, 0);
  const filler = label === 'X' ? 'Y' : 'X';
  return {
    label,
    probabilities: { [filler]: Math.max(0, 1 - p - rest), ...others, [label]: p },
    spaceBefore,
  };
}

/** A word where every look-alike is unsure between itself and its partner. */
function word(text: string): ContextInput[] {
  return [...text]
    .map((label, k) => {
      const partner = partners.get(label)?.[0];
      const space = k > 0 && text[k - 1] === ' ';
      return partner ? char(label, 0.6, { [partner]: 0.4 }, space) : char(label, 0.95, {}, space);
    })
    .filter((c) => c.label !== ' ');
}

const labels = (decisions: { label: string }[]) => decisions.map((d) => d.label).join('');

describe('look-alike context', () => {
  it('knows the six pairs and the kinds of classes', () => {
    expect(READ_LOOKALIKES.map(([a, b]) => a + b)).toEqual([
      ...['O0', 'I1', 'S5', 'Z2', 'B8', 'G6'],
      ...['o0', 'l1', 's5', 'z2', 'b6', 'g9', 'q9', 'lI'],
    ]);
    // A 36-class model has none of the lowercase pairs.
    expect([...partners.keys()].sort().join('')).toBe('012568BGIOSZ');
    expect(characterKind('7')).toBe('digit');
    expect(characterKind('q')).toBe('letter');
    expect(characterKind('?')).toBeUndefined();
    expect(partners.get('0')).toEqual(['O']);
    // alnum35 has no zero: the O/0 pair does not apply.
    expect(lookalikePartners(READ_LOOKALIKES, LABEL_SETS.alnum35.classes).has('O')).toBe(false);
  });

  it('prefers the letter inside a run of letters and the digit inside a run of digits', () => {
    expect(labels(applyLineContext(word('H0USE'), partners))).toBe('HOUSE');
    expect(labels(applyLineContext(word('4O7'), partners))).toBe('407');
    expect(labels(applyLineContext(word('I5LAND'), partners))).toBe('ISLAND');
    expect(labels(applyLineContext(word('3Z8G'), partners))).toBe('3286');
  });

  it('keeps the classifier label and lists the alternative', () => {
    const [, o] = applyLineContext(word('H0USE'), partners);
    expect(o).toEqual({ label: 'O', context: 'letter', alternatives: ['0'] });
    const [, zero] = applyLineContext(word('407'), partners);
    expect(zero).toEqual({ label: '0', alternatives: ['O'] });
  });

  it('does not cross a space', () => {
    expect(labels(applyLineContext(word('AB 1O5'), partners))).toBe('AB105');
    expect(labels(applyLineContext(word('AB 10'), partners))).toBe('AB10');
  });

  it('leaves the runs of a code alone when the classifier backs both kinds', () => {
    // AB12: a letter run, then a digit run the classifier is fairly sure of.
    const code = [
      char('A'),
      char('B', 0.6, { 8: 0.4 }),
      char('1', 0.9, { I: 0.1 }),
      char('2', 0.95, { Z: 0.05 }),
    ];
    expect(labels(applyLineContext(code, partners))).toBe('AB12');
    const reversed = [char('7', 0.97), char('5', 0.95, { S: 0.05 }), char('K'), char('X')];
    expect(labels(applyLineContext(reversed, partners))).toBe('75KX');
    // When every digit is a doubtful look-alike, one kind for the whole word is likelier.
    expect(labels(applyLineContext(word('AB12'), partners))).toBe('ABIZ');
    expect(labels(applyLineContext(word('AB12'), partners, { mixedCost: 0 }))).toBe('AB12');
  });

  it('keeps a label the classifier is sure of (no trace of the partner)', () => {
    const sure = [char('H'), char('6', 0.999, { G: 1e-6 }), char('L')];
    expect(labels(applyLineContext(sure, partners))).toBe('H6L');
    const unsure = [char('H'), char('6', 0.9, { G: 0.05 }), char('L')];
    expect(labels(applyLineContext(unsure, partners))).toBe('HGL');
    expect(CONTEXT_DEFAULTS.minRatio).toBe(0.004);
  });

  it("with scope 'all' gives any character of the wrong kind its run's best class", () => {
    const chars = [char('T'), char('4', 0.7, { A: 0.25 }), char('X'), char('I')];
    expect(labels(applyLineContext(chars, partners))).toBe('T4XI');
    expect(labels(applyLineContext(chars, partners, { scope: 'all' }))).toBe('TAXI');
  });
});

describe("readText with the 'rules' decoder", () => {
  const classifier = templateClassifier();
  // The template classifier cannot tell the ring O from 0: only the line can.
  const page = drawPage(380, 90, layout('HOL7O4', 40, [14, 14, 50, 14, 14]));

  it('reads the ring as O between letters and as 0 between digits', async () => {
    const result = await readText(page.image, classifier, { decoder: 'rules' });
    expect(result.decoder).toBe('rules');
    expect(result.text).toBe('HOL 704');
    expect(result.rawText).toBe('H0L 704');
    const ring = result.lines[0]!.characters[1]!;
    expect(ring).toMatchObject({
      label: 'O',
      raw: '0',
      context: 'letter',
      changedBy: 'rules',
      alternatives: ['0'],
    });
    expect(
      ring.top
        .map((t) => t.label)
        .slice(0, 2)
        .sort(),
    ).toEqual(['0', 'O']);
  });

  it('turns off with context: false, giving the classifier labels', async () => {
    const result = await readText(page.image, classifier, { context: false, decoder: 'rules' });
    expect(result.context).toBe(false);
    expect(result.decoder).toBe('none');
    expect(result.text).toBe('H0L 704');
    expect(result.text).toBe(
      (await readText(page.image, classifier, { decoder: 'rules' })).rawText,
    );
    expect(result.lines[0]!.characters.some((c) => c.context)).toBe(false);
  });
});
