// What a model card is written from (ModelCardInput), and reading it from a model directory:
// hcr.json, evaluation.json (which must belong to the weights), history.json, the parameter
// count from model.json, and the directory's files with their sizes.

import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { readMetadata, type ModelMetadata } from '../../model/artifact.js';
import { readEvaluationFor, type EvaluationReport } from '../../model/evaluation.js';
import { MODEL_CARD_FILE, MODEL_FILES } from '../../model/files.js';
import { readHistory, type EpochRecord } from '../../model/history.js';

/** Everything a card is written from, as read from a model directory. */
export interface ModelCardInput {
  /** The model directory as the card names it, e.g. `'models/alnum36'` (also the command's `--out`). */
  readonly modelDir: string;
  /** hcr.json. */
  readonly metadata: ModelMetadata;
  /** evaluation.json. */
  readonly evaluation: EvaluationReport;
  /** history.json, or null when the directory has none (then `historyNote` says why). */
  readonly history: readonly EpochRecord[] | null;
  readonly historyNote?: string;
  /** Weights counted from model.json's weightsManifest shapes, or null when it cannot be read. */
  readonly parameters: number | null;
  /** The files of the model directory (besides the card) with their sizes. */
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
}

async function countParameters(modelDir: string): Promise<number | null> {
  try {
    const json = JSON.parse(await readFile(join(modelDir, MODEL_FILES.topology), 'utf8')) as {
      weightsManifest?: { weights?: { shape?: number[] }[] }[];
    };
    const specs = (json.weightsManifest ?? []).flatMap((group) => group.weights ?? []);
    if (specs.length === 0) return null;
    return specs.reduce((sum, s) => sum + (s.shape ?? []).reduce((a, b) => a * b, 1), 0);
  } catch {
    return null;
  }
}

async function listFiles(modelDir: string): Promise<{ name: string; bytes: number }[]> {
  const names = (await readdir(modelDir)).filter(
    (n) => !n.startsWith('.') && n !== MODEL_CARD_FILE,
  );
  const files: { name: string; bytes: number }[] = [];
  for (const name of names.sort()) {
    const info = await stat(join(modelDir, name));
    if (info.isFile()) files.push({ name, bytes: info.size });
  }
  return files;
}

/** How the card names `modelDir`: relative to the working directory when inside it. */
function displayDir(modelDir: string): string {
  const rel = relative(process.cwd(), modelDir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : modelDir;
}

/**
 * Reads what the card of `modelDir` is written from.
 *
 * @throws HcrError NOT_FOUND when there is no evaluation.json (run `hcr evaluate` first);
 *   BAD_MODEL when evaluation.json does not belong to the model.
 * @example
 * const input = await readModelCardInput('models/alnum36');
 */
export async function readModelCardInput(modelDir: string): Promise<ModelCardInput> {
  const metadata = await readMetadata(modelDir);
  const evaluation = await readEvaluationFor(modelDir, metadata);
  const history = await readHistory(modelDir);
  return {
    modelDir: displayDir(modelDir),
    metadata,
    evaluation,
    history: 'history' in history ? history.history : null,
    ...('reason' in history ? { historyNote: history.reason } : {}),
    parameters: await countParameters(modelDir),
    files: await listFiles(modelDir),
  };
}
