// kill -9 at random instants of `hcr train` (issue 13), a short loop for the suite: every kill
// must leave a state that `hcr train --resume` continues from (or, before the first save,
// nothing), losing at most the checkpoint interval (plus a batch and a save), and the run
// must end with a model that `hcr evaluate` reads. `npm run bench:crash` runs 50 kills.

import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/node/engine/index.js';
import { runCrashLoop } from './crash-loop.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('kill -9 during training', () => {
  it('never ends in a dead end, and loses at most the checkpoint interval', async () => {
    const result = await runCrashLoop({ kills: 10, seed: 7, epochs: 20 });
    expect(result.failures).toEqual([]);
    expect(result.kills).toHaveLength(10);
    // Some kills land during a save (the swap pause widens its critical window).
    expect(result.kills.some((k) => k.duringSave)).toBe(true);
    // Interval + a save (two 150 ms pauses) + scheduling slack on a loaded machine.
    expect(result.maxLostSeconds).toBeLessThan(result.checkpointSeconds + 2);
    expect(result.finalTrainCode).toBe(0);
    expect(result.evaluateCode).toBe(0);
  }, 240_000);
});
