import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dataProgressRenderer, trainProgressRenderer } from '../../src/node/cli/progress.js';

function sink(): {
  stream: Writable;
  text: () => string;
  tick: (ms: number) => void;
  now: () => number;
} {
  let text = '';
  let t = 0;
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text, tick: (ms) => (t += ms), now: () => t };
}

describe('trainProgressRenderer (not a terminal)', () => {
  it('writes plain lines: start, throttled batches, epoch summary, stop', () => {
    const s = sink();
    const { onEvent } = trainProgressRenderer({ stream: s.stream, now: s.now });
    onEvent({
      phase: 'start',
      epochs: 2,
      batchesPerEpoch: 3,
      trainImages: 1000,
      validationImages: 100,
      resumedAt: null,
    });
    const batch = {
      phase: 'batch' as const,
      epoch: 0,
      batches: 3,
      loss: 0.5,
      accuracy: 0.8,
      imagesPerSecond: 250,
      etaSeconds: 65,
      learningRate: 0.001,
    };
    s.tick(20_000);
    onEvent({ ...batch, batch: 1 });
    s.tick(1_000);
    onEvent({ ...batch, batch: 2 }); // within 10 s of the last line: not printed
    onEvent({ ...batch, batch: 3 }); // the last batch always is
    onEvent({
      phase: 'epoch',
      improved: true,
      epoch: 1,
      loss: 0.5,
      accuracy: 0.8,
      valLoss: 0.4,
      valAccuracy: 0.9,
      learningRate: 0.001,
      seconds: 75,
      images: 1000,
    });
    onEvent({ phase: 'stopped', reason: 'completed' });
    const lines = s.text().trim().split('\n');
    expect(lines[0]).toBe('training on 1,000 images, validating on 100; 3 batches per epoch');
    expect(lines.filter((l) => l.startsWith('epoch 1/2 batch'))).toEqual([
      'epoch 1/2 batch 1/3 loss 0.5000 acc 80.00% 250 img/s lr 1.00e-3 ETA 1m05s',
      'epoch 1/2 batch 3/3 loss 0.5000 acc 80.00% 250 img/s lr 1.00e-3 ETA 1m05s',
    ]);
    expect(lines).toContain(
      'epoch 1/2: loss 0.5000 acc 80.00% | val_loss 0.4000 val_acc 90.00% | 1m15s | best so far',
    );
    expect(lines.at(-1)).toBe('stopped: completed');
  });
});

describe('dataProgressRenderer', () => {
  it('names each source once and reports CSV parsing in MB and MB/s', () => {
    const s = sink();
    const onProgress = dataProgressRenderer({ stream: s.stream, now: s.now });
    onProgress({ phase: 'load', source: 'az-csv' });
    s.tick(2_000);
    onProgress({ phase: 'load', source: 'az-csv', unit: 'bytes', done: 400e6, total: 700e6 });
    onProgress({ phase: 'load', source: 'az-csv', unit: 'bytes', done: 410e6, total: 700e6 });
    onProgress({ phase: 'hash', source: 'az-csv' });
    expect(s.text()).toBe('loading az-csv\n  az-csv: 400 of 700 MB, 200 MB/s\n');
  });
});
