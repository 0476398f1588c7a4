// The data folder's integrity checks behind `hcr data list [--verify]`: a tiny generated source
// (no published checksum) checked quickly and whole, then truncated, cut short, emptied and
// given a broken manifest; published checksums against the fixture files; and the CLI's output
// and exit code.

import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIdx } from '../../src/node/data/idx.js';
import { SYNTH_FILES, SYNTH_VERSION } from '../../src/node/data/synth/files.js';
import { KNOWN_FILES } from '../../src/node/data/checksums.js';
import {
  CHECK_DEFAULTS,
  checkDataDir,
  type DataDirCheck,
  type FileCheck,
} from '../../src/node/data/verify.js';
import { EXIT_CODE } from '../../src/node/errors.js';
import { runCli } from '../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'sources');
const COUNT = 20;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hcr-verify-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A data folder holding only a small, sound synth source. */
async function synthDir(name: string, count = COUNT): Promise<string> {
  const dataDir = join(work, name);
  const images = new Uint8Array(count * 784);
  // Varied pixels, so that gzip cannot shrink the file to a few bytes.
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  await writeIdx(join(dataDir, SYNTH_FILES.images), [count, 28, 28], images);
  await writeIdx(
    join(dataDir, SYNTH_FILES.labels),
    [count],
    Uint8Array.from({ length: count }, (_, i) => i % 10),
  );
  await writeFile(join(dataDir, SYNTH_FILES.metadata), gzipSync('index,kind\n0,font\n'));
  await writeFile(
    join(dataDir, SYNTH_FILES.manifest),
    JSON.stringify({ format: 'hcr-synth', version: SYNTH_VERSION }),
  );
  return dataDir;
}

