// The recognition pipeline shared by `hcr predict` and the server, with a classifier that needs
// no model: files and uploaded bytes read alike, answers in input order with an entry for each
// image that is blank or cannot be read, one classification for the whole batch, progress per
// image and the decode limiter.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Classifier } from '../../src/core/read/read.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import { Limiter } from '../../src/node/predict/limiter.js';
import { RECOGNIZE_DEFAULTS, recognizeCharacters } from '../../src/node/predict/recognize.js';

const IMAGES = join(import.meta.dirname, '..', 'fixtures', 'images');
const image = (name: string) => join(IMAGES, name);

/**
 * Four classes whose probabilities follow the image's ink (so the same image ranks the same
 * way), and a record of every call.
 */
function inkClassifier(): Classifier & { calls: number[] } {
  const calls: number[] = [];
  return {
    classes: ['A', 'B', 'C', 'D'],
    calls,
    classify(images, count) {
      calls.push(count);
      const probs = new Float32Array(count * 4);
      for (let i = 0; i < count; i++) {
        let ink = 0;
        for (let p = 0; p < IMAGE_PIXELS; p++) ink += images[i * IMAGE_PIXELS + p]!;
        const share = (ink % 1000) / 1000;
        probs.set([0.1 + share * 0.5, 0.4 - share * 0.3, 0.3, 0.2 - share * 0.2], i * 4);
      }
      return probs;
    },
  };
}

describe('recognizeCharacters', () => {
  it('reads a file and its bytes alike, and ranks the top classes, best first', async () => {
    const classifier = inkClassifier();
    const bytes = new Uint8Array(readFileSync(image('L.png')));
    const [fromFile, fromBytes] = await recognizeCharacters(
      classifier,
      [image('L.png'), { name: 'upload', bytes }],
      { top: 2 },
    );
    expect(fromFile?.status).toBe('ok');
    expect(fromBytes).toEqual(fromFile);
    if (fromFile?.status !== 'ok') return;
    expect(fromFile.predictions).toHaveLength(2);
    expect(fromFile.predictions[0]!.probability).toBeGreaterThanOrEqual(
      fromFile.predictions[1]!.probability,
    );
    expect(fromFile.normalized.pixels).toHaveLength(IMAGE_PIXELS);
    expect(fromFile.normalized.inverted).toBe(true);
    expect(classifier.calls).toEqual([2]);
  });

  it('answers in input order, blank and unreadable images included, and classifies once', async () => {
    const classifier = inkClassifier();
    const results = await recognizeCharacters(classifier, [
      image('not-an-image.txt'),
      image('L.png'),
      image('blank.png'),
      image('missing.png'),
      { name: 'upload', bytes: new Uint8Array(0) },
      image('folder'),
      image('L.gif'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'error',
      'ok',
      'empty',
      'error',
      'error',
      'error',
      'ok',
    ]);
    expect(results[0]).toEqual({
      status: 'error',
      code: 'BAD_IMAGE',
      message: expect.stringMatching(/^not-an-image\.txt: not an image/),
    });
    expect(results[3]).toMatchObject({ code: 'NOT_FOUND', message: /missing\.png: no such file/ });
    expect(results[4]).toMatchObject({ code: 'BAD_IMAGE', message: /^upload: empty file/ });
    expect(results[5]).toMatchObject({ code: 'BAD_IMAGE', message: /got a directory$/ });
    expect(classifier.calls).toEqual([2]);
    expect(results[1]?.status === 'ok' && results[1].predictions).toHaveLength(
      RECOGNIZE_DEFAULTS.top,
    );
  });

  it('does not run the classifier when no image holds a character', async () => {
    const classifier = inkClassifier();
    const results = await recognizeCharacters(classifier, [image('blank.png'), image('nope.png')]);
    expect(results.map((r) => r.status)).toEqual(['empty', 'error']);
    expect(classifier.calls).toEqual([]);
  });

  it('refuses an image over maxPixels from its header', async () => {
    const [result] = await recognizeCharacters(inkClassifier(), [image('L.png')], {
      maxPixels: 100,
    });
    expect(result).toMatchObject({ status: 'error', code: 'BAD_IMAGE', message: /exceeds/ });
  });

  it('reports progress per image and decodes through the limiter given', async () => {
    const progress: [number, number][] = [];
    let jobs = 0;
    class CountingLimiter extends Limiter {
      override run<T>(job: () => Promise<T>): Promise<T> {
        jobs++;
        return super.run(job);
      }
    }
    await recognizeCharacters(inkClassifier(), [image('L.png'), image('x.png'), image('L.jpg')], {
      limiter: new CountingLimiter(2),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(jobs).toBe(3);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });
});

describe('Limiter', () => {
  it('runs at most its limit of jobs at once, in arrival order', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const job = (k: number) => async () => {
      started.push(k);
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      return k;
    };
    const results = await Promise.all([0, 1, 2, 3, 4].map((k) => limiter.run(job(k))));
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('gives a model with both cases the case-merged reading beside the raw one', async () => {
    const classes = ['o', 'O', '0', 'a'];
    const classifier: Classifier = {
      classes,
      classify: (_images, count) =>
        Float32Array.from({ length: count * 4 }, (_, k) => [0.3, 0.25, 0.4, 0.05][k % 4]!),
    };
    const [r] = await recognizeCharacters(classifier, [image('L.png')], { top: 2 });
    expect(r?.status === 'ok' && r.predictions.map((p) => p.label)).toEqual(['0', 'o']);
    expect(r?.status === 'ok' && r.caseMerged?.classes).toEqual(['o', 'O']);
    expect(r?.status === 'ok' && r.caseMerged?.probability).toBeCloseTo(0.55, 6);
    // Without both cases there is nothing to merge.
    const [plain] = await recognizeCharacters(inkClassifier(), [image('L.png')]);
    expect(plain?.status === 'ok' && 'caseMerged' in plain).toBe(false);
  });
});
