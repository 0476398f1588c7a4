// Packs the replay sample the page's Teach view mixes into an adaptation (docs/DESIGN.md §8): the
// same draw as `hcr tune` makes (core's replaySample, TUNE_DEFAULTS.replayPerClass images per
// class of the data folder's training split, the model's own split seed), written as two
// gzipped IDX files and a manifest (core/replay-file.ts) that the page imports as assets.
//
//   npx tsx scripts/pack-replay.ts [--model models/alnum36] [--data-dir DIR] [--out models/replay-alnum36]

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { getLabelSet } from '../src/core/label-sets.js';
import { REPLAY_FILES, encodeIdx, type ReplayManifest } from '../src/core/replay-file.js';
import { TUNE_DEFAULTS, replaySample } from '../src/core/tune.js';
import { defaultCacheDir, defaultDataDir } from '../src/node/data/paths.js';
import { planData } from '../src/node/data/plan.js';
import { replaceDirectoryAtomic } from '../src/node/fs-atomic.js';
import { readMetadata } from '../src/node/model/artifact.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/alnum36' },
    'data-dir': { type: 'string' },
    'cache-dir': { type: 'string' },
    out: { type: 'string', default: 'models/replay-alnum36' },
    'per-class': { type: 'string', default: String(TUNE_DEFAULTS.replayPerClass) },
    seed: { type: 'string', default: String(TUNE_DEFAULTS.seed) },
  },
});

const metadata = await readMetadata(values.model);
const labelSet = getLabelSet(metadata.labelSet.name);
const h = metadata.training?.hyperparameters ?? {};
const plan = await planData({
  dataDir: values['data-dir'] ?? defaultDataDir(),
  cacheDir: values['cache-dir'] ?? defaultCacheDir(),
  labelSet,
  foldCase: h.foldCase === true,
  seed: metadata.training?.splitSeed ?? 42,
});
const perClass = Number(values['per-class']);
const seed = Number(values.seed);
const replay = replaySample(plan.train, perClass, seed);
const count = replay.labels.length;
if (count === 0) {
  throw new Error(
    `${values['data-dir'] ?? defaultDataDir()}: no training images of ${labelSet.name} (give --data-dir)`,
  );
}
// mtime 0 in the gzip header: the same draw gives the same bytes.
const images = gzipSync(encodeIdx(replay.images, count, 'images'), { level: 9 });
const labels = gzipSync(encodeIdx(replay.labels, count, 'labels'), { level: 9 });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const manifest: ReplayManifest = {
  format: 'hcr-replay',
  formatVersion: 1,
  labelSet: { name: labelSet.name, classes: labelSet.classes },
  count,
  perClass,
  seed,
  sources: plan.provenance.map((p) => p.source),
  sha256: { images: sha(images), labels: sha(labels) },
};
// Replaces an earlier replay directory only once the new one is complete.
await replaceDirectoryAtomic(values.out, async (tmp) => {
  await writeFile(join(tmp, REPLAY_FILES.images), images);
  await writeFile(join(tmp, REPLAY_FILES.labels), labels);
  await writeFile(join(tmp, REPLAY_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
});
process.stdout.write(
  `${values.out}: ${count} images (${perClass} times the ${labelSet.name} classes, each class in its training share) from ${manifest.sources.join(', ')}; ${images.length + labels.length} bytes\n`,
);
