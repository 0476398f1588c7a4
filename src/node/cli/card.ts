// `hcr card [MODEL_DIR]`: writes the model card (MODEL_CARD.md) from the model directory's own
// files and says where it is.

import { writeModelCard } from '../eval/model-card.js';
import { defineCommand } from './command.js';
import { DEFAULT_MODEL_DIR, print } from './common.js';
import { defineOptions } from './options.js';

/** Options of `hcr card` after commander parsed them. */
export interface CardCliOptions {
  /** The machine the model was trained on (--machine). Default: "not recorded" on the card. */
  readonly machine?: string;
  /** Where to write the card (--out). Default: MODEL_CARD.md in the model directory. */
  readonly out?: string;
}

/** Where the command's text goes: the path written on `print` (stdout). */
export interface CardIo {
  readonly print: (text: string) => void;
}

/**
 * `hcr card MODEL_DIR`: writes the card and prints its path; returns the path.
 *
 * @throws HcrError NOT_FOUND when the directory or its evaluation.json is missing
 * @example
 * await cardCommand('models/alnum36', { machine: '2-core VM' }, { print }); // 'models/alnum36/MODEL_CARD.md'
 */
export async function cardCommand(
  modelDir: string,
  options: CardCliOptions,
  io: CardIo,
): Promise<string> {
  const path = await writeModelCard(modelDir, {
    ...(options.machine !== undefined ? { machine: options.machine } : {}),
    ...(options.out !== undefined ? { out: options.out } : {}),
  });
  io.print(`model card: ${path}`);
  return path;
}

/** The options of `hcr card`. */
export const CARD_OPTIONS = defineOptions({
  machine: {
    flags: '--machine <text>',
    description: 'the machine it was trained on, e.g. "2-core VM, 4 GB"',
  },
  out: {
    flags: '--out <file>',
    description: 'where to write the card (default: <model-dir>/MODEL_CARD.md)',
  },
});

/** `hcr card` in the command registry. */
export const CARD_COMMAND = defineCommand({
  name: 'card',
  description:
    "write MODEL_CARD.md from the model's own files (hcr.json, evaluation.json, history.json)",
  arguments: [{ name: '[model-dir]', description: 'model directory (default: the shipped model)' }],
  options: CARD_OPTIONS,
  run: async (options, [modelDir]: [string | undefined]) => {
    await cardCommand(modelDir ?? DEFAULT_MODEL_DIR, options, { print });
  },
});
