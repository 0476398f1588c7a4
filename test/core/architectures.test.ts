import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, createModel, getArchitecture } from '../../src/core/architectures.js';

// The parameter counts of the PyTorch twins in bench/peer/torch_bench.py (Keras counting:
// BN moving statistics included), so that the speed benchmarks compare the same networks.
const PEER_PARAMS_36: Record<string, number> = {
  seed: 167_300,
  default: 244_900,
  large: 581_604,
  tiny: 10_484,
};

describe('architectures', () => {
  for (const name of Object.keys(ARCHITECTURES)) {
    it(`${name} maps [batch, 28, 28, 1] to class probabilities, with the peer's parameter count`, () => {
      const model = createModel({ architecture: name, numClasses: 36 });
      expect(model.countParams()).toBe(PEER_PARAMS_36[name]);
      const out = tf.tidy(() => {
        const probs = model.predict(tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 7));
        return (probs as tf.Tensor).arraySync() as number[][];
      });
      expect(out).toHaveLength(3);
      for (const row of out) {
        expect(row).toHaveLength(36);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
      model.dispose();
    });
  }

  it('honours a dropout override and names unknown architectures in the error', () => {
    const model = createModel({ architecture: 'large', numClasses: 10, options: { dropout: 0.1 } });
    const dropout = model.layers.find((l) => l.getClassName() === 'Dropout');
    expect(dropout?.getConfig().rate).toBe(0.1);
    model.dispose();
    expect(() => getArchitecture('huge')).toThrow(/large/);
  });
});
