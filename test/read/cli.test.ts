// `hcr read` driven in-process with a tiny untrained model (its labels are random, but the
// segmentation is not: three spaced glyphs are three characters whatever the model says), and
// the Node functions behind it: output format, --top, --json, --no-context, bad files, the
// pixel limit, and no tensors left behind.

import { runCli } from '../helpers/cli.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import type { GrayImage } from '../../src/core/types.js';
import { initEngine } from '../../src/node/engine/index.js';
import { EXIT_CODE } from '../../src/node/errors.js';
import { loadModel, saveModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { readImage, readImageFile } from '../../src/node/read/read.js';
import { drawPage, layout } from './helpers.js';

let dir: string;
let modelDir: string;
let loaded: LoadedModel;
let line: string;
let blank: string;
let page: GrayImage;

async function writePng(path: string, image: GrayImage): Promise<void> {
  await sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: 1 },
  })
    .png()
    .toFile(path);
}

const run = runCli;

const modelArgs = () => ['--model', modelDir, '--backend', 'wasm'];

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-read-'));
  modelDir = join(dir, 'model');
  const model = createModel({ architecture: 'tiny', numClasses: 36 });
  await saveModel(modelDir, model, {
    labelSet: LABEL_SETS.alnum36,
    normalization: { version: 2 },
    architecture: { name: 'tiny', options: {} },
    training: null,
    metrics: {},
  });
  model.dispose();
  loaded = await loadModel(modelDir);
  page = drawPage(220, 90, layout('H4L', 40, 16)).image;
  line = join(dir, 'line.png');
  blank = join(dir, 'blank.png');
  await writePng(line, page);
  await writePng(blank, { width: 64, height: 40, data: new Uint8Array(64 * 40).fill(240) });
});

