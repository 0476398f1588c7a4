// `hcr train --report` and `hcr report` driven in-process on the fixture data folder: the
// curves during training and the full report at its end, a second report reusing the saved
// evaluation, two models side by side, and the exit codes and messages of bad input.

import { runCli } from '../helpers/cli.js';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { trainReportWatcher } from '../../src/node/cli/report.js';
import { saveModel } from '../../src/node/model/artifact.js';

const SOURCES = join(import.meta.dirname, '..', 'fixtures', 'sources');
let dir: string;
let model: string;
let training: { code: number; stdout: string; stderr: string };

const run = runCli;

const dataArgs = () => [
  '--data-dir',
  SOURCES,
  '--cache-dir',
  join(dir, 'cache'),
  '--backend',
  'wasm',
  '--sources',
  'mnist',
];

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-report-cli-'));
  model = join(dir, 'tiny');
  training = await run(
    'train',
    '--arch',
    'tiny',
    '--label-set',
    'digits',
    '--epochs',
    '2',
    '--batch-size',
    '16',
    '--out',
    model,
    '--report',
    ...dataArgs(),
  );
  if (training.code !== 0) throw new Error(`training failed: ${training.stderr}`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hcr train --report', () => {
  it('writes the curves and, at the end, the whole report beside the model', async () => {
    const report = `${model}.report`;
    expect(training.stdout).toContain(`report: ${join(report, 'report.html')}`);
    for (const file of ['curves.png', 'curves.svg', 'report.html', 'metrics.json']) {
      expect(await exists(join(report, file))).toBe(true);
    }
    const curves = await readFile(join(report, 'curves.svg'), 'utf8');
    expect(curves).toMatch(/best epoch [12]/);
    const metrics = JSON.parse(await readFile(join(report, 'metrics.json'), 'utf8'));
    expect(metrics.models[0].history).toHaveLength(2);
    // The evaluation hcr train had just saved was reused, not redone.
    expect(metrics.models[0].evaluation.reused).toBe(true);
  });
});

describe('trainReportWatcher', () => {
  it('rewrites the curves after every epoch up to the budget, marking the last improvement as best', async () => {
    const notes: string[] = [];
    const watcher = await trainReportWatcher({
      modelDir: join(dir, 'watched'),
      resume: false,
      io: { print: () => {}, note: (text) => notes.push(text) },
    });
    expect(watcher.outDir).toBe(join(dir, 'watched.report'));
    const epoch = (n: number, improved: boolean) => ({
      phase: 'epoch' as const,
      improved,
      epoch: n,
      loss: 1 / n,
      accuracy: 0.5,
      valLoss: 1 / n,
      valAccuracy: 0.6,
      learningRate: 0.001,
      seconds: 1,
      images: 10,
    });
    watcher.onEvent({
      phase: 'start',
      epochs: 12,
      batchesPerEpoch: 1,
      trainImages: 10,
      validationImages: 2,
      resumedAt: null,
    });
    watcher.onEvent(epoch(1, true));
    await watcher.flush();
    const first = await readFile(join(watcher.outDir, 'curves.svg'), 'utf8');
    expect(first).toContain('best epoch 1');
    expect(first).not.toContain('epoch 2');
    // The epoch axis runs to the run's budget, so the reader sees how far it has come.
    expect(first).toMatch(/X-axis titled 'Epoch' for a linear scale with values from 1 to 12/);
    watcher.onEvent(epoch(2, true));
    watcher.onEvent(epoch(3, false));
    await watcher.flush();
    const third = await readFile(join(watcher.outDir, 'curves.svg'), 'utf8');
    expect(third).toContain('best epoch 2');
    expect(third).toContain('<title>validation, epoch 3: loss 0.3333</title>');
    expect(notes).toEqual([]);
  });
});

describe('hcr report', () => {
  it('reuses evaluation.json and writes the report where asked', async () => {
    const out = join(dir, 'again');
    const result = await run('report', model, '--out', out, '--samples', '2', ...dataArgs());
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/reusing evaluation\.json \(same weights, same test images\)/);
    expect(result.stdout).toContain(`report: ${join(out, 'report.html')}`);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('Sample training images: mnist');
  });

  it('puts two models side by side, saying which plots one of them lacks', async () => {
    const other = join(dir, 'untrained');
    const net = createModel({ architecture: 'tiny', numClasses: 10 });
    await saveModel(other, net, {
      labelSet: LABEL_SETS.digits,
      normalization: { version: 1 },
      architecture: { name: 'tiny', options: {} },
      training: null,
      metrics: {},
    });
    net.dispose();
    const out = join(dir, 'compare');
    const result = await run(
      'report',
      model,
      '--compare',
      other,
      '--out',
      out,
      '--json',
      ...dataArgs(),
    );
    expect(result.code).toBe(0);
    const written = JSON.parse(result.stdout);
    expect(written.files).toContain('compare-per-class-mnist-test.svg');
    expect(written.files).toContain('untrained-confusion-mnist-test.png');
    expect(written.missing).toEqual([
      {
        plot: 'Training curves of untrained',
        reason: `${other} has no history.json (the model was saved without its training history)`,
      },
    ]);
    expect(written.evaluations[1]).toMatchObject({
      reused: false,
      reason: `no evaluation.json in ${other}`,
    });
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('A: tiny');
    expect(html).toContain('B: untrained');
  });

  it('refuses a missing model, a data folder without test sets and a bad option', async () => {
    const missing = await run('report', join(dir, 'nope'), ...dataArgs());
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/nope: no such model directory/);
    const noTests = await run(
      'report',
      model,
      '--out',
      join(dir, 'no-tests'),
      ...dataArgs().slice(0, -1),
      'emnist-partial',
    );
    expect(noTests.code).toBe(3);
    expect(noTests.stderr).toMatch(
      /no test set to report on: the sources found in .* \(emnist-partial\) give no test image in label set digits/,
    );
    const samples = await run('report', model, '--samples', '0', ...dataArgs());
    expect(samples.code).toBe(2);
    expect(samples.stderr).toMatch(/--samples: expected a positive integer, got 0/);
  });
});
