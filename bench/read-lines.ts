// The texts of the benchmark's special lines (bench/read.ts): English words written letter-spaced
// (`D O G`), codes that mix letters and digits (part numbers, postcodes, plates, R2D2, A1B2C3), and
// mixed-case lines for models with lowercase (words, Capitalized names, codes like x7k2). Two
// disjoint word lists and two seeds: `dev` lines tune the language model's weight, `test` lines are
// only ever measured.

type Random = () => number;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Words for letter-spaced lines: `dev` for tuning, `test` for the benchmark (disjoint). */
export const SPACED_WORDS = Object.freeze({
  dev: Object.freeze(
    'DOG CAT HOUSE WATER MONEY NIGHT PAPER LIGHT STONE GREEN RIVER TABLE BREAD CHAIR SOUTH MUSIC HORSE SMILE WORLD PLANT'.split(
      ' ',
    ),
  ),
  test: Object.freeze(
    'NODE HELLO MNIST TRAIN SCHOOL FAMILY LETTER NUMBER WINDOW GARDEN SUMMER FRIEND PEOPLE MARKET ANIMAL DOCTOR ORANGE SILVER BRIDGE CASTLE'.split(
      ' ',
    ),
  ),
});

/**
 * Shapes of code lines: L a letter, D a digit, a space a word break. Droid names and
 * alternating codes, part numbers, UK and Canadian postcodes, number plates, serials.
 */
export const CODE_SHAPES: readonly string[] = Object.freeze([
  'LDLDLD',
  'LDLD',
  'LDLL',
  'LLDD DLL',
  'LDL DLD',
  'LLL DDDD',
  'DDD LLL',
  'LLDDDD',
  'DLLLDD',
  'LL DDDDDD',
  'LDDLL',
  'LLDDLLL',
]);

function pick<T>(rand: Random, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

/** One letter-spaced word from `words` (one word per line). */
export function spacedWordLine(words: readonly string[]): (rand: Random) => string[] {
  return (rand) => [pick(rand, words)];
}

/** One code line: a shape from {@link CODE_SHAPES} filled with random letters and digits. */
export function codeLine(rand: Random): string[] {
  const shape = pick(rand, CODE_SHAPES);
  return shape
    .split(' ')
    .map((part) =>
      [...part].map((k) => pick(rand, k === 'L' ? [...LETTERS] : [...DIGITS])).join(''),
    );
}

/**
 * Words for mixed-case lines (`dev` for tuning, `test` for the benchmark, disjoint): lowercase
 * words, and names that are written Capitalized.
 */
export const MIXED_CASE_WORDS = Object.freeze({
  dev: Object.freeze({
    words: Object.freeze(
      'apple bring cloud dance early field ghost happy jolly knife lemon mouse ocean pizza quick sugar thumb vivid wagon yearly'.split(
        ' ',
      ),
    ),
    names: Object.freeze('Anna Boston Carlos Dublin Emma Frank Grace Henry Lisbon Oslo'.split(' ')),
  }),
  test: Object.freeze({
    words: Object.freeze(
      'about black chosen depth enjoy fresh going handy judge kept lucky mixed night opaque proxy quiet robust spring today unique voice weekly young zebra'.split(
        ' ',
      ),
    ),
    names: Object.freeze(
      'Alice Berlin Chloe Denver Edward Maria Oxford Paris Sydney Victor'.split(' '),
    ),
  }),
});

/** Shapes of mixed-case codes: l a lowercase letter, L a capital, D a digit. */
export const MIXED_CODE_SHAPES: readonly string[] = Object.freeze([
  'lDlD',
  'llDD',
  'LllDD',
  'DDll',
  'lDDl',
]);

const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/**
 * One mixed-case line: one or two lowercase words, a Capitalized name with a lowercase word, or
 * a code with lowercase letters (`x7k2`, `Abc12`).
 */
export function mixedCaseLine(
  lists: (typeof MIXED_CASE_WORDS)['test'],
): (rand: Random) => string[] {
  return (rand) => {
    const style = rand();
    if (style < 0.4) {
      return rand() < 0.5
        ? [pick(rand, lists.words)]
        : [pick(rand, lists.words), pick(rand, lists.words)];
    }
    if (style < 0.8) return [pick(rand, lists.names), pick(rand, lists.words)];
    const shape = pick(rand, MIXED_CODE_SHAPES);
    return [
      [...shape]
        .map((k) => pick(rand, [...(k === 'l' ? LOWER : k === 'L' ? LETTERS : DIGITS)]))
        .join(''),
    ];
  };
}
