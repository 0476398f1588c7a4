// The report from a tiny fixture model: every plot is drawn as SVG and PNG with the labels a
// reader needs, the page is self-contained (no URL, unique ids), a model without history
// still gets every other plot and the page says why, bad input is refused with clear errors,
// and 62 classes stay legible.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { evaluateConfusion } from '../../src/core/metrics.js';
import type { Dataset } from '../../src/core/types.js';
import type { DataPlan } from '../../src/node/data/plan.js';
import { initEngine } from '../../src/node/engine/index.js';
import { evaluateModel, evaluationSubject } from '../../src/node/eval/evaluate.js';
import { loadModel, saveModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { savedEvaluationMismatch, type EvaluationReport } from '../../src/node/model/evaluation.js';
import type { EpochRecord } from '../../src/node/model/history.js';
import {
  compactCount,
  confusionLayout,
  confusionMatrixSpec,
} from '../../src/node/report/confusion.js';
import { inlineSvg } from '../../src/node/report/html.js';
import { layoutReport } from '../../src/node/report/layout.js';
import { renderSpec, svgWithTitles } from '../../src/node/report/render.js';
import {
  buildReport,
  REPORT_DEFAULTS,
  reportDirFor,
  type ReportModelInput,
} from '../../src/node/report/report.js';
import { pickSourceSamples } from '../../src/node/report/samples.js';
import { textWidth } from '../../src/node/report/text-width.js';
import { syntheticDataset } from '../helpers/synthetic.js';

let dir: string;
let loaded: LoadedModel;
let tests: Dataset[];
let evaluation: EvaluationReport;
let plan: DataPlan;

const history: EpochRecord[] = [1, 2, 3].map((epoch) => ({
  epoch,
  loss: 1.5 / epoch,
  accuracy: 0.5 + epoch * 0.1,
  valLoss: [1.2, 0.9, 1.0][epoch - 1]!,
  valAccuracy: 0.55 + epoch * 0.08,
  learningRate: 0.001,
  seconds: 2,
  images: 40,
}));

function input(overrides: Partial<ReportModelInput> = {}): ReportModelInput {
  return {
    dir: loaded.dir,
    metadata: loaded.metadata,
    parameters: loaded.model.countParams(),
    history,
    historyNote: null,
    evaluation: { report: evaluation, reused: false, reason: 'test' },
    tests,
    ...overrides,
  };
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-report-'));
  const model = createModel({ architecture: 'tiny', numClasses: 10 });
  await saveModel(join(dir, 'tiny'), model, {
    labelSet: LABEL_SETS.digits,
    normalization: { version: 1 },
    architecture: { name: 'tiny', options: {} },
    training: {
      hyperparameters: { epochs: 3, batchSize: 16, validationFraction: 0.1 },
      data: [
        {
          source: 'mnist',
          files: [],
          counts: { train: 20, validation: 4, test: 20 },
          dropped: 0,
          splitSeed: null,
        },
      ],
      splitSeed: 1,
      epochs: 3,
      bestEpoch: 2,
      durationSeconds: 6,
      backend: 'wasm',
    },
    metrics: {},
  });
  model.dispose();
  loaded = await loadModel(join(dir, 'tiny'));
  // An untrained model: plenty of mistakes to draw.
  tests = [
    syntheticDataset('mnist-test', 5, 7, 4, LABEL_SETS.digits),
    syntheticDataset('other-test', 3, 9, 4, LABEL_SETS.digits),
  ];
  evaluation = await evaluateModel(loaded, tests);
  const train = syntheticDataset('train', 4, 3, 4, LABEL_SETS.digits);
  plan = {
    labelSet: LABEL_SETS.digits,
    train,
    validation: syntheticDataset('validation', 1, 4, 4, LABEL_SETS.digits),
    tests,
    provenance: [
      {
        source: 'mnist',
        files: [],
        counts: { train: 16, validation: 4, test: 20 },
        dropped: 0,
        droppedDuplicates: 0,
        splitSeed: null,
        validationSeed: 1,
      },
    ],
  };
});

