// The `chars74k` source: Chars74K EnglishHnd (partial), an out-of-distribution test set that
// is never trained on.

import { all, defineSource, idxPair, loadEmnistStyle, type SourceLoader } from './common.js';

/** Chars74K EnglishHnd: a test set only (`chars74k`), never trained on. */
export const CHARS74K_SOURCE = defineSource({
  name: 'chars74k',
  description: 'Chars74K EnglishHnd (partial): an out-of-distribution test set, never trained on',
  files: [...idxPair('chars74k-hnd/chars74k-hnd'), 'chars74k-hnd/chars74k-hnd-byclass-mapping.txt'],
  role: 'test',
  testName: 'chars74k',
  origin: 'converted',
});

/** Reads Chars74K (cached); every image is a test image. */
export const loadChars74k: SourceLoader = async (context) => {
  const dataset = await loadEmnistStyle(
    context,
    'chars74k',
    'chars74k-hnd/chars74k-hnd',
    'chars74k-hnd/chars74k-hnd-byclass-mapping.txt',
    'chars74k',
    { transposed: false, renormalize: false },
  );
  return {
    pieces: [{ dataset, test: all(dataset) }],
    droppedDuplicates: 0,
    splitSeed: null,
    files: CHARS74K_SOURCE.files,
  };
};
