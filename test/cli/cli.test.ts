// The hcr command line driven in-process: train a tiny model on the fixture data folder,
// then evaluate and predict with it, and check exit codes and messages of bad input.

import { runCli } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const IMAGES = join(FIXTURES, 'images');
let dir: string;
let model: string;

const run = runCli;

const dataArgs = () => [
  '--data-dir',
  join(FIXTURES, 'sources'),
  '--cache-dir',
  join(dir, 'cache'),
  '--backend',
  'wasm',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-cli-'));
  model = join(dir, 'model');
  const result = await run(
    'train',
    '--arch',
    'tiny',
    '--label-set',
    'digits',
    '--sources',
    'mnist',
    '--epochs',
    '2',
    '--batch-size',
    '16',
    '--lr',
    '0.01',
    '--out',
    model,
    ...dataArgs(),
  );
  if (result.code !== 0) throw new Error(`training failed: ${result.stderr}`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hcr train', () => {
  it('wrote a model with its history and evaluation', async () => {
    const metadata = JSON.parse(await readFile(join(model, 'hcr.json'), 'utf8'));
    expect(metadata.labelSet.name).toBe('digits');
    expect(metadata.training.data.map((d: { source: string }) => d.source)).toEqual(['mnist']);
    expect(Object.keys(metadata.metrics)).toContain('mnist-test');
    expect(metadata.training.hyperparameters).toMatchObject({
      architecture: 'tiny',
      epochs: 2,
      batchSize: 16,
      sources: ['mnist'],
      foldCase: false,
      validationFraction: 0.1,
    });
    const history = JSON.parse(await readFile(join(model, 'history.json'), 'utf8'));
    expect(history).toHaveLength(2);
    const evaluation = JSON.parse(await readFile(join(model, 'evaluation.json'), 'utf8'));
    expect(evaluation.results[0].name).toBe('mnist-test');
  });

  it('rejects an unknown architecture or label set, listing the valid ones', async () => {
    const arch = await run('train', '--arch', 'resnet', ...dataArgs());
    expect(arch.code).toBe(2);
    expect(arch.stderr).toMatch(
      /'resnet' is invalid\. Allowed choices are seed, default, large, tiny/,
    );
    const labels = await run('train', '--label-set', 'greek', ...dataArgs());
    expect(labels.code).toBe(2);
    expect(labels.stderr).toMatch(
      /Allowed choices are alnum36, alnum35, digits, letters, byclass62/,
    );
  });

  it('refuses to overwrite a trained model', async () => {
    const again = await run(
      'train',
      '--arch',
      'tiny',
      '--label-set',
      'digits',
      '--sources',
      'mnist',
      '--out',
      model,
      ...dataArgs(),
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /already holds a trained model \(completed\): choose another --out/,
    );
  });
});

describe('hcr --version', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(
      await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    );
    const result = await run('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });
});

describe('hcr evaluate', () => {
  it('prints JSON results per test set', async () => {
    const result = await run(
      'evaluate',
      '--model',
      model,
      '--sources',
      'mnist',
      '--json',
      '--no-save',
      ...dataArgs(),
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.results[0]).toMatchObject({ name: 'mnist-test', labelSet: 'digits' });
    expect(report.results[0].accuracy).toBeGreaterThanOrEqual(0);
    expect(report.results[0].confusion).toHaveLength(10);
  });

  it('reports a missing model directory', async () => {
    const result = await run('evaluate', '--model', join(dir, 'nothing'), ...dataArgs());
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/nothing: no such model directory/);
  });
});