afterAll(async () => {
  loaded.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The width attribute of an SVG's root element. */
function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg[^>]*>/.exec(svg)![0];
  return {
    width: Number(/\swidth="([\d.]+)"/.exec(root)![1]),
    height: Number(/\sheight="([\d.]+)"/.exec(root)![1]),
  };
}

describe('buildReport', () => {
  it('draws every plot as SVG and PNG with the labels a reader needs, in one self-contained page', async () => {
    const outDir = join(dir, 'full.report');
    const { samples, missing: missingSamples } = pickSourceSamples(plan, 3, 1);
    expect(missingSamples).toEqual([]);
    const result = await buildReport({ models: [input()], samples, missingSamples, outDir });
    expect(result.missing).toEqual([]);
    const plots = [
      'curves',
      'samples-mnist',
      'confusion-all',
      'per-class-all',
      'errors-all',
      'confused-pairs-all',
      'confusion-mnist-test',
      'per-class-mnist-test',
      'errors-mnist-test',
      'confused-pairs-mnist-test',
      'confusion-other-test',
      'errors-other-test',
    ];
    for (const plot of plots) {
      expect(result.files).toContain(`${plot}.svg`);
      expect(result.files).toContain(`${plot}.png`);
      const svg = await readFile(join(outDir, `${plot}.svg`), 'utf8');
      const png = await readFile(join(outDir, `${plot}.png`));
      const meta = await sharp(png).metadata();
      const size = svgSize(svg);
      expect(size.width).toBeGreaterThan(100);
      // The PNG is the SVG at twice the size (crisp on high-density screens).
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(Math.round(size.width * 2));
      expect(meta.height).toBe(Math.round(size.height * 2));
      expect(png.length).toBeGreaterThan(2000);
    }
    const svg = (name: string) => readFile(join(outDir, `${name}.svg`), 'utf8');
    const curves = await svg('curves');
    for (const label of [
      'Training curves',
      'Accuracy',
      'Loss',
      'Epoch',
      'best epoch 2',
      'validation',
    ]) {
      expect(curves).toContain(label);
    }
    const confusion = await svg('confusion-mnist-test');
    for (const label of [
      'Confusion matrix: mnist-test',
      'Predicted class',
      'True class',
      '>3</text>',
    ]) {
      expect(confusion).toContain(label);
    }
    // Raw counts on hover: every cell carries a <title>.
    expect(confusion).toMatch(/<title>true \d, predicted \d \((correct|error)\): \d+ of 5 images/);
    const perClass = await svg('per-class-mnist-test');
    for (const label of [
      'Precision, recall and F1 per class',
      'Precision',
      'Recall',
      'Test images (support)',
    ]) {
      expect(perClass).toContain(label);
    }
    const errors = await svg('errors-all');
    expect(errors).toContain('Most confident mistakes: all test sets');
    expect(errors).toMatch(/>true \d<\/text>/);
    expect(errors).toMatch(/>pred \d · \d+\.\d%<\/text>/);
    expect(errors).toContain('data:image/png;base64,');
    expect(await svg('confused-pairs-mnist-test')).toMatch(/>\d → \d<\/text>/);
    const grid = await svg('samples-mnist');
    for (const label of ['Sample training images: mnist', '>0</text>', '>3</text>']) {
      expect(grid).toContain(label);
    }
    expect(grid.match(/<image /g)).toHaveLength(12);

    const html = await readFile(result.html, 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    const references = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThan(20);
    for (const ref of references) expect(ref).toMatch(/^(#|data:image\/png;base64,)/);
    // Every plot inlined, and the ids of their gradients and clip paths never collide.
    expect(html.match(/<svg[\s>]/g)).toHaveLength(
      result.files.filter((f) => f.endsWith('.svg')).length,
    );
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const text of [
      'Metrics per test set',
      'all test sets',
      'mnist-test',
      'Parameters',
      'tiny',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).not.toContain('Plots not shown');
    const metrics = JSON.parse(await readFile(join(outDir, 'metrics.json'), 'utf8'));
    expect(metrics.format).toBe('hcr-report');
    expect(metrics.models[0].evaluation.results.map((r: { name: string }) => r.name)).toEqual([
      'mnist-test',
      'other-test',
    ]);
  });

  it('still draws every other plot for a model without history, and says why curves are missing', async () => {
    const outDir = join(dir, 'no-history.report');
    const note = `${loaded.dir} has no history.json (the model was saved without its training history)`;
    // One test set (no pooled 'all'), so fewer plots to draw.
    const single = await evaluateModel(loaded, [tests[0]!]);
    const result = await buildReport({
      models: [
        input({
          history: null,
          historyNote: note,
          evaluation: { report: single, reused: false, reason: 'test' },
          tests: [tests[0]!],
        }),
      ],
      samples: [],
      missingSamples: [
        { source: 'emnist', reason: 'no image of emnist maps into label set digits' },
      ],
      outDir,
    });
    expect(result.files).not.toContain('curves.png');
    expect(result.files).toContain('confusion-mnist-test.png');
    expect(result.files).toContain('errors-mnist-test.png');
    expect(result.files).toContain('confused-pairs-mnist-test.png');
    expect(result.missing).toEqual([
      { plot: 'Training curves', reason: note },
      { plot: 'Sample images of emnist', reason: 'no image of emnist maps into label set digits' },
    ]);
    const html = await readFile(result.html, 'utf8');
    expect(html).toContain('Plots not shown');
    expect(html).toContain(
      'has no history.json (the model was saved without its training history)',
    );
  });

  it('refuses an empty test set, a model without test sets and a directory that is not a report', async () => {
    const empty: Dataset = {
      ...tests[0]!,
      name: 'empty-test',
      labels: new Uint8Array(0),
      images: new Uint8Array(0),
    };
    const args = { samples: [], missingSamples: [], outDir: join(dir, 'bad.report') };
    await expect(buildReport({ ...args, models: [input({ tests: [empty] })] })).rejects.toThrow(
      /test set empty-test is empty \(0 images\)/,
    );
    await expect(buildReport({ ...args, models: [input({ tests: [] })] })).rejects.toThrow(
      /no test set to report on/,
    );
    const foreign = join(dir, 'foreign');
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await expect(buildReport({ ...args, models: [input()], outDir: foreign })).rejects.toThrow(
      /report directory .*foreign holds files a report does not write \(notes\.txt\)/,
    );
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('layoutReport', () => {
  it('names every plot once, and every figure of the page is one of them or says why not', async () => {
    const { samples } = pickSourceSamples(plan, 2, 1);
    const other = join(dir, 'other');
    const models = [input(), input({ dir: other, history: null, historyNote: 'no history' })];
    const layout = await layoutReport({
      models,
      samples,
      missingSamples: [],
      mistakes: { errorsShown: 4, pairsShown: 2, examplesPerPair: 2 },
      generatedAt: '2026-01-02T03:04:05.000Z',
    });
    const files = layout.plots.map((p) => p.file);
    expect(new Set(files).size).toBe(files.length);
    expect(layout.metrics.plots).toEqual(files);
    expect(files.slice(0, 3)).toEqual(['curves', 'samples-mnist', 'tiny-confusion-all']);
    expect(files).toContain('compare-per-class-mnist-test');
    const cells = layout.sections.flatMap((s) => s.rows.flat());
    for (const cell of cells) if ('plot' in cell) expect(files).toContain(cell.plot);
    expect(new Set(cells.flatMap((c) => ('plot' in c ? [c.plot] : [])))).toEqual(new Set(files));
    expect(layout.missing).toEqual([{ plot: 'Training curves of other', reason: 'no history' }]);
    expect(layout.page.title).toBe('hcr report: tiny vs other');
    expect(layout.page.generatedAt).toBe('2026-01-02T03:04:05.000Z');
  });
});

describe('saved evaluations', () => {
  it('apply only to the same weights and the same test images', () => {
    const subject = evaluationSubject(loaded, tests);
    expect(savedEvaluationMismatch(evaluation, subject)).toBeNull();
    const old: EvaluationReport = { ...evaluation, subject: undefined };
    expect(savedEvaluationMismatch(old, subject)).toMatch(/older hcr that did not record/);
    const otherWeights = { ...subject, weightsSha256: '0'.repeat(64) };
    expect(savedEvaluationMismatch(evaluation, otherWeights)).toMatch(/other weights/);
    const changed = [{ ...tests[0]!, images: tests[0]!.images.map((v) => 255 - v) }, tests[1]!];
    expect(savedEvaluationMismatch(evaluation, evaluationSubject(loaded, changed))).toMatch(
      /the images of test set mnist-test changed/,
    );
    expect(savedEvaluationMismatch(evaluation, evaluationSubject(loaded, [tests[0]!]))).toMatch(
      /covers test sets mnist-test \(20\), other-test \(12\), the data now gives mnist-test \(20\)/,
    );
  });

  it('keep the most confident mistakes, most confident first', () => {
    const errors = evaluation.errors!['mnist-test']!;
    expect(errors.index.length).toBeGreaterThan(0);
    expect(errors.total).toBe(
      evaluation.results[0]!.count - Math.round(evaluation.results[0]!.accuracy * 20),
    );
    expect(errors.probability).toEqual([...errors.probability].sort((a, b) => b - a));
    errors.index.forEach((i, k) => {
      expect(errors.true[k]).toBe(tests[0]!.labels[i]);
      expect(errors.predicted[k]).not.toBe(errors.true[k]);
    });
  });
});

describe('plots', () => {
  it('keep 62 classes legible: every label drawn, cells wider than any label or count', async () => {
    const labelSet = LABEL_SETS.byclass62;
    const n = labelSet.classes.length;
    const confusion = Array.from({ length: n }, (_, t) =>
      Array.from({ length: n }, (_, p) => (t === p ? 1200 + t : p === (t + 1) % n ? 7 : 0)),
    );
    const result = evaluateConfusion('byclass', labelSet, confusion);
    const { cell, countFont, labelFont } = confusionLayout(n);
    const widest = Math.max(...labelSet.classes.map((c) => textWidth(c, labelFont, true)));
    expect(cell).toBeGreaterThanOrEqual(20);
    expect(widest).toBeLessThan(cell - 4);
    expect(textWidth(compactCount(1261), countFont)).toBeLessThan(cell - 2);
    const { svg } = await renderSpec(confusionMatrixSpec(result));
    for (const c of labelSet.classes) expect(svg).toContain(`>${c}</text>`);
    expect(svgSize(svg).width).toBeGreaterThan(n * cell);
  });

  it('format counts compactly and repeat hover text as SVG titles', () => {
    expect([987, 1234, 9999, 12345, 2_500_000].map(compactCount)).toEqual([
      '987',
      '1.2k',
      '10k',
      '12k',
      '2.5M',
    ]);
    expect(
      svgWithTitles(
        '<path aria-label="O → 0: 12 &amp; more" role="graphics-symbol" aria-roledescription="rect mark" d="M0,0"/>',
      ),
    ).toBe(
      '<path aria-label="O → 0: 12 &amp; more" role="graphics-symbol" aria-roledescription="rect mark" d="M0,0"><title>O → 0: 12 &amp; more</title></path>',
    );
    expect(
      inlineSvg(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><path id="clip1"/><g clip-path="url(#clip1)"/><image xlink:href="data:x"/></svg>',
        'p3',
      ),
    ).toBe('<svg><path id="p3-clip1"/><g clip-path="url(#p3-clip1)"/><image href="data:x"/></svg>');
  });

  it('default to a report directory beside the model and documented defaults', () => {
    expect(reportDirFor('runs/default/')).toBe('runs/default.report');
    expect(REPORT_DEFAULTS).toEqual({
      samplesPerClass: 6,
      errorsShown: 40,
      pairsShown: 8,
      examplesPerPair: 8,
      seed: 1,
      save: true,
      replace: false,
    });
  });
});
