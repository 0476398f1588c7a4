// Public API of hcr's image input in Node: decoding files to gray pixels and preparing them for
// a model.

export {
  DECODE_DEFAULTS,
  IMAGE_FORMATS,
  decodeImage,
  loadImageForModel,
  type DecodeOptions,
  type LoadImageOptions,
  type ModelImage,
} from './decode.js';
