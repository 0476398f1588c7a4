// The core entry point: everything that runs in Node and in the browser alike
// (types, errors, label sets, seeded randomness, splits, image normalization, augmentation,
// reading lines of handwriting with an injected classifier, the line convention, ink).

export * from './types.js';
export * from './errors.js';
export * from './label-sets.js';
export * from './random.js';
export * from './split.js';
export * from './normalize.js';
export * from './augment.js';
export * from './metrics.js';
export * from './architectures.js';
export * from './read/index.js';
export * from './format.js';
export * from './line/index.js';
export * from './ink/index.js';
