// The replay file the page mixes into an adaptation: IDX round trip, the errors that name the
// file, and the shipped one (models/replay-alnum36): its manifest, counts and SHA-256.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import {
  REPLAY_FILES,
  decodeIdx,
  encodeIdx,
  type ReplayManifest,
} from '../../src/core/replay-file.js';
import { TUNE_DEFAULTS, tuningSets } from '../../src/core/tune.js';

const SHIPPED = join(import.meta.dirname, '..', '..', 'models', 'replay-alnum36');

describe('replay file', () => {
  it('round-trips images and labels through IDX', () => {
    const images = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 251);
    const labels = Uint8Array.of(0, 5, 35);
    const a = decodeIdx(encodeIdx(images, 3, 'images'), 'images', 'x');
    const b = decodeIdx(encodeIdx(labels, 3, 'labels'), 'labels', 'y');
    expect(a.count).toBe(3);
    expect([...a.data]).toEqual([...images]);
    expect([...b.data]).toEqual([0, 5, 35]);
  });

  it('names the file and says what it expected', () => {
    const labels = encodeIdx(new Uint8Array(20), 20, 'labels');
    expect(() => decodeIdx(labels, 'images', 'r.gz')).toThrow(
      /r\.gz: expected IDX magic 2051, got 2049/,
    );
    expect(() => decodeIdx(labels.subarray(0, 27), 'labels', 'r.gz')).toThrow(
      /r\.gz: expected 28 bytes for 20 labels, got 27/,
    );
    expect(() => encodeIdx(Uint8Array.of(1), 2, 'labels')).toThrow(
      /expected 2 bytes of labels, got 1/,
    );
  });

  it('ships 50 times the alnum36 classes, every class present, in a few hundred KB, as its manifest says', () => {
    const manifest = JSON.parse(
      readFileSync(join(SHIPPED, REPLAY_FILES.manifest), 'utf8'),
    ) as ReplayManifest;
    expect(manifest.labelSet.classes).toEqual(LABEL_SETS.alnum36.classes);
    expect(manifest.perClass).toBe(TUNE_DEFAULTS.replayPerClass);
    const gzImages = readFileSync(join(SHIPPED, REPLAY_FILES.images));
    const gzLabels = readFileSync(join(SHIPPED, REPLAY_FILES.labels));
    expect(gzImages.length + gzLabels.length).toBeLessThan(500_000);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(manifest.sha256).toEqual({ images: sha(gzImages), labels: sha(gzLabels) });
    const images = decodeIdx(gunzipSync(gzImages), 'images', REPLAY_FILES.images);
    const labels = decodeIdx(gunzipSync(gzLabels), 'labels', REPLAY_FILES.labels);
    expect(images.count).toBe(manifest.count);
    expect(labels.count).toBe(manifest.count);
    const perClass = new Array<number>(36).fill(0);
    for (const y of labels.data) perClass[y]!++;
    // Drawn in the training data's class shares (replaySample), so counts differ by class.
    expect(manifest.count).toBe(manifest.perClass * 36);
    expect(perClass.every((n) => n > 0)).toBe(true);
    expect(perClass.reduce((a, b) => a + b, 0)).toBe(manifest.count);
  });
});

describe('tuningSets', () => {
  it('repeats the training samples and cuts the replay 90/10', () => {
    const labelSet = LABEL_SETS.digits;
    const samples = {
      name: 's',
      images: new Uint8Array(10 * 784),
      labels: Uint8Array.from({ length: 10 }, (_, i) => i % 2),
      labelSet,
    };
    const replay = {
      name: 'r',
      images: new Uint8Array(20 * 784),
      labels: new Uint8Array(20),
      labelSet,
    };
    const sets = tuningSets(samples, replay, { heldOut: 0.2, repeats: 3, seed: 7 });
    expect(sets.heldOut.labels.length).toBe(2); // one of each class of five
    expect(sets.trainSamples.labels.length).toBe(8);
    expect(sets.train.labels.length).toBe(8 * 3 + 18);
    expect(sets.validation.labels.length).toBe(2 + 2);
  });
});
