// The Node entry point of hcr: the engine, datasets, training, evaluation, prediction, reading
// lines, reports and the server, for programs that use hcr as a library rather than through the `hcr` command.

export * from './errors.js';
export * from './engine/index.js';
export * from './data/index.js';
export * from './image/index.js';
export {
  DEFAULT_SPLIT_SEED,
  MODEL_FORMAT_VERSION,
  loadModel,
  loadOptimizerState,
  readMetadata,
  saveModel,
  serializeModel,
  type Hyperparameters,
  type LoadedModel,
  type MetadataInput,
  type MetricRecord,
  type ModelMetadata,
  type SourceRecord,
} from './model/artifact.js';
export * from './model/files.js';
export * from './model/history.js';
export {
  evaluationResults,
  headlineMetrics,
  readEvaluationFor,
  readSavedEvaluation,
  saveEvaluation,
  savedEvaluationMismatch,
  type EvaluationReport,
  type EvaluationSubject,
  type TestSetErrors,
} from './model/evaluation.js';
export * from './model/plan.js';
export {
  DEFAULT_INFERENCE_BATCH,
  argmaxRows,
  lossAndAccuracy,
  predictProbabilities,
  topK,
} from './model/inference.js';
export {
  SCHEDULES,
  TRAIN_DEFAULTS,
  learningRateAt,
  resolveTrainConfig,
  type ResolvedTrainConfig,
  type ScheduleName,
  type TrainOptions,
} from './train/config.js';
export {
  trainModel,
  type StopReason,
  type TrainEvent,
  type TrainParams,
  type TrainResult,
} from './train/trainer.js';
export { EVALUATION_TOP_K, evaluateModel, splitByKind } from './eval/evaluate.js';
export * from './eval/format.js';
export {
  MODEL_CARD_DEFAULTS,
  renderModelCard,
  reproduceCommand,
  writeModelCard,
  type ModelCardInput,
  type ModelCardOptions,
  type WriteModelCardOptions,
} from './eval/model-card.js';
export {
  PREDICT_DEFAULTS,
  predictFiles,
  type ClassProbability,
  type FilePrediction,
  type PredictOptions,
} from './predict/predict.js';
export {
  modelClassifier,
  readFiles,
  readImage,
  readImageFile,
  type FileReading,
} from './read/read.js';
export {
  REPORT_DEFAULTS,
  buildReport,
  reportDirFor,
  writeReport,
  writeTrainingCurves,
  type ReportOptions,
  type ReportResult,
} from './report/report.js';
export * from './server/index.js';
