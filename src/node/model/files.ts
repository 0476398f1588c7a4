// The names of the files in a model directory (docs/DESIGN.md §5), in one place: the artifact's
// own files (hcr.json, model.json, weights.bin, the optimizer's state), what training,
// evaluation and the card add beside them, and the checkpoint directory that goes with it.

/**
 * Every file a model directory may hold, by role.
 *
 * @example
 * join(modelDir, MODEL_FILES.metadata); // 'runs/default/hcr.json'
 */
export const MODEL_FILES = Object.freeze({
  /** The metadata (label set, architecture, training record, file checksums). */
  metadata: 'hcr.json',
  /** The tfjs Layers topology and weights manifest. */
  topology: 'model.json',
  /** The weights, one shard. */
  weights: 'weights.bin',
  /** The optimizer's state, for resuming training (checkpoints and saved models). */
  optimizerWeights: 'optimizer.bin',
  /** The tensor specs of {@link MODEL_FILES.optimizerWeights}. */
  optimizerSpecs: 'optimizer.json',
  /** One record per finished epoch, written by the trainer. */
  history: 'history.json',
  /** Where training stood (epoch, batch, best loss), for `--resume`. */
  trainState: 'train-state.json',
  /** What `hcr evaluate` measured. */
  evaluation: 'evaluation.json',
  /** The model card `hcr card` writes. */
  card: 'MODEL_CARD.md',
} as const);

/** Name of the metadata file in a model directory. */
export const METADATA_FILE = MODEL_FILES.metadata;
/** Name of the training history in a model directory. */
export const HISTORY_FILE = MODEL_FILES.history;
/** File name of the saved evaluation, next to the model. */
export const EVALUATION_FILE = MODEL_FILES.evaluation;
/** File name of the model card in a model directory. */
export const MODEL_CARD_FILE = MODEL_FILES.card;

/**
 * The checkpoint directory that belongs to a model directory.
 *
 * @example
 * checkpointDirFor('runs/default'); // 'runs/default.checkpoint'
 */
export function checkpointDirFor(modelDir: string): string {
  return `${modelDir}.checkpoint`;
}
