// Reading with a line model in Node (issue 21 §4): a random-weight line-tiny model saved and
// loaded as a line model directory reads a synthetic page end to end (shapes, boxes inside the
// image, words, no tensors left behind), a narrow line is padded for the network, and a
// directory is told a line model or not.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { normalizeLine } from '../../src/core/line/normalize-line.js';
import {
  loadLineModel,
  saveLineModel,
  type LoadedLineModel,
} from '../../src/node/model/line-artifact.js';
import { MIN_LINE_MODEL_WIDTH } from '../../src/core/read/line-read.js';
import { isLineModelDir, lineLogits } from '../../src/node/read/line-reader.js';
import { isLineModel, readImage } from '../../src/node/read/read.js';
import { Limiter } from '../../src/node/predict/limiter.js';
import { readUpload } from '../../src/node/server/reading.js';
import sharp from 'sharp';
import { drawPage, layout } from './helpers.js';

describe('reading with a line model directory', () => {
  let dir: string;
  let loaded: LoadedLineModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'hcr-line-reader-'));
    const model = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
    await saveLineModel(join(dir, 'line'), model, {
      charset: LINE_CHARSET,
      architecture: 'line-tiny',
      training: {},
      data: {},
      metrics: {},
    });
    model.dispose();
    loaded = await loadLineModel(join(dir, 'line'));
  });

  afterAll(async () => {
    loaded?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a page line by line, with boxes inside the image and no tensors left behind', async () => {
    expect(isLineModel(loaded)).toBe(true);
    const page = drawPage(360, 160, [
      ...layout('HELLO', 40, 10, 20, 20),
      ...layout('TEA', 40, 10, 20, 100),
    ]);
    await readImage(loaded, page.image, { context: false });
    const before = tf.memory().numTensors;
    const result = await readImage(loaded, page.image, { alternatives: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ status: 'ok', reader: 'line' });
    expect(result.lines).toHaveLength(2);
    for (const line of result.lines) {
      expect(line.words).toBeDefined();
      for (const c of line.characters) {
        expect(c.box.x).toBeGreaterThanOrEqual(0);
        expect(c.box.x + c.box.width).toBeLessThanOrEqual(360);
        expect(c.top.length).toBeGreaterThan(0);
      }
    }
  });

  it('reads an upload for POST /api/read with the line model', async () => {
    const page = drawPage(300, 90, layout('HELLO', 40, 10, 20, 20));
    const bytes = await sharp(Buffer.from(page.image.data), {
      raw: { width: page.image.width, height: page.image.height, channels: 1 },
    })
      .png()
      .toBuffer();
    const answer = await readUpload(
      loaded,
      { name: 'hello.png', bytes },
      { maxPixels: 1_000_000, limiter: new Limiter(1), maxCandidates: 1 },
    );
    // The glyph reader's candidate budget does not apply: the line is read whole.
    expect(answer).toMatchObject({ status: 'ok', reader: 'line' });
    expect(answer.lines).toHaveLength(1);
  });

  it('pads a narrow line for the network and keeps its own frames', () => {
    const line = normalizeLine({ width: 4, height: 20, data: new Uint8Array(80).fill(255) });
    expect(line.width).toBeLessThan(MIN_LINE_MODEL_WIDTH);
    const logits = lineLogits(loaded, line);
    expect(logits.length).toBe(Math.floor(line.width / 4) * (LINE_CHARSET.length + 1));
  });

  it('tells a line model directory from another', async () => {
    expect(await isLineModelDir(join(dir, 'line'))).toBe(true);
    expect(await isLineModelDir(join(dir, 'nowhere'))).toBe(false);
    expect(await isLineModelDir('models/alnum36')).toBe(false);
  });
});
