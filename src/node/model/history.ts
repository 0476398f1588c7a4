// history.json of a model directory: one record per finished epoch, written by the trainer
// and read by the report, the card and `hcr train --report`.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HISTORY_FILE } from './files.js';

/** One epoch's figures, as saved in history.json. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly learningRate: number;
  readonly seconds: number;
  readonly images: number;
}

/** The numbers every epoch of history.json has. */
const HISTORY_FIELDS: readonly (keyof EpochRecord)[] = [
  'epoch',
  'loss',
  'accuracy',
  'valLoss',
  'valAccuracy',
  'learningRate',
  'seconds',
  'images',
];

/**
 * The text of history.json for `history` (what {@link readHistory} reads back).
 *
 * @example
 * await writeFileAtomic(join(dir, HISTORY_FILE), historyText(history));
 */
export function historyText(history: readonly EpochRecord[]): string {
  return `${JSON.stringify(history, null, 1)}\n`;
}

/**
 * Reads history.json of a model directory: the epochs, or why there are none.
 *
 * @example
 * const { history } = await readHistory('runs/default');
 */
export async function readHistory(
  modelDir: string,
): Promise<{ history: EpochRecord[] } | { reason: string }> {
  let text: string;
  try {
    text = await readFile(join(modelDir, HISTORY_FILE), 'utf8');
  } catch {
    return {
      reason: `${modelDir} has no ${HISTORY_FILE} (the model was saved without its training history)`,
    };
  }
  let history: unknown;
  try {
    history = JSON.parse(text);
  } catch (error) {
    return {
      reason: `${join(modelDir, HISTORY_FILE)} is not valid JSON (${(error as Error).message})`,
    };
  }
  const fields = HISTORY_FIELDS as readonly string[];
  const valid =
    Array.isArray(history) &&
    history.every(
      (r: unknown) =>
        r !== null &&
        typeof r === 'object' &&
        fields.every((k) => typeof (r as Record<string, unknown>)[k] === 'number'),
    );
  if (!valid) {
    return {
      reason: `${join(modelDir, HISTORY_FILE)}: expected a list of epochs with ${fields.join(', ')}`,
    };
  }
  if ((history as EpochRecord[]).length === 0) {
    return { reason: `${join(modelDir, HISTORY_FILE)} lists no finished epoch` };
  }
  return { history: history as EpochRecord[] };
}