describe('hcr predict', () => {
  it('ranks the classes of each image, in any format', async () => {
    const files = ['L.png', 'L.jpg', 'L.webp', 'L.svg'].map((f) => join(IMAGES, f));
    const result = await run(
      'predict',
      '--model',
      model,
      '--top',
      '2',
      '--backend',
      'wasm',
      ...files,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/L\.\w+: \d \d+\.\d\d% {2}\d \d+\.\d\d%$/);
  });

  it('prints JSON with probabilities that sum to at most 1', async () => {
    const result = await run(
      'predict',
      '--model',
      model,
      '--json',
      '--top',
      '10',
      '--backend',
      'wasm',
      join(IMAGES, 'L.png'),
    );
    const parsed = JSON.parse(result.stdout);
    const [first] = parsed.results;
    expect(first.status).toBe('ok');
    expect(first.predictions).toHaveLength(10);
    const sum = first.predictions.reduce(
      (s: number, p: { probability: number }) => s + p.probability,
      0,
    );
    expect(sum).toBeCloseTo(1, 4);
  });

  it('names a file that is not an image, reports a blank one, and exits non-zero', async () => {
    const result = await run(
      'predict',
      '--model',
      model,
      '--backend',
      'wasm',
      join(IMAGES, 'L.png'),
      join(IMAGES, 'not-an-image.txt'),
      join(IMAGES, 'blank.png'),
      join(IMAGES, 'empty.png'),
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/L\.png: \d/);
    expect(result.stdout).toMatch(/blank\.png: empty \(no ink found\)/);
    expect(result.stderr).toMatch(/not-an-image\.txt: not an image/);
    expect(result.stderr).toMatch(/empty\.png: .*empty/);
  });

  it('refuses /dev/zero and a FIFO without reading them, and exits 5 for a missing file (issue 13)', async () => {
    const zero = await run('predict', '--model', model, '--backend', 'wasm', '/dev/zero');
    expect(zero.code).toBe(3);
    expect(zero.stderr).toMatch(
      /\/dev\/zero: expected a regular image file, got a character device/,
    );
    const missing = await run(
      'predict',
      '--model',
      model,
      '--backend',
      'wasm',
      join(dir, 'no-such.png'),
      join(IMAGES, 'L.png'),
    );
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/no-such\.png: no such file/);
    expect(missing.stdout).toMatch(/L\.png: \d/);
  });

  it('refuses a model directory with altered files', async () => {
    const result = await run(
      'predict',
      '--model',
      FIXTURES,
      '--backend',
      'wasm',
      join(IMAGES, 'L.png'),
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/not an hcr model directory \(missing hcr\.json\)/);
  });
});

describe('hcr train with a class no source has', () => {
  it('names the missing classes', async () => {
    const result = await run(
      'train',
      '--arch',
      'tiny',
      '--label-set',
      'letters',
      '--sources',
      'mnist',
      '--out',
      join(dir, 'letters'),
      ...dataArgs(),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/label set letters: no images of class A, B, C, .*Z in mnist/);
  });
});

describe('hcr train interrupted by a signal', () => {
  const ROOT = join(import.meta.dirname, '..', '..');
  function spawnCli(args: string[]): {
    done: Promise<number>;
    stderr: () => string;
    kill: () => void;
  } {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/node/cli/bin.ts'), ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    return { done, stderr: () => stderr, kill: () => child.kill('SIGINT') };
  }

  it('saves a checkpoint on SIGINT, exits 130, and --resume finishes the run', async () => {
    const out = join(dir, 'signalled');
    const args = [
      'train',
      '--arch',
      'tiny',
      '--label-set',
      'digits',
      '--sources',
      'mnist',
      '--batch-size',
      '4',
      '--out',
      out,
      ...dataArgs(),
    ];
    const first = spawnCli([...args, '--epochs', '100000']);
    const deadline = Date.now() + 30_000;
    while (!/epoch 2\/100000/.test(first.stderr()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    first.kill();
    expect(await first.done).toBe(130);
    expect(first.stderr()).toMatch(/interrupted: saving a checkpoint/);
    expect(first.stderr()).toMatch(
      /checkpoint saved in .*signalled\.checkpoint; continue with the same command and --resume/,
    );
    const state = JSON.parse(await readFile(join(`${out}.checkpoint`, 'train-state.json'), 'utf8'));
    expect(state.finished).toBeNull();
    const resumed = await run(...args, '--epochs', String(state.epoch + 1), '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming at epoch \d+, batch \d+/);
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    expect(history).toHaveLength(state.epoch + 1);
  });
});
