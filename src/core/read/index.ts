// Reading lines of handwriting (docs/DESIGN.md §4: segmentation of a line into characters), for
// Node and the browser alike: the classifier is injected, so tfjs stays out of src/core.

export * from './options.js';
export * from './context.js';
export * from './segment.js';
export * from './segment-lines.js';
export * from './read.js';
export * from './language-model.js';
export * from './constraints.js';
export * from './pattern-automaton.js';
export * from './decode.js';
export * from './case.js';
export * from './ctc-align.js';
export * from './ctc-decode.js';
export * from './line-language-model.js';
export * from './line-read.js';
