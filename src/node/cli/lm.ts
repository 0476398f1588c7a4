// `hcr lm build`: trains the character language model that reading decodes with, from the
// installed English word list, codes and the UNIPEN training writers' labels, and writes
// language-model.json.

import { LANGUAGE_MODEL_BUILD_DEFAULTS } from '../../core/read/language-model.js';
import { defaultDataDir } from '../data/paths.js';
import {
  DEFAULT_LANGUAGE_MODEL_DIR,
  WORD_LIST_PACKAGE,
  buildLanguageModelFile,
} from '../read/language-model.js';
import { defineCommand, type CliCommand } from './command.js';
import { print } from './common.js';
import { defineOptions } from './options.js';

/** The options of `hcr lm build`. */
export const LM_BUILD_OPTIONS = defineOptions({
  out: {
    flags: '--out <dir>',
    description: 'directory to write',
    default: DEFAULT_LANGUAGE_MODEL_DIR,
  },
  order: {
    flags: '--order <n>',
    description: 'n of the words model',
    parse: 'integer',
    default: LANGUAGE_MODEL_BUILD_DEFAULTS.wordOrder,
  },
  minCount: {
    flags: '--min-count <n>',
    description: 'drop n-grams (beyond bigrams) seen with less weight',
    parse: 'number',
    default: LANGUAGE_MODEL_BUILD_DEFAULTS.minCount,
  },
  dataDir: {
    flags: '--data-dir <dir>',
    description: () =>
      `datasets folder holding unipen-words/ (default: $HCR_DATA_DIR or ${defaultDataDir()}; without it, the line reader's part learns from the word list alone)`,
  },
  json: { flags: '--json', description: 'print machine-readable JSON on stdout' },
});

/** `hcr lm build` in the command registry. */
export const LM_BUILD_COMMAND = defineCommand({
  name: 'build',
  description: `train the language model from the installed English word list (${WORD_LIST_PACKAGE}), codes and the labels of the UNIPEN words' training writers (for the line reader), and write language-model.json`,
  options: LM_BUILD_OPTIONS,
  run: async (options) => {
    const built = await buildLanguageModelFile(options.out, {
      wordOrder: options.order,
      minCount: options.minCount,
      ...(options.dataDir !== undefined ? { unipenDataDir: options.dataDir } : {}),
    });
    if (options.json) {
      print(
        JSON.stringify(
          { path: built.path, bytes: built.bytes, unipenLabels: built.unipenLabels },
          null,
          2,
        ),
      );
    } else {
      print(`✓ ${built.path}  ${(built.bytes / 1024).toFixed(0)} KiB`);
      print(`  ${built.model.file.description}`);
      if (built.model.file.line) print(`  line reader: ${built.model.file.line.description}`);
    }
  },
});

/** `hcr lm` and its subcommand in the command registry. */
export const LM_COMMAND: CliCommand = Object.freeze({
  name: 'lm',
  description: 'the character language model that reading decodes with',
  subcommands: [LM_BUILD_COMMAND],
});
