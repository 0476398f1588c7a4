// Evaluating a line model: the figures per set (greedy and with the language model), the worst
// lines, the card and the report, and --record adding figures to hcr.json without touching the
// model's files. A random-weight line-tiny model and three drawn lines stand in for real ones.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import type { GrayImage } from '../../src/core/types.js';
import { initEngine } from '../../src/node/engine/index.js';
import { renderLineCard } from '../../src/node/eval/line-card.js';
import {
  evaluateLineModel,
  lineTestSets,
  type LineTestSet,
} from '../../src/node/eval/line-evaluate.js';
import {
  loadLineModel,
  recordLineMetrics,
  saveLineModel,
} from '../../src/node/model/line-artifact.js';
import { defaultLanguageModel } from '../../src/node/read/language-model.js';
import { renderLineReport } from '../../src/node/report/line-report.js';

/** Dark bars on light paper, one per "character". */
function drawn(bars: number): GrayImage {
  const width = 20 + bars * 24;
  const height = 60;
  const data = new Uint8Array(width * height).fill(240);
  for (let b = 0; b < bars; b++) {
    for (let y = 10; y < 50; y++)
      for (let x = 0; x < 6; x++) data[y * width + 10 + b * 24 + x] = 15;
  }
  return { width, height, data };
}

describe('line evaluation', () => {
  let dir: string;
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    dir = join(mkdtempSync(join(tmpdir(), 'hcr-line-eval-')), 'model');
    const model = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
    await saveLineModel(dir, model, {
      charset: LINE_CHARSET,
      architecture: 'line-tiny',
      training: { command: 'hcr line train --out x', steps: 3 },
      data: {},
      metrics: { validation: { cer: 0.5 } },
    });
    model.dispose();
  });

  it('scores every set with and without the language model, and lists the worst lines', async () => {
    const loaded = await loadLineModel(dir);
    const set: LineTestSet = {
      name: 'fonts-codes',
      description: 'three drawn lines',
      items: [
        { image: drawn(3), text: 'lll' },
        { image: drawn(2), text: 'II' },
        { image: drawn(4), text: '1111' },
      ],
    };
    const seen: number[] = [];
    const [result] = await evaluateLineModel(
      loaded,
      [set],
      { languageModel: await defaultLanguageModel() },
      (_, done) => seen.push(done),
      2,
    );
    loaded.dispose();
    expect(seen).toEqual([1, 2, 3]);
    expect(result!.lines).toBe(3);
    expect(result!.characters).toBe(9);
    for (const s of [result!.greedy, result!.languageModel]) {
      expect(s.cer).toBeGreaterThanOrEqual(0);
      expect(s.charAccuracy).toBeCloseTo(Math.max(0, 1 - s.cer), 12);
      expect(s.wordAccuracy).toBeGreaterThanOrEqual(0);
      expect(s.wordAccuracy).toBeLessThanOrEqual(1);
    }
    expect(result!.worst).toHaveLength(2);
    expect(set.items.map((i) => i.text)).toContain(result!.worst[0]!.truth);

    const html = await renderLineReport(dir, loaded.metadata, [set], [result!]);
    expect(html).toContain('Worst lines: fonts-codes');
    expect(html).toContain('data:image/png;base64,');

    const before = readFileSync(join(dir, 'weights.bin'));
    const metadata = await recordLineMetrics(dir, [result!]);
    expect(readFileSync(join(dir, 'weights.bin')).equals(before)).toBe(true);
    expect(Object.keys(metadata.metrics).sort()).toEqual(['fonts-codes', 'validation']);
    const card = renderLineCard(dir, metadata, 1000);
    expect(card).toContain('hcr line train --out x');
    expect(card).toMatch(/\| fonts-codes \| 3 \|/);
    // A later evaluation of another set adds its row; the card keeps every recorded set.
    const other = { ...result!, name: 'fonts-mixed', lines: 5 };
    const both = renderLineCard(dir, await recordLineMetrics(dir, [other]), 1000);
    expect(both).toMatch(/\| fonts-mixed \| 5 \|/);
    expect(both).toMatch(/\| fonts-codes \| 3 \|/);
    expect(both.indexOf('| fonts-mixed |')).toBeLessThan(both.indexOf('| fonts-codes |'));
    // The recorded model still loads: its files' checksums are untouched.
    (await loadLineModel(dir)).dispose();
  });

  it('refuses an unknown test set, listing the known ones', async () => {
    await expect(lineTestSets(['unipen'], { dataDir: '.', limit: 1 })).rejects.toThrow(
      /expected one of unipen-words-test, .*fonts-codes, got "unipen"/,
    );
  });
});
