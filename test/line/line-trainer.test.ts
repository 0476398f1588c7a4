// `hcr line train`'s library half on a tiny synthetic words file: a few CTC steps of the test
// architecture save a loadable line model with its metadata and a checkpoint, --resume goes on
// from the checkpoint's step, and greedy reading collapses repeats and drops blanks.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadUnipenWords, unipenWordsSource } from '../../src/node/data/lines/unipen-words.js';
import { loadLineModel, readLineMetadata } from '../../src/node/model/line-artifact.js';
import {
  greedyTexts,
  trainLineModel,
  type LineTrainEvent,
} from '../../src/node/train/line-trainer.js';
import { renderLineCard } from '../../src/node/eval/line-card.js';
import { writeWordsFile } from '../helpers/words-file.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('trainLineModel', () => {
  it('trains, validates, saves the best model and a checkpoint, and resumes', async () => {
    const data = writeWordsFile(30, ['cat', 'Dog', 'fine', 'moon']);
    const words = await loadUnipenWords(data);
    const source = unipenWordsSource(words, { name: 'words', composed: 16 });
    const out = join(mkdtempSync(join(tmpdir(), 'hcr-line-')), 'model');
    const events: LineTrainEvent[] = [];
    const options = {
      out,
      arch: 'line-tiny',
      batchSize: 8,
      epochs: 1,
      evalEvery: 5,
      workers: 0,
    } as const;
    const first = await trainLineModel(
      [{ source, perEpoch: 64 }],
      source,
      options,
      { data: { sources: ['words'] } },
      (e) => events.push(e),
    );
    expect(first.steps).toBeGreaterThan(5);
    expect(events.some((e) => e.phase === 'validation')).toBe(true);
    expect(events.filter((e) => e.phase === 'step').every((e) => Number.isFinite(e.loss))).toBe(
      true,
    );
    const loaded = await loadLineModel(out);
    expect(loaded.metadata.kind).toBe('line');
    expect(loaded.metadata.charset).toBe(LINE_CHARSET);
    expect(loaded.metadata.architecture).toBe('line-tiny');
    loaded.dispose();
    const checkpoint = await readLineMetadata(`${out}.checkpoint`);
    expect(checkpoint.files['optimizer.bin']).toBeDefined();

    const again = await trainLineModel(
      [{ source, perEpoch: 64 }],
      source,
      { ...options, epochs: 2, resume: true },
      { data: {} },
    );
    expect(again.steps).toBeGreaterThan(first.steps);
  });

  it('records the runs an --init model came from, so its card gives every command, and its architecture', async () => {
    const data = writeWordsFile(20, ['cat', 'Dog']);
    const source = unipenWordsSource(await loadUnipenWords(data), { name: 'words' });
    const root = mkdtempSync(join(tmpdir(), 'hcr-line-init-'));
    const options = { batchSize: 8, epochs: 1, evalEvery: 4, workers: 0 };
    const run = async (out: string, command: string, init?: string, arch?: string) => {
      const o = {
        ...options,
        out: join(root, out),
        command,
        ...(init ? { init } : {}),
        ...(arch ? { arch } : {}),
      };
      await trainLineModel([{ source, perEpoch: 16 }], source, o, { data: {} });
      return readLineMetadata(join(root, out));
    };
    const first = await run('a', 'hcr line train --out a', undefined, 'line-tiny');
    expect(first.training.earlier).toBeUndefined();
    expect(first.architecture).toBe('line-tiny');
    // --init with another --arch: the network that extends the init model's takes its weights
    const second = await run(
      'b',
      'hcr line train --out b --init a --arch line-tiny-c',
      join(root, 'a'),
      'line-tiny-c',
    );
    expect(second.architecture).toBe('line-tiny-c');
    // without --arch, the init model's architecture
    const third = await run('c', 'hcr line train --out c --init b', join(root, 'b'));
    expect(third.architecture).toBe('line-tiny-c');
    await expect(
      run('d', 'hcr line train --out d --init b --arch line-tiny', join(root, 'b'), 'line-tiny'),
    ).rejects.toThrow(/does not extend/);
    const earlier = third.training.earlier as { command: string; steps: number }[];
    expect(earlier.map((r) => r.command)).toEqual([
      'hcr line train --out a',
      'hcr line train --out b --init a --arch line-tiny-c',
    ]);
    expect(earlier.every((r) => r.steps > 0)).toBe(true);
    const card = renderLineCard('c', await readLineMetadata(join(root, 'c')), 1000);
    expect(card).toContain('hcr line train --out c --init b');
    expect(card).toContain('It continues 2 earlier runs');
    expect(card.indexOf('`hcr line train --out a`')).toBeLessThan(
      card.indexOf('`hcr line train --out b --init a --arch line-tiny-c`'),
    );
  });
});

describe('greedyTexts', () => {
  it('takes the best class per frame, merges repeats, drops blanks, stops at each line’s frames', () => {
    const C = LINE_CHARSET.length + 1;
    const a = LINE_CHARSET.indexOf('a') + 1;
    const b = LINE_CHARSET.indexOf('b') + 1;
    const path = [a, a, 0, a, b, b, a];
    const logits = new Float32Array(2 * path.length * C);
    path.forEach((c, t) => {
      logits[t * C + c] = 5;
      logits[(path.length + t) * C + c] = 5;
    });
    expect(greedyTexts(logits, 2, [path.length, 4], C)).toEqual(['aaba', 'aa']);
  });
});