function fileOf(result: DataDirCheck, path: string): FileCheck {
  const file = result.sources.flatMap((s) => s.files).find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the result`);
  return file;
}

const sourceOf = (result: DataDirCheck, name: string) =>
  result.sources.find((s) => s.name === name)!;

describe('checkDataDir', () => {
  it('passes a sound generated source, quickly and in full, and lists absent sources as absent', async () => {
    expect(CHECK_DEFAULTS.full).toBe(false);
    const dataDir = await synthDir('sound');
    const quick = await checkDataDir(dataDir);
    expect(quick.full).toBe(false);
    expect(quick.ok).toBe(true);
    expect(sourceOf(quick, 'synth').status).toBe('ok');
    expect(sourceOf(quick, 'mnist').status).toBe('absent');
    expect(fileOf(quick, SYNTH_FILES.images).passed).toEqual(['IDX header against gzip trailer']);

    const progress: number[] = [];
    const full = await checkDataDir(dataDir, {
      full: true,
      onProgress: (p) => progress.push(p.bytes),
    });
    expect(full.ok).toBe(true);
    const images = fileOf(full, SYNTH_FILES.images);
    expect(images.passed).toEqual(['gzip stream complete', 'IDX header against payload']);
    expect(images.idx).toEqual({ magic: 2051, dims: [COUNT, 28, 28] });
    expect(images.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fileOf(full, SYNTH_FILES.manifest).passed).toContain('synth manifest');
    expect(progress.length).toBeGreaterThan(0);
  });

  it('calls a truncated gzip file bad, quick and full, saying what was expected and found', async () => {
    const dataDir = await synthDir('truncated');
    const path = join(dataDir, SYNTH_FILES.images);
    const size = (await readFile(path)).length;
    await truncate(path, size - 100);

    const quick = await checkDataDir(dataDir);
    expect(quick.ok).toBe(false);
    expect(sourceOf(quick, 'synth').status).toBe('bad');
    const q = fileOf(quick, SYNTH_FILES.images);
    expect(q.status).toBe('bad');
    expect(q.problems[0]).toMatch(
      /^IDX header says 20 images of 28x28 = 15696 bytes, the gzip trailer says \d+: truncated/,
    );

    const full = await checkDataDir(dataDir, { full: true });
    const f = fileOf(full, SYNTH_FILES.images);
    expect(f.status).toBe('bad');
    expect(f.problems).toHaveLength(1);
    expect(f.problems[0]).toMatch(
      /^gzip stream is truncated or corrupt: unexpected end of file after \d+ decompressed bytes$/,
    );
    // The SHA-256 covers the whole file even when its gzip stream fails.
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fileOf(full, SYNTH_FILES.labels).status).toBe('ok');
  });

  it('compares an IDX header with the payload: cut short, uncompressed, and gzip with a lying header', async () => {
    const dataDir = await synthDir('short');
    // An uncompressed label file one byte short (loaders detect gzip by content, so it is legal).
    const labels = join(dataDir, SYNTH_FILES.labels);
    await writeIdx(labels, [COUNT], new Uint8Array(COUNT), { gzip: false });
    await truncate(labels, 8 + COUNT - 1);
    const quick = await checkDataDir(dataDir);
    expect(fileOf(quick, SYNTH_FILES.labels).problems).toEqual([
      'IDX header says 20 labels = 28 bytes, found 27',
    ]);
    const full = await checkDataDir(dataDir, { full: true });
    expect(fileOf(full, SYNTH_FILES.labels).problems).toEqual([
      'IDX header says 20 labels = 28 bytes, found 27',
    ]);

    // A complete gzip stream whose header claims more images than it holds.
    const header = Buffer.alloc(16);
    header.writeUInt32BE(2051, 0);
    header.writeUInt32BE(COUNT + 1, 4);
    header.writeUInt32BE(28, 8);
    header.writeUInt32BE(28, 12);
    await writeFile(
      join(dataDir, SYNTH_FILES.images),
      gzipSync(Buffer.concat([header, Buffer.alloc(COUNT * 784)])),
    );
    const lying = await checkDataDir(dataDir, { full: true });
    expect(fileOf(lying, SYNTH_FILES.images).problems).toEqual([
      'IDX header says 21 images of 28x28 = 16480 bytes, found 15696 decompressed',
    ]);
  });

  it('calls an empty file, a wrong magic and a broken manifest bad', async () => {
    const dataDir = await synthDir('broken');
    await writeFile(join(dataDir, SYNTH_FILES.metadata), '');
    await writeIdx(join(dataDir, SYNTH_FILES.labels), [COUNT, 1], new Uint8Array(COUNT));
    await writeFile(join(dataDir, SYNTH_FILES.manifest), '{"format": "hcr-synth"');
    const quick = await checkDataDir(dataDir);
    expect(fileOf(quick, SYNTH_FILES.metadata).problems).toEqual([
      'empty file: expected data, found 0 bytes',
    ]);
    expect(fileOf(quick, SYNTH_FILES.labels).problems).toEqual([
      'expected IDX magic 2049, found 2050',
    ]);
    // The quick check does not parse the manifest; the full one does.
    expect(fileOf(quick, SYNTH_FILES.manifest).status).toBe('ok');
    const full = await checkDataDir(dataDir, { full: true });
    expect(fileOf(full, SYNTH_FILES.manifest).problems).toEqual([
      "synth/synth-manifest.json: expected JSON written by 'hcr data synth'",
    ]);
  });

  it('checks that an images file and its labels file count the same images', async () => {
    const dataDir = await synthDir('pair');
    await writeIdx(join(dataDir, SYNTH_FILES.labels), [COUNT - 1], new Uint8Array(COUNT - 1));
    const result = await checkDataDir(dataDir);
    expect(sourceOf(result, 'synth').status).toBe('bad');
    expect(sourceOf(result, 'synth').problems).toEqual([
      `${SYNTH_FILES.images} holds 20 images but ${SYNTH_FILES.labels} holds 19 labels`,
    ]);
  });

  it('calls a partly present source incomplete, naming the missing files', async () => {
    const dataDir = await synthDir('incomplete');
    await rm(join(dataDir, SYNTH_FILES.metadata));
    const result = await checkDataDir(dataDir);
    const synth = sourceOf(result, 'synth');
    expect(synth.present).toBe(false);
    expect(synth.status).toBe('bad');
    expect(synth.problems).toEqual([
      `incomplete: 1 of 4 required files missing (${SYNTH_FILES.metadata})`,
    ]);
  });

  it('checks published and recorded SHA-256s: matching mapping files pass, other files do not', async () => {
    expect(KNOWN_FILES['mnist/t10k-labels-idx1-ubyte.gz']).toEqual({
      sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      bytes: 4542,
      origin: 'official',
    });
    expect(KNOWN_FILES['unipen/unipen-byclass-mapping.txt']?.origin).toBe('conversion');
    expect(KNOWN_FILES['kaggle/A_Z Handwritten Data.csv']?.origin).toBe('unverified');

    const result = await checkDataDir(FIXTURES, { full: true });
    // The fixtures' mapping files are the real ones; their images are small stand-ins.
    expect(fileOf(result, 'emnist/emnist-byclass-mapping.txt').passed).toEqual([
      'size',
      'SHA-256 (published)',
    ]);
    expect(fileOf(result, 'unipen/unipen-byclass-mapping.txt').passed).toContain(
      'SHA-256 (as recorded at conversion)',
    );
    const labels = fileOf(result, 'mnist/t10k-labels-idx1-ubyte.gz');
    expect(labels.status).toBe('bad');
    expect(labels.problems).toEqual([
      expect.stringMatching(/^expected 4542 bytes \(published\), found \d+$/),
      expect.stringMatching(
        /^expected SHA-256 f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6 \(published\), found [0-9a-f]{64}$/,
      ),
    ]);
    expect(labels.passed).toEqual(['gzip stream complete', 'IDX header against payload']);
  });

  it('only warns when a file differs from an unverified third-party checksum', async () => {
    const dataDir = join(work, 'kaggle');
    await mkdir(join(dataDir, 'kaggle'), { recursive: true });
    await writeFile(join(dataDir, 'kaggle/A_Z Handwritten Data.csv'), '0,0\n');
    const result = await checkDataDir(dataDir, { full: true });
    const csv = fileOf(result, 'kaggle/A_Z Handwritten Data.csv');
    expect(csv.status).toBe('ok');
    expect(csv.warnings).toEqual([
      'expected 698907044 bytes (third-party value, unverified), found 4',
      expect.stringMatching(/^expected SHA-256 75dc6.* \(third-party value, unverified\), found/),
    ]);
  });
});

describe('hcr data list', () => {
  it('shows a truncated file as bad, with --verify and without, and exits BAD_DATA', async () => {
    const dataDir = await synthDir('cli');
    const sound = await runCli('data', 'list', '--verify', '--data-dir', dataDir);
    expect(sound.code).toBe(0);
    expect(sound.stdout).toMatch(
      /✓ synth\n\s+✓ synth\/synth-images-idx3-ubyte\.gz {2}\d+ bytes {2}gzip/,
    );
    expect(sound.stdout).toMatch(/· mnist\n/);

    const path = join(dataDir, SYNTH_FILES.images);
    await truncate(path, (await readFile(path)).length - 50);
    const quick = await runCli('data', 'list', '--data-dir', dataDir);
    expect(quick.code).toBe(EXIT_CODE.BAD_DATA);
    expect(quick.stdout).toMatch(
      /✗ synth\n\s+✗ synth\/synth-images-idx3-ubyte\.gz: IDX header says 20 images of 28x28 = 15696 bytes, the gzip trailer says/,
    );
    expect(quick.stdout).toMatch(/hcr data list --verify checks every byte/);

    const full = await runCli('data', 'list', '--verify', '--data-dir', dataDir);
    expect(full.code).toBe(EXIT_CODE.BAD_DATA);
    expect(full.stdout).toMatch(
      /✗ synth\/synth-images-idx3-ubyte\.gz: gzip stream is truncated or corrupt: unexpected end of file/,
    );

    const json = await runCli('data', 'list', '--verify', '--json', '--data-dir', dataDir);
    expect(json.code).toBe(EXIT_CODE.BAD_DATA);
    const parsed = JSON.parse(json.stdout) as DataDirCheck;
    expect(parsed).toMatchObject({ dataDir, full: true, ok: false });
    expect(fileOf(parsed, SYNTH_FILES.images).status).toBe('bad');
  });

  it('lists the fixture sources, whose stand-in files differ from the published ones', async () => {
    const result = await runCli('data', 'list', '--data-dir', FIXTURES);
    expect(result.code).toBe(EXIT_CODE.BAD_DATA);
    expect(result.stdout).toMatch(
      /✗ mnist\n\s+✗ mnist\/train-images-idx3-ubyte\.gz: expected 9912422 bytes \(published\), found \d+/,
    );
  });
});
