// Lines read whole: the line convention, the line models' alphabet and CTC.

export * from './charset.js';
export * from './normalize-line.js';
export * from './ctc.js';
export * from './architectures.js';
