// `hcr predict FILES...`: the top classes of the character in each image file, one line per
// file (or --json); a file that cannot be read is reported and decides the exit code.

import { pct } from '../../core/format.js';
import { HcrError } from '../../core/errors.js';
import type { BACKENDS } from '../engine/index.js';
import { initEngine } from '../engine/index.js';
import { EXIT_CODE } from '../errors.js';
import { loadModel } from '../model/artifact.js';
import { PREDICT_DEFAULTS, predictFiles } from '../predict/predict.js';
import { defineCommand } from './command.js';
import { RUN_OPTIONS, note, print, resolveModelDir, workersOf, type RunState } from './common.js';
import { defineOptions, type OptionValues } from './options.js';

/** The options of `hcr predict`. */
export const PREDICT_OPTIONS = defineOptions({
  model: { flags: '--model <dir>', description: 'model directory (default: the shipped model)' },
  top: {
    flags: '--top <k>',
    description: 'how many classes to show per image',
    parse: 'integer',
    default: PREDICT_DEFAULTS.top,
  },
  ...RUN_OPTIONS,
});

/** Options of `hcr predict` after commander parsed them. */
export type PredictCliOptions = OptionValues<typeof PREDICT_OPTIONS>;

/** `hcr predict`: prints each file's top classes; sets `state.exitCode` on the first failure. */
export async function predictCommand(
  files: readonly string[],
  options: PredictCliOptions,
  state: RunState,
): Promise<void> {
  if (options.top < 1)
    throw new HcrError('BAD_OPTION', `--top: expected a positive integer, got ${options.top}`);
  await initEngine({ backend: options.backend as keyof typeof BACKENDS });
  const loaded = await loadModel(resolveModelDir(options.model));
  try {
    const results = await predictFiles(loaded, files, {
      top: options.top,
      ...workersOf(options),
    });
    if (options.json)
      print(
        JSON.stringify({ model: loaded.dir, labelSet: loaded.labelSet.name, results }, null, 2),
      );
    for (const r of results) {
      if (options.json) break;
      if (r.status === 'ok') {
        // A model with both cases also says what the glyph alone can know: c or C, as one.
        const merged =
          r.caseMerged && r.caseMerged.classes.length > 1
            ? `  (case-merged: ${r.caseMerged.classes.join('/')} ${pct(r.caseMerged.probability)})`
            : '';
        print(
          `${r.file}: ${r.predictions.map((p) => `${p.label} ${pct(p.probability)}`).join('  ')}${merged}`,
        );
      } else if (r.status === 'empty') {
        print(`${r.file}: empty (no ink found)`);
      } else {
        note(`hcr: ${r.error}`);
      }
    }
    // The first failure decides the exit code: 5 for a missing file, 3 for a bad image.
    const failed = results.find((r) => r.status === 'error');
    if (failed) state.exitCode = EXIT_CODE[failed.code];
  } finally {
    loaded.dispose();
  }
}

/** `hcr predict` in the command registry. */
export const PREDICT_COMMAND = defineCommand({
  name: 'predict',
  description: 'read the character in each image file (PNG, JPEG, WebP, GIF, TIFF, SVG)',
  arguments: [{ name: '<files...>', description: 'image files' }],
  options: PREDICT_OPTIONS,
  run: (options, [files]: [string[]], state) => predictCommand(files, options, state),
});
