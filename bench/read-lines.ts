// The texts of the benchmark's special lines (bench/read.ts, bench/tune-lm.ts): English words
// written letter-spaced (`D O G`), and codes that mix letters and digits (part numbers,
// postcodes, plates, R2D2, A1B2C3). Two disjoint word lists and two seeds: `dev` lines tune the
// language model's weight, `test` lines are only ever measured.

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
