// initEngine: backend registry, defaults, errors, the WASM fallback and idempotence.

import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HcrError } from '../../src/core/errors.js';
import type { BackendName } from '../../src/node/engine/index.js';
import {
  BACKENDS,
  ENGINE_DEFAULTS,
  initEngine,
  registerWasmTrainingKernels,
} from '../../src/node/engine/index.js';
import { tfjsNodeInstalled } from '../helpers/tfjs-node.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('BACKENDS and ENGINE_DEFAULTS', () => {
  it('lists the four choices, frozen, with auto as the default', () => {
    expect(Object.keys(BACKENDS)).toEqual(['auto', 'tensorflow', 'wasm', 'cpu']);
    expect(Object.isFrozen(BACKENDS)).toBe(true);
    expect(ENGINE_DEFAULTS.backend).toBe('auto');
    expect(Object.isFrozen(ENGINE_DEFAULTS)).toBe(true);
  });
});

describe('registerWasmTrainingKernels', () => {
  // Before any initEngine('wasm') in this file: the WASM package is not loaded yet.
  it('refuses to run before @tensorflow/tfjs-backend-wasm is loaded', () => {
    expect(() => registerWasmTrainingKernels()).toThrow(
      /registerWasmTrainingKernels: expected @tensorflow\/tfjs-backend-wasm to be loaded first/,
    );
  });
});

describe('initEngine', () => {
  // First in this file: the cpu backend prints its banner only on its first tensor.
  it("starts 'cpu' without tfjs's install-tfjs-node banner", async () => {
    const warn = vi.spyOn(console, 'warn');
    const info = await initEngine({ backend: 'cpu' });
    expect(info).toEqual({ backend: 'cpu', tfjsVersion: tf.version.tfjs, threads: 1 });
    tf.tensor([1, 2, 3]).dispose();
    expect(warn).not.toHaveBeenCalled();
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown backend with BAD_OPTION listing the valid names', async () => {
    const error = await initEngine({ backend: 'gpu' as BackendName }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HcrError);
    expect((error as HcrError).code).toBe('BAD_OPTION');
    expect((error as HcrError).message).toMatch(
      /^unknown backend 'gpu': expected one of auto, tensorflow, wasm, cpu$/,
    );
  });

  it.skipIf(tfjsNodeInstalled)(
    "explains how to install tfjs-node when 'tensorflow' is asked for",
    async () => {
      const error = await initEngine({ backend: 'tensorflow' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HcrError);
      expect((error as HcrError).code).toBe('ENGINE');
      expect((error as HcrError).message).toMatch(
        /^backend 'tensorflow': @tensorflow\/tfjs-node is not installed; install it with 'npm install @tensorflow\/tfjs-node'/,
      );
    },
  );

  it.skipIf(tfjsNodeInstalled)(
    "'auto' falls back to single-threaded WASM quietly, and again on a second call",
    async () => {
      const warn = vi.spyOn(console, 'warn');
      const log = vi.spyOn(console, 'log');
      const first = await initEngine();
      expect(first).toMatchObject({ backend: 'wasm', tfjsVersion: '4.22.0', threads: 1 });
      expect(first.fallbackReason).toMatch(/tfjs-node is not installed/);
      expect(tf.getBackend()).toBe('wasm');
      expect(await initEngine({ backend: 'auto' })).toEqual(first);
      expect(warn).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
    },
  );

  it("'wasm' is idempotent and can train a convolution", async () => {
    const a = await initEngine({ backend: 'wasm' });
    const b = await initEngine({ backend: 'wasm' });
    expect(a).toEqual({ backend: 'wasm', tfjsVersion: tf.version.tfjs, threads: 1 });
    expect(b).toEqual(a);
    const dw = tf.tidy(() => {
      const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
      return tf.grad((w) => tf.conv2d(x, w as tf.Tensor4D, 1, 'valid').sum())(
        tf.zeros([2, 2, 1, 1]),
      );
    });
    expect(Array.from(dw.dataSync())).toEqual([4, 4, 4, 4]);
    dw.dispose();
  });

  it('switches back and forth between backends', async () => {
    expect((await initEngine({ backend: 'cpu' })).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initEngine({ backend: 'wasm' })).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
