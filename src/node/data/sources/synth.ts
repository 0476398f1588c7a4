// The `synth` source: the synthetic styles of `hcr data synth`. Its metadata CSV says which
// images train and which test; the test images are whole held-out font families.

import { HcrError } from '../../../core/errors.js';
import { LABEL_SETS } from '../../../core/label-sets.js';
import { loadIdxPair } from '../idx.js';
import { readSmallCsv } from '../small-csv.js';
import { SYNTH_FILES, readSynthManifest } from '../synth/files.js';
import { at, cached, defineSource, type SourceLoader } from './common.js';

/**
 * The synthetic styles of `hcr data synth`; its held-out font families are the test set
 * `styles-test` (split by family, never across train and test), and its re-inked UNIPEN
 * trajectories come from UNIPEN's training writers only.
 */
export const SYNTH_SOURCE = defineSource({
  name: 'synth',
  description:
    "synthetic styles made by 'hcr data synth': font families (some held out whole for styles-test) and UNIPEN pen trajectories re-inked",
  files: Object.values(SYNTH_FILES),
  role: 'train+test',
  testName: 'styles-test',
  origin: 'generated',
});

/** Reads the generated IDX pair (cached), its split by family, and its manifest. */
export const loadSynth: SourceLoader = async (context) => {
  const dataset = await cached(
    context,
    [SYNTH_FILES.images, SYNTH_FILES.labels],
    'idx:byclass62:v1',
    () =>
      loadIdxPair(
        at(context, SYNTH_FILES.images),
        at(context, SYNTH_FILES.labels),
        LABEL_SETS.byclass62,
        'synth',
      ),
  );
  const { rows, column } = await readSmallCsv(
    at(context, SYNTH_FILES.metadata),
    SYNTH_FILES.metadata,
    ['index', 'style', 'split'],
  );
  if (rows.length !== dataset.labels.length) {
    throw new HcrError(
      'BAD_DATA',
      `${SYNTH_FILES.metadata}: expected one row per image (${dataset.labels.length}), got ${rows.length} rows`,
    );
  }
  const train: number[] = [];
  const test: number[] = [];
  const families = new Map<string, number>();
  const groups = new Int32Array(rows.length).fill(-1);
  rows.forEach((cells, i) => {
    const split = cells[column.split!];
    if (split === 'train') train.push(i);
    else if (split === 'test') {
      test.push(i);
      const style = cells[column.style!]!;
      if (!families.has(style)) families.set(style, families.size);
      groups[i] = families.get(style)!;
    } else {
      throw new HcrError(
        'BAD_DATA',
        `${SYNTH_FILES.metadata}:${i + 2}: expected split train or test, got '${split}'`,
      );
    }
  });
  return {
    pieces: [
      {
        dataset: { ...dataset, groups, groupNames: [...families.keys()] },
        train: Uint32Array.from(train),
        test: Uint32Array.from(test),
      },
    ],
    droppedDuplicates: 0,
    splitSeed: null,
    files: SYNTH_SOURCE.files,
    synthesis: await readSynthManifest(context.dataDir),
  };
};
