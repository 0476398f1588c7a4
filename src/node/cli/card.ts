// `hcr card [MODEL_DIR]`: writes the model card (MODEL_CARD.md) from the model directory's own
// files and says where it is. main.ts declares the options and calls this.

import { writeModelCard } from '../eval/model-card.js';

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
