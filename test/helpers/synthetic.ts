// Small synthetic datasets for tests: each class is a distinct stroke pattern (bar, cross,
// box...) with random jitter, so a tiny network learns it in a few epochs.

import { LABEL_SETS, type LabelSet } from '../../src/core/label-sets.js';
import { createRandom } from '../../src/core/random.js';
import type { Dataset } from '../../src/core/types.js';

function draw(image: Uint8Array, offset: number, cls: number, dx: number, dy: number): void {
  const set = (x: number, y: number) => {
    const xx = x + dx;
    const yy = y + dy;
    if (xx >= 0 && xx < 28 && yy >= 0 && yy < 28) image[offset + yy * 28 + xx] = 255;
  };
  for (let t = 6; t < 22; t++) {
    for (let w = -1; w <= 1; w++) {
      if (cls % 4 === 0) set(t, 14 + w); // horizontal bar
      if (cls % 4 === 1) set(14 + w, t); // vertical bar
      if (cls % 4 === 2) set(t + w, t); // diagonal
      if (cls % 4 === 3) {
        set(t + w, t); // cross
        set(27 - t + w, t);
      }
    }
  }
}

/** `perClass` jittered images of each of the first `classes` classes of `labelSet`. */
export function syntheticDataset(
  name: string,
  perClass: number,
  seed: number,
  classes = 4,
  labelSet: LabelSet = LABEL_SETS.digits,
): Dataset {
  const rand = createRandom(seed);
  const n = perClass * classes;
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % classes;
    labels[i] = cls;
    draw(images, i * 784, cls, Math.floor(rand() * 5) - 2, Math.floor(rand() * 5) - 2);
  }
  return { name, images, labels, labelSet };
}
