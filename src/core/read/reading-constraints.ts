// The constraints of a reading (charset, pattern, lexicon) checked once against the classes of
// the model that will read, before any work on the image; and the lexicon's choice of entry
// once a line is read. Both readers use them.

import { charsetClasses, parseLexicon, patternError } from './constraints.js';
import type { Lexicon } from './constraints.js';
import type { ResolvedReadOptions } from './options.js';
import { compilePattern } from './pattern-automaton.js';
import type { LexiconMatch } from './result.js';

/** The classes and constraints of a reading, checked once against the classifier's classes. */
export interface PreparedReading {
  /** The classes the charset allows (absent: all). */
  readonly allowed?: ReadonlySet<string>;
  readonly lexicon?: Lexicon;
}

/**
 * Checks the charset, the pattern and the lexicon against the classifier's classes, before any
 * work is done on the image.
 *
 * @throws HcrError BAD_OPTION naming the charset, the pattern position or the lexicon line and
 *   column that the model cannot read
 * @example
 * prepareReading(resolveReadOptions({ charset: 'digits' }), classes).allowed; // Set {'0', ...}
 */
export function prepareReading(
  options: ResolvedReadOptions,
  classes: readonly string[],
): PreparedReading {
  const allowed =
    options.charset === 'alnum' ? undefined : charsetClasses(options.charset, classes);
  const pattern = options.parsedPattern;
  if (pattern) {
    // Compiling checks the pattern's work budget (positions × classes) before any image work.
    const automaton = compilePattern(pattern, classes);
    pattern.items.forEach((item, i) => {
      const row = automaton.itemClasses[i]!;
      const ok = classes.some((c, k) => row[k] === 1 && (!allowed || allowed.has(c)));
      if (!ok) {
        throw patternError(
          pattern.source,
          item.at,
          `allows no character the model reads${allowed ? ` within charset '${options.charset}'` : ''} ` +
            `(${(allowed ? [...allowed] : classes).join('')})`,
        );
      }
    });
  }
  const lexicon =
    options.lexicon === undefined
      ? undefined
      : typeof options.lexicon === 'string'
        ? parseLexicon(options.lexicon, classes, options.lexiconName)
        : options.lexicon;
  return { ...(allowed ? { allowed } : {}), ...(lexicon ? { lexicon } : {}) };
}

/**
 * The lexicon entry a line reads as: `found`, the entry the search reached and its score against
 * the free reading, when there is one; else the entry nearest to `reading` in spelling (spaces and
 * case ignored), the first of equals.
 *
 * @example
 * matchLexicon('L0NDON', ['PARIS', 'LONDON']); // { entry: 'LONDON', reading: 'L0NDON', distance: 1 }
 */
export function matchLexicon(
  reading: string,
  entries: readonly string[],
  found?: { readonly entry: number; readonly score: number },
): LexiconMatch {
  const bare = (t: string) => t.replace(/ /g, '').toUpperCase();
  if (found) {
    const entry = entries[found.entry]!;
    return {
      entry,
      reading,
      score: found.score,
      distance: editDistance(bare(reading), bare(entry)),
    };
  }
  let nearest = 0;
  let distance = Infinity;
  entries.forEach((e, i) => {
    const d = editDistance(bare(reading), bare(e));
    if (d < distance) {
      distance = d;
      nearest = i;
    }
  });
  return { entry: entries[nearest]!, reading, distance };
}

/**
 * Levenshtein distance between two strings (insertions, deletions, substitutions).
 *
 * @example
 * editDistance('LONDON', 'L0NDON'); // 1
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