afterAll(async () => {
  loaded.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('hcr read', () => {
  it('prints the text, then per character its box and top-3', async () => {
    const result = await run('read', line, ...modelArgs());
    expect(result.code).toBe(0);
    const rows = result.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe(`${line}:`);
    expect(rows[1]).toMatch(/^ {2}[0-9A-Z]{3}$/);
    const characters = rows.slice(2);
    expect(characters).toHaveLength(3);
    characters.forEach((row, k) => {
      expect(row).toMatch(
        new RegExp(
          `^ {2}1:${k + 1} {2}[0-9A-Z] {2}\\d+,\\d+ \\d+x\\d+ {2}([0-9A-Z] \\d+\\.\\d\\d% *){3}`,
        ),
      );
    });
    expect(rows[1]!.trim()).toBe(characters.map((r) => r.trim().split(/\s+/)[1]).join(''));
  });

  it('shows --top classes per character', async () => {
    const result = await run('read', line, '--top', '5', ...modelArgs());
    const row = result.stdout.split('\n')[2]!;
    expect(row.match(/\d+\.\d\d%/g)).toHaveLength(5);
    const bad = await run('read', line, '--top', '0', ...modelArgs());
    expect(bad.code).toBe(EXIT_CODE.BAD_OPTION);
    expect(bad.stderr).toMatch(/--top: expected a positive integer, got 0/);
  });

  it('prints the whole reading with --json, and --no-context turns the context off', async () => {
    const withContext = JSON.parse((await run('read', line, '--json', ...modelArgs())).stdout);
    expect(withContext).toMatchObject({ model: modelDir, labelSet: 'alnum36', context: true });
    const [reading] = withContext.results;
    expect(reading).toMatchObject({ file: line, status: 'ok', context: true });
    expect(reading.lines).toHaveLength(1);
    const first = reading.lines[0].characters[0];
    expect(Object.keys(first.box).sort()).toEqual(['height', 'width', 'x', 'y']);
    expect(first.top).toHaveLength(3);
    expect(first.top[0].probability).toBeGreaterThanOrEqual(first.top[1].probability);

    const off = JSON.parse(
      (await run('read', line, '--json', '--no-context', ...modelArgs())).stdout,
    );
    expect(off.context).toBe(false);
    expect(off.results[0].text).toBe(off.results[0].rawText);
    expect(off.results[0].rawText).toBe(reading.rawText);
  });

  it('says blank for a blank image and reports an unreadable file, reading the others', async () => {
    const missing = join(dir, 'missing.png');
    const result = await run('read', blank, missing, line, ...modelArgs());
    // A missing file exits NOT_FOUND (5), as hcr predict does.
    expect(result.code).toBe(EXIT_CODE.NOT_FOUND);
    expect(result.stdout).toContain(`${blank}: blank (no ink found)`);
    expect(result.stdout).toContain(`${line}:`);
    expect(result.stderr).toMatch(/hcr: .*missing\.png: no such file/);
  });

  it('refuses devices and folders before reading a byte, and the first failure sets the exit code', async () => {
    // /dev/zero is endless: read whole, it grew memory without bound.
    const device = await run('read', '/dev/zero', line, ...modelArgs());
    expect(device.code).toBe(EXIT_CODE.BAD_IMAGE);
    expect(device.stderr).toMatch(
      /hcr: \/dev\/zero: expected a regular image file, got a character device/,
    );
    expect(device.stdout).toContain(`${line}:`);
    const folder = await run('read', dir, join(dir, 'missing.png'), ...modelArgs());
    expect(folder.code).toBe(EXIT_CODE.BAD_IMAGE);
    expect(folder.stderr).toMatch(/expected a regular image file, got a directory/);
    const json = JSON.parse(
      (await run('read', join(dir, 'gone.png'), '--json', ...modelArgs())).stdout,
    );
    expect(json.results[0]).toMatchObject({ status: 'error', code: 'NOT_FOUND' });
  });

  it('keeps to --charset and --pattern, and answers --alternatives', async () => {
    const json = async (...args: string[]) =>
      JSON.parse((await run('read', line, '--json', ...args, ...modelArgs())).stdout);
    const plain = await json();
    expect(plain.decoder).toBe('language-model');
    const digits = (await json('--charset', 'digits')).results[0];
    expect(digits.text).toMatch(/^\d{3}$/);
    for (const c of digits.lines[0].characters) {
      if (!/\d/.test(c.raw)) expect(c.changedBy).toBe('charset');
      expect(c.top[0].label).toBe(c.raw);
    }
    expect((await json('--pattern', '9A9')).results[0].text).toMatch(/^\d[A-Z]\d$/);
    const three = (await json('--alternatives', '3')).results[0].lines[0].alternatives;
    expect(three).toHaveLength(3);
    expect(new Set(three.map((a: { text: string }) => a.text)).size).toBe(3);
    expect(three[0].score).toBeGreaterThanOrEqual(three[1].score);
    const text = await run('read', line, '--alternatives', '2', ...modelArgs());
    expect(text.stdout).toMatch(
      /\n {4}1\. [0-9A-Z]{3} {2}\d+\.\d\d% {2}\(score -?\d+\.\d\d\)\n {4}2\. /,
    );
    expect((await json('--no-context')).decoder).toBe('none');
  });

  it('reads --lexicon entries, keeping the reading beside the entry', async () => {
    const lexicon = join(dir, 'lexicon.txt');
    await writeFile(lexicon, 'H4L\nAB\nXYZ9\n');
    const result = JSON.parse(
      (await run('read', line, '--json', '--lexicon', lexicon, ...modelArgs())).stdout,
    ).results[0];
    const match = result.lines[0].lexicon;
    expect(['H4L', 'AB', 'XYZ9']).toContain(result.text);
    expect(match.entry).toBe(result.text);
    expect(match.reading).toMatch(/^[0-9A-Z]{3}$/);
    expect(match.distance).toBeGreaterThanOrEqual(0);
  });

  it('exits 2 naming the position of a bad pattern or lexicon', async () => {
    const pattern = await run('read', line, '--pattern', '[A-Z]{2 9', ...modelArgs());
    expect(pattern.code).toBe(EXIT_CODE.BAD_OPTION);
    expect(pattern.stderr).toMatch(/pattern '\[A-Z\]\{2 9', position 6: expected '\}'/);
    const bad = join(dir, 'bad-lexicon.txt');
    await writeFile(bad, 'OK\nN0 WAY!\n');
    const lexicon = await run('read', line, '--lexicon', bad, ...modelArgs());
    expect(lexicon.code).toBe(EXIT_CODE.BAD_OPTION);
    expect(lexicon.stderr).toMatch(/bad-lexicon\.txt: line 2, column 7: '!' is not a character/);
    const missing = await run('read', line, '--lexicon', join(dir, 'none.txt'), ...modelArgs());
    expect(missing.code).toBe(EXIT_CODE.BAD_OPTION);
    expect(missing.stderr).toMatch(/--lexicon: cannot read the file .*none\.txt/);
    const rules = await run('read', line, '--decoder', 'rules', '--pattern', 'AAA', ...modelArgs());
    expect(rules.code).toBe(EXIT_CODE.BAD_OPTION);
    expect(rules.stderr).toMatch(/need the 'language-model' decoder/);
  });

  it('rejects an unknown --context-scope, listing the valid ones', async () => {
    const result = await run('read', line, '--context-scope', 'words', ...modelArgs());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are lookalikes, all/);
  });
});

describe('readImage and readImageFile', () => {
  it('refuse a huge image with the pixel limit in the message', async () => {
    await expect(readImageFile(loaded, line, { maxPixels: 1000 })).rejects.toThrow(
      /line\.png: 220x90 = 19800 px exceeds the limit of 1000/,
    );
    await expect(readImage(loaded, page, { maxPixels: 1000 })).rejects.toThrow(
      /exceeds the limit of 1000/,
    );
  });

  it('read bytes as well as files, and leave no tensors behind', async () => {
    const fromFile = await readImageFile(loaded, line);
    const fromBytes = await readImageFile(loaded, await readFile(line), { name: 'upload.png' });
    const fromImage = await readImage(loaded, page);
    expect(fromBytes.text).toBe(fromFile.text);
    expect(fromImage.text).toBe(fromFile.text);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await readImage(loaded, page);
    expect(tf.memory().numTensors).toBe(before);
  });
});
