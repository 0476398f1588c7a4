// Downloads against a local HTTP server: checksums, resume with Range, servers that ignore
// Range, mirror fallback, zip extraction with per-member checks, Kaggle instructions.

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KAGGLE_DATASETS,
  PUBLIC_DATASETS,
  downloadDataset,
  kaggleInstructions,
} from '../../src/node/data/download.js';
import { downloadFiles } from '../../src/node/data/download-files.js';
import type { DownloadEntry, DownloadProgress } from '../../src/node/data/download-files.js';
import { HcrError } from '../../src/core/errors.js';

type Mode = 'normal' | 'ignore-range' | 'drop-first' | 'missing';

interface TestServer {
  readonly url: string;
  readonly requests: { path: string; range: string | undefined }[];
  mode: Mode;
  close(): Promise<void>;
}

async function startServer(
  files: Record<string, Buffer>,
  mode: Mode = 'normal',
): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const state = { mode };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const range = req.headers.range;
    requests.push({ path, range });
    const body = files[path.replace(/^.*\//, '')];
    if (!body || state.mode === 'missing') {
      res.writeHead(404).end();
      return;
    }
    if (state.mode === 'drop-first' && requests.length === 1) {
      res.writeHead(200, { 'Content-Length': body.length });
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.socket?.destroy(), 30);
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    if (match && state.mode !== 'ignore-range') {
      const start = Number(match[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'Content-Length': body.length - start,
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/files/`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(value: Mode) {
      state.mode = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Deterministic pseudo-random bytes (incompressible enough to arrive in several chunks). */
function bytesOf(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const PAYLOAD = bytesOf(300_000, 7);

function fileEntry(server: TestServer, hash = sha256(PAYLOAD), bytes?: number): DownloadEntry {
  return {
    kind: 'file',
    path: 'set/payload.bin',
    urls: [`${server.url}payload.bin`],
    sha256: hash,
    ...(bytes === undefined ? {} : { bytes }),
  };
}

let dataDir: string;
let server: TestServer | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hcr-download-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

const target = (): string => join(dataDir, 'set/payload.bin');
const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('downloadFiles', () => {
  it('downloads a file, checks its SHA-256 and reports progress', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    const progress: DownloadProgress[] = [];
    const result = await downloadFiles([fileEntry(server)], {
      dataDir,
      onProgress: (p) => progress.push(p),
      retryDelayMs: 0,
    });
    expect(result.files).toEqual([{ path: target(), sha256: sha256(PAYLOAD), downloaded: true }]);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
    expect(await exists(`${target()}.part`)).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.range).toBeUndefined();
    expect(progress.at(-1)).toEqual({
      phase: 'download',
      file: 'set/payload.bin',
      bytes: PAYLOAD.length,
      totalBytes: PAYLOAD.length,
    });
  });

  it('keeps the partial file when the connection drops and resumes it with Range next time', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD }, 'drop-first');
    const options = { dataDir, retries: 0, retryDelayMs: 0 };
    await expect(downloadFiles([fileEntry(server)], options)).rejects.toThrow(
      /set\/payload\.bin: download failed .*partial download .*payload\.bin\.part is kept/,
    );
    expect(await exists(target())).toBe(false);
    const partSize = (await stat(`${target()}.part`)).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(PAYLOAD.length);

    const result = await downloadFiles([fileEntry(server)], options);
    expect(result.files[0]!.downloaded).toBe(true);
    expect(server.requests.map((r) => r.range)).toEqual([undefined, `bytes=${partSize}-`]);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
    expect(await exists(`${target()}.part`)).toBe(false);
  });

  it('resumes within the same call when retries are allowed', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD }, 'drop-first');
    await downloadFiles([fileEntry(server)], { dataDir, retries: 1, retryDelayMs: 0 });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
  });

  it('stops on abort, keeping the partial file for the next run', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    const controller = new AbortController();
    const error = await downloadFiles([fileEntry(server)], {
      dataDir,
      signal: controller.signal,
      onProgress: () => controller.abort(),
      retryDelayMs: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);
    expect(await exists(target())).toBe(false);
    expect((await stat(`${target()}.part`)).size).toBeGreaterThan(0);
    await downloadFiles([fileEntry(server)], { dataDir, retryDelayMs: 0 });
    expect(server.requests[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
  });

  it('starts over when the server ignores Range and sends the whole file', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD }, 'ignore-range');
    await mkdir(join(dataDir, 'set'), { recursive: true });
    // A wrong prefix: appending the full body to it would give a wrong file.
    await writeFile(`${target()}.part`, Buffer.from('not the payload'));
    await downloadFiles([fileEntry(server)], { dataDir, retryDelayMs: 0 });
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=15-']);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
  });

  it('takes a complete partial file as done when the server answers 416', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    await mkdir(join(dataDir, 'set'), { recursive: true });
    await writeFile(`${target()}.part`, PAYLOAD);
    await downloadFiles([fileEntry(server)], { dataDir, retryDelayMs: 0 });
    expect(server.requests.map((r) => r.range)).toEqual([`bytes=${PAYLOAD.length}-`]);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
  });

  it('restarts after 416 when the partial file is longer than the remote file', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    await mkdir(join(dataDir, 'set'), { recursive: true });
    await writeFile(`${target()}.part`, Buffer.concat([PAYLOAD, Buffer.from('extra')]));
    await downloadFiles([fileEntry(server)], { dataDir, retryDelayMs: 0 });
    expect(server.requests.map((r) => r.range)).toEqual([
      `bytes=${PAYLOAD.length + 5}-`,
      undefined,
    ]);
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
  });

  it('deletes the download and names file, expected and actual hash on a checksum mismatch', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    const wrong = 'ab'.repeat(32);
    const error = await downloadFiles([fileEntry(server, wrong)], {
      dataDir,
      retryDelayMs: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HcrError);
    expect((error as HcrError).code).toBe('DOWNLOAD');
    expect((error as HcrError).message).toMatch(
      new RegExp(`set/payload\\.bin: SHA-256 mismatch: expected ${wrong}, got ${sha256(PAYLOAD)}`),
    );
    expect(await readdir(join(dataDir, 'set'))).toEqual([]);
  });

  it('makes no request for a file already present with the right checksum', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    await mkdir(join(dataDir, 'set'), { recursive: true });
    await writeFile(target(), PAYLOAD);
    const result = await downloadFiles([fileEntry(server)], { dataDir, retryDelayMs: 0 });
    expect(result.files[0]).toEqual({ path: target(), sha256: sha256(PAYLOAD), downloaded: false });
    expect(server.requests).toHaveLength(0);
  });

  it('replaces a present file whose checksum is wrong', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    await mkdir(join(dataDir, 'set'), { recursive: true });
    await writeFile(target(), Buffer.from('corrupt'));
    await downloadFiles([fileEntry(server)], { dataDir, retryDelayMs: 0 });
    expect((await readFile(target())).equals(PAYLOAD)).toBe(true);
  });

  it('falls back to the next mirror and reports every failure when all fail', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    const entry: DownloadEntry = {
      ...(fileEntry(server) as Extract<DownloadEntry, { kind: 'file' }>),
      urls: [`${server.url}nowhere.bin`, `${server.url}payload.bin`],
    };
    await downloadFiles([entry], { dataDir, retryDelayMs: 0 });
    expect(server.requests.map((r) => r.path)).toEqual([
      '/files/nowhere.bin',
      '/files/payload.bin',
    ]);

    await rm(target());
    server.mode = 'missing';
    await expect(downloadFiles([entry], { dataDir, retries: 1, retryDelayMs: 0 })).rejects.toThrow(
      /set\/payload\.bin: download failed after 2 round\(s\): .*nowhere\.bin: HTTP 404.*payload\.bin: HTTP 404/,
    );
  });

  it('uses baseUrl instead of the mirrors', async () => {
    server = await startServer({ 'payload.bin': PAYLOAD });
    const entry: DownloadEntry = {
      ...(fileEntry(server) as Extract<DownloadEntry, { kind: 'file' }>),
      urls: ['https://unreachable.invalid/mnist/payload.bin'],
    };
    await downloadFiles([entry], { dataDir, baseUrl: server.url.slice(0, -1), retryDelayMs: 0 });
    expect(server.requests.map((r) => r.path)).toEqual(['/files/payload.bin']);
  });
});

interface ZipInput {
  readonly name: string;
  readonly data: Buffer;
  readonly method: 0 | 8;
  readonly badCrc?: boolean;
}

/** A minimal zip writer (no ZIP64, no data descriptors), enough to test the reader. */
function makeZip(members: readonly ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const body = member.method === 8 ? zlib.deflateRawSync(member.data) : member.data;
    const crc = (zlib.crc32(member.data) ^ (member.badCrc ? 1 : 0)) >>> 0;
    const name = Buffer.from(member.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(member.method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(member.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(member.method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(member.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('downloadFiles with a zip archive', () => {
  const images = zlib.gzipSync(bytesOf(50_000, 3));
  const mapping = Buffer.from('0 48\n1 49\n');
  const zip = makeZip([
    { name: 'gzip/', data: Buffer.alloc(0), method: 0 },
    { name: 'gzip/set-images.gz', data: images, method: 8 },
    { name: 'gzip/set-mapping.txt', data: mapping, method: 0 },
    { name: 'gzip/unused.gz', data: bytesOf(1000, 5), method: 8 },
  ]);

  function archive(server: TestServer, mappingHash = sha256(mapping)): DownloadEntry {
    return {
      kind: 'zip',
      path: 'set/archive.zip',
      urls: [`${server.url}archive.zip`],
      members: [
        { name: 'set-images.gz', path: 'set/set-images.gz', sha256: sha256(images) },
        { name: 'set-mapping.txt', path: 'set/set-mapping.txt', sha256: mappingHash },
      ],
    };
  }

  it('extracts the listed members, checks each, and deletes the archive', async () => {
    server = await startServer({ 'archive.zip': zip });
    const phases = new Set<string>();
    const result = await downloadFiles([archive(server)], {
      dataDir,
      retryDelayMs: 0,
      onProgress: (p) => phases.add(`${p.phase}:${p.file}`),
    });
    expect(result.files.map((f) => [f.path, f.sha256, f.downloaded])).toEqual([
      [join(dataDir, 'set/set-images.gz'), sha256(images), true],
      [join(dataDir, 'set/set-mapping.txt'), sha256(mapping), true],
    ]);
    expect((await readFile(join(dataDir, 'set/set-images.gz'))).equals(images)).toBe(true);
    expect(await readFile(join(dataDir, 'set/set-mapping.txt'), 'utf8')).toBe('0 48\n1 49\n');
    expect((await readdir(join(dataDir, 'set'))).sort()).toEqual([
      'set-images.gz',
      'set-mapping.txt',
    ]);
    expect([...phases]).toEqual(
      expect.arrayContaining(['download:set/archive.zip', 'extract:set/set-images.gz']),
    );

    // Every member present: nothing is fetched again.
    const again = await downloadFiles([archive(server)], { dataDir, retryDelayMs: 0 });
    expect(again.files.every((f) => !f.downloaded)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the archive when asked to', async () => {
    server = await startServer({ 'archive.zip': zip });
    await downloadFiles([archive(server)], { dataDir, retryDelayMs: 0, keepArchive: true });
    expect((await readFile(join(dataDir, 'set/archive.zip'))).equals(zip)).toBe(true);
  });

  it('rejects a member with the wrong SHA-256 and leaves neither it nor the archive', async () => {
    server = await startServer({ 'archive.zip': zip });
    const wrong = 'cd'.repeat(32);
    await expect(
      downloadFiles([archive(server, wrong)], { dataDir, retryDelayMs: 0 }),
    ).rejects.toThrow(
      new RegExp(
        `set/set-mapping\\.txt \\(from set/archive\\.zip:gzip/set-mapping\\.txt\\): SHA-256 mismatch: expected ${wrong}, got ${sha256(mapping)}`,
      ),
    );
    // The member checked before the bad one is complete and stays; nothing else is left.
    expect(await readdir(join(dataDir, 'set'))).toEqual(['set-images.gz']);
  });

  it('detects a CRC-32 mismatch', async () => {
    const bad = makeZip([{ name: 'set-mapping.txt', data: mapping, method: 8, badCrc: true }]);
    server = await startServer({ 'archive.zip': bad });
    const entry: DownloadEntry = {
      kind: 'zip',
      path: 'set/archive.zip',
      urls: [`${server.url}archive.zip`],
      members: [{ name: 'set-mapping.txt', path: 'set/set-mapping.txt', sha256: sha256(mapping) }],
    };
    await expect(downloadFiles([entry], { dataDir, retryDelayMs: 0 })).rejects.toThrow(
      /set\/set-mapping\.txt \(from set\/archive\.zip:set-mapping\.txt\): CRC-32 mismatch/,
    );
    expect(await readdir(join(dataDir, 'set'))).toEqual([]);
  });

  it('names the members it found when one is missing, and rejects a file that is not a zip', async () => {
    server = await startServer({ 'archive.zip': zip, 'junk.zip': bytesOf(5000, 9) });
    const entry: DownloadEntry = {
      kind: 'zip',
      path: 'set/archive.zip',
      urls: [`${server.url}archive.zip`],
      members: [{ name: 'absent.gz', path: 'set/absent.gz', sha256: 'ee'.repeat(32) }],
    };
    await expect(downloadFiles([entry], { dataDir, retryDelayMs: 0 })).rejects.toThrow(
      /set\/archive\.zip: expected a member named absent\.gz, found gzip\/, gzip\/set-images\.gz/,
    );
    const junk: DownloadEntry = { ...entry, path: 'set/junk.zip', urls: [`${server.url}junk.zip`] };
    await expect(downloadFiles([junk], { dataDir, retryDelayMs: 0 })).rejects.toThrow(
      /set\/junk\.zip: not a complete zip archive: no end-of-central-directory record/,
    );
    expect(await readdir(join(dataDir, 'set'))).toEqual([]);
  });
});

describe('registries', () => {
  it('lists MNIST and EMNIST with official SHA-256 values, frozen', () => {
    expect(Object.keys(PUBLIC_DATASETS)).toEqual(['mnist', 'emnist']);
    expect(Object.isFrozen(PUBLIC_DATASETS.mnist.entries)).toBe(true);
    const mnist = PUBLIC_DATASETS.mnist.entries;
    expect(mnist.map((e) => e.path)).toEqual([
      'mnist/train-images-idx3-ubyte.gz',
      'mnist/train-labels-idx1-ubyte.gz',
      'mnist/t10k-images-idx3-ubyte.gz',
      'mnist/t10k-labels-idx1-ubyte.gz',
    ]);
    expect(mnist[0]!.urls[0]).toBe(
      'https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz',
    );
    const zip = PUBLIC_DATASETS.emnist.entries[0]!;
    expect(zip.kind).toBe('zip');
    if (zip.kind !== 'zip') return;
    expect(zip.urls).toEqual(['https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip']);
    expect(zip.members.map((m) => m.path)).toContain(
      'emnist/emnist-byclass-train-images-idx3-ubyte.gz',
    );
    for (const member of zip.members) expect(member.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('downloads a registry dataset from baseUrl and checks it against the official hash', async () => {
    server = await startServer({ 'train-images-idx3-ubyte.gz': PAYLOAD });
    await expect(
      downloadDataset('mnist', { dataDir, baseUrl: server.url, retries: 0, retryDelayMs: 0 }),
    ).rejects.toThrow(
      /mnist\/train-images-idx3-ubyte\.gz: SHA-256 mismatch: expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609, got /,
    );
    expect(server.requests.map((r) => r.path)).toEqual(['/files/train-images-idx3-ubyte.gz']);
  });

  it('rejects an unknown dataset name, listing the valid ones', async () => {
    await expect(downloadDataset('mnits', { dataDir })).rejects.toThrow(
      /unknown downloadable dataset 'mnits': expected one of mnist, emnist/,
    );
  });

  it('tells where to put the Kaggle files', () => {
    const text = kaggleInstructions('az-csv', '/data');
    expect(text).toContain(KAGGLE_DATASETS['az-csv'].url);
    expect(text).toContain('/data/kaggle/A_Z Handwritten Data.csv (698907044 bytes');
    expect(text).toMatch(
      /SHA-256 75dc66675c0ec478b46d74769c6e5866d0568025fe20f5fffc46b3769b5b43dc, unverified/,
    );
    expect(kaggleInstructions('mnist-csv', '/data')).toMatch(
      /\/data\/kaggle\/mnist_train\.csv\n.*\/data\/kaggle\/mnist_test\.csv/,
    );
    expect(() => kaggleInstructions('emnist', '/data')).toThrow(
      /unknown Kaggle dataset 'emnist': expected one of az-csv, mnist-csv/,
    );
  });
});
