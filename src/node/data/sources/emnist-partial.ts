// The `emnist-partial` source: pieces of EMNIST Letters and Balanced, for training only, minus
// the images that duplicate EMNIST ByClass test images (listed in an overlap CSV).

import { HcrError } from '../../../core/errors.js';
import { readSmallCsv } from '../small-csv.js';
import { at, defineSource, idxPair, loadEmnistStyle, type SourceLoader } from './common.js';

const EMNIST_PARTIAL_PIECES = Object.freeze([
  { prefix: 'emnist-letters-test-AtoS', mapping: 'emnist-letters-mapping.txt' },
  { prefix: 'emnist-letters-train-85264to88799', mapping: 'emnist-letters-mapping.txt' },
  { prefix: 'emnist-balanced-train-103680to112799', mapping: 'emnist-balanced-mapping.txt' },
  { prefix: 'emnist-balanced-test-18496to18799', mapping: 'emnist-balanced-mapping.txt' },
]);

const EMNIST_PARTIAL_OVERLAP = 'emnist-partial/emnist-partial-overlap-with-byclass-test.csv';

/** EMNIST Letters/Balanced pieces, training only, without the duplicates of EMNIST ByClass test. */
export const EMNIST_PARTIAL_SOURCE = defineSource({
  name: 'emnist-partial',
  description:
    'EMNIST Letters/Balanced pieces, training only, minus the duplicates of EMNIST ByClass test',
  files: [
    ...EMNIST_PARTIAL_PIECES.flatMap((p) => idxPair(`emnist-partial/${p.prefix}`)),
    'emnist-partial/emnist-letters-mapping.txt',
    'emnist-partial/emnist-balanced-mapping.txt',
    EMNIST_PARTIAL_OVERLAP,
  ],
  role: 'train',
  testName: undefined,
  origin: 'converted',
});

/** Reads each piece (re-normalized, cached) and trains on all of it but the overlap. */
export const loadEmnistPartial: SourceLoader = async (context) => {
  const overlap = await readOverlap(at(context, EMNIST_PARTIAL_OVERLAP), EMNIST_PARTIAL_OVERLAP);
  const pieces = [];
  let droppedDuplicates = 0;
  for (const { prefix, mapping } of EMNIST_PARTIAL_PIECES) {
    const dataset = await loadEmnistStyle(
      context,
      'emnist-partial',
      `emnist-partial/${prefix}`,
      `emnist-partial/${mapping}`,
      prefix,
      { transposed: false, renormalize: true },
    );
    const drop = overlap.get(prefix) ?? new Set<number>();
    for (const index of drop) {
      if (index >= dataset.labels.length) {
        throw new HcrError(
          'BAD_DATA',
          `${EMNIST_PARTIAL_OVERLAP}: index ${index} of ${prefix} is out of range (${dataset.labels.length} images)`,
        );
      }
    }
    const train = new Uint32Array(dataset.labels.length - drop.size);
    let kept = 0;
    for (let i = 0; i < dataset.labels.length; i++) if (!drop.has(i)) train[kept++] = i;
    droppedDuplicates += drop.size;
    pieces.push({ dataset, train });
  }
  return {
    pieces,
    droppedDuplicates,
    splitSeed: null,
    files: EMNIST_PARTIAL_SOURCE.files,
  };
};

/** The images of each emnist-partial piece that duplicate EMNIST ByClass test images. */
async function readOverlap(path: string, name: string): Promise<Map<string, Set<number>>> {
  const { rows, column } = await readSmallCsv(path, name, ['file_prefix', 'index']);
  const overlap = new Map<string, Set<number>>();
  rows.forEach((cells, i) => {
    const prefix = cells[column.file_prefix!]!;
    const index = Number(cells[column.index!]);
    if (!Number.isInteger(index) || index < 0) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:${i + 2}: expected an image index, got '${cells[column.index!]}'`,
      );
    }
    if (!EMNIST_PARTIAL_PIECES.some((piece) => piece.prefix === prefix)) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:${i + 2}: expected a file prefix of ${EMNIST_PARTIAL_PIECES.map((p) => p.prefix).join(', ')}, got '${prefix}'`,
      );
    }
    let set = overlap.get(prefix);
    if (!set) overlap.set(prefix, (set = new Set()));
    set.add(index);
  });
  return overlap;
}
