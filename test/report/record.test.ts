// A model directory is changed only when asked (issue 22 §6). `hcr report` on a copy of the
// shipped model with a data folder that lacks most of its test sets (no `synth`, so no
// `styles-test`) leaves every file of the model byte-identical and says why; `saveEvaluation`
// adds test sets the directory does not record, keeps those it does, never drops one, and
// replaces the record only when asked (or when it was made with other weights), saying what.

import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { EVALUATION_VERSION, evaluatePredictions } from '../../src/core/metrics.js';
import { packagePath } from '../../src/node/package-root.js';
import { saveEvaluation, type EvaluationReport } from '../../src/node/model/evaluation.js';
import { runCli } from '../helpers/cli.js';

const SOURCES = join(import.meta.dirname, '..', 'fixtures', 'sources');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-record-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** SHA-256 of every file of `folder`, by name. */
async function hashes(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) {
    out[name] = createHash('sha256')
      .update(await readFile(join(folder, name)))
      .digest('hex');
  }
  return out;
}

describe('hcr report on a copy of the shipped model', () => {
  it('leaves the model directory byte-identical when the data lacks its test sets', async () => {
    const model = join(dir, 'alnum36');
    await cp(packagePath('models', 'alnum36'), model, { recursive: true });
    const before = await hashes(model);
    const recorded = JSON.parse(await readFile(join(model, 'evaluation.json'), 'utf8')) as {
      subject: { tests: { name: string }[] };
    };
    expect(recorded.subject.tests.map((t) => t.name)).toContain('styles-test');
    const result = await runCli(
      'report',
      model,
      '--out',
      join(dir, 'alnum36.report'),
      '--samples',
      '1',
      '--data-dir',
      SOURCES,
      '--cache-dir',
      join(dir, 'cache'),
      '--backend',
      'wasm',
      '--sources',
      'mnist',
    );
    expect(result.code, result.stderr).toBe(0);
    // The report was made on the data given, and says the model's record was left alone.
    expect(result.stderr).toMatch(/evaluated \(evaluation\.json covers test sets/);
    expect(result.stderr).toMatch(
      /evaluation\.json: unchanged \(it records mnist-test, emnist-test, unipen-test, chars74k, styles-test\); not recorded: mnist-test \(the record has it on other images; pass --replace/,
    );
    expect(await hashes(model)).toEqual(before);
  }, 120_000);
});

/** An evaluation of `sets` (name, fingerprint, labels = predictions) with weights `weights`. */
function report(
  sets: readonly { name: string; fingerprint: string; labels: number[] }[],
  weights = 'w1',
): EvaluationReport {
  const labelSet = LABEL_SETS.digits;
  const results = sets.map((s) =>
    evaluatePredictions({
      name: s.name,
      labelSet,
      labels: Int32Array.from(s.labels),
      predicted: Int32Array.from(s.labels),
    }),
  );
  return {
    version: EVALUATION_VERSION,
    model: 'm',
    createdAt: new Date().toISOString(),
    results,
    combined: null,
    misclassified: Object.fromEntries(sets.map((s) => [s.name, []])),
    errors: Object.fromEntries(
      sets.map((s) => [s.name, { index: [], true: [], predicted: [], probability: [], total: 0 }]),
    ),
    subject: {
      weightsSha256: weights,
      labelSet: labelSet.name,
      tests: sets.map((s) => ({
        name: s.name,
        count: s.labels.length,
        fingerprint: s.fingerprint,
      })),
    },
  };
}

describe('saveEvaluation', () => {
  it('adds, keeps and replaces only when asked, saying what it did', async () => {
    const model = join(dir, 'records');
    await cp(packagePath('models', 'alnum36'), model, { recursive: true });
    await rm(join(model, 'evaluation.json'));
    const read = async () =>
      JSON.parse(await readFile(join(model, 'evaluation.json'), 'utf8')) as EvaluationReport;
    const metrics = async () =>
      Object.keys(
        (JSON.parse(await readFile(join(model, 'hcr.json'), 'utf8')) as { metrics: object })
          .metrics,
      );
    const a = { name: 'a', fingerprint: 'aaaa', labels: [0, 1, 2] };
    const b = { name: 'b', fingerprint: 'bbbb', labels: [3, 4] };
    const c = { name: 'c', fingerprint: 'cccc', labels: [5] };

    const first = await saveEvaluation(model, report([a, b]));
    expect(first).toMatchObject({ action: 'new', added: ['a', 'b'] });
    expect(await metrics()).toEqual(['a', 'b']);

    // c is new, b is the same images again: c is added, a and b are kept as recorded.
    const second = await saveEvaluation(model, report([b, c]));
    expect(second).toMatchObject({ action: 'added', added: ['c'], replaced: [], notRecorded: [] });
    expect(second.message).toBe('evaluation.json: added c beside a, b');
    const merged = await read();
    expect(merged.subject!.tests.map((t) => t.name)).toEqual(['a', 'b', 'c']);
    expect(merged.results.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(merged.combined).toMatchObject({ name: 'all', count: 6 });
    expect(await metrics()).toEqual(['a', 'b', 'c', 'all']);

    // a on other images, b alone: nothing is written.
    const bytes = await readFile(join(model, 'evaluation.json'));
    const metadata = await readFile(join(model, 'hcr.json'));
    const other = { ...a, fingerprint: 'a2a2', labels: [0] };
    const third = await saveEvaluation(model, report([other]));
    expect(third).toMatchObject({ action: 'unchanged', notRecorded: ['a'] });
    expect(third.message).toMatch(/unchanged \(it records a, b, c\); not recorded: a .*--replace/);
    const fourth = await saveEvaluation(model, report([b]));
    expect(fourth).toMatchObject({ action: 'unchanged', notRecorded: [] });
    expect(await readFile(join(model, 'evaluation.json'))).toEqual(bytes);
    expect(await readFile(join(model, 'hcr.json'))).toEqual(metadata);

    // Asked to replace: the record is this evaluation, and the message lists what went.
    const fifth = await saveEvaluation(model, report([other]), { replace: true });
    expect(fifth).toMatchObject({ action: 'replaced', replaced: ['a', 'b', 'c'] });
    expect(fifth.message).toBe('evaluation.json: replaced the recorded results (a, b, c) with a');
    expect((await read()).subject!.tests).toEqual([{ name: 'a', count: 1, fingerprint: 'a2a2' }]);

    // A record of other weights no longer describes the model: replaced, and said so.
    const sixth = await saveEvaluation(model, report([b], 'w2'));
    expect(sixth.action).toBe('replaced');
    expect(sixth.message).toMatch(/replaced the recorded results \(a\), made with other weights,/);

    // A record that cannot be read is kept unless asked.
    await writeFile(join(model, 'evaluation.json'), '{ not json');
    const seventh = await saveEvaluation(model, report([a]));
    expect(seventh.message).toMatch(/unchanged, since it is not valid JSON .*--replace/);
    expect(await readFile(join(model, 'evaluation.json'), 'utf8')).toBe('{ not json');
  });
});
