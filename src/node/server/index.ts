// Public API of hcr's HTTP server: build it (page, model files, JSON API), the models it serves
// by name, listen with a graceful shutdown, the limits with their defaults, what the API routes
// run, and the worker pool and rate limit that bound each client's work.

export { DEFAULT_WEB_ROOT, buildServer, type ServerEvent, type ServerOptions } from './app.js';
export {
  BROWSER_MODEL_FILES,
  ServedModel,
  ServedModels,
  describeClasses,
  servedModelName,
  type BrowserFile,
  type ServedModelSummary,
} from './served-models.js';
export {
  SERVER_DEFAULTS,
  resolveServerLimits,
  type ResolvedServerLimits,
  type ServerLimitOptions,
} from './config.js';
export {
  ACCEPTED_CONTENT_TYPES,
  API_ERROR_STATUS,
  ApiError,
  toErrorReply,
  type ApiErrorCode,
  type ErrorBody,
} from './errors.js';
export {
  serveUntilSignal,
  type ListenOptions,
  type RunningServer,
  type ShutdownResult,
  type SignalSource,
} from './listen.js';
export {
  blankReadMessage,
  readUpload,
  type ReadAnswer,
  type ReadUploadOptions,
} from './reading.js';
export { Limiter } from '../predict/limiter.js';
export type { ImageInput } from '../predict/recognize.js';
export {
  recognizeImages,
  type EmptyImage,
  type FailedImage,
  type ImageResult,
  type RecognizedImage,
} from './recognize.js';
export { WorkRateLimiter, type RateDecision } from './rate-limit.js';
export {
  SERVER_IMAGE_FORMATS,
  runWork,
  sniffImageFormat,
  svgRefusedMessage,
  type SniffedFormat,
  type WorkBudget,
  type WorkJob,
  type WorkResult,
} from './work.js';
export {
  ClientGoneError,
  WorkPool,
  type WorkPoolOptions,
  type WorkPoolStats,
} from './work-pool.js';
