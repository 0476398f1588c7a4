// The font families of the synthetic-styles source (docs/DESIGN.md §8 "Styles are data"): which
// npm package ships each one, whether it is handwriting or print, and whether it trains or is
// held out as a whole family for the styles test set. Also the families reserved for the
// project's own evaluation, which the generator refuses from any source.

import { HcrError } from '../../../core/errors.js';

/** Where a family goes: trained on, or held out whole for the styles test set. */
export type FamilySplit = 'train' | 'test';

/** One font family the generator can render. */
export interface FontFamily {
  /** The family's name, e.g. `Indie Flower`. */
  readonly name: string;
  /** The npm package that ships its font files, e.g. `@fontsource/indie-flower`. */
  readonly package: string;
  readonly kind: 'handwriting' | 'printed';
  readonly split: FamilySplit;
  /** The family has no lowercase of its own (its a-z are small capitals): render 0-9 A-Z only. */
  readonly capsOnly?: boolean;
}

function family(
  name: string,
  kind: FontFamily['kind'] = 'handwriting',
  split: FamilySplit = 'train',
  extra: { capsOnly?: boolean } = {},
): FontFamily {
  const id = name.toLowerCase().replace(/ /g, '-');
  return Object.freeze({ name, package: `@fontsource/${id}`, kind, split, ...extra });
}

/**
 * Every family the generator renders, in a fixed order (the order fixes the random draws, so
 * changing it changes the generated images). Eight handwriting families are held out whole for
 * the styles test set (`styles-test`): they are never trained on, so that test measures styles
 * the model has not seen.
 */
export const FONT_FAMILIES: readonly FontFamily[] = Object.freeze([
  // Handwriting, trained on.
  family('Caveat'),
  family('Indie Flower'),
  family('Patrick Hand'),
  family('Gloria Hallelujah'),
  family('Architects Daughter'),
  family('Shadows Into Light'),
  family('Permanent Marker'),
  family('Rock Salt'),
  family('Homemade Apple'),
  family('Covered By Your Grace'),
  family('Handlee'),
  family('Schoolbell'),
  family('Sue Ellen Francisco'),
  family('Swanky and Moo Moo'),
  family('The Girl Next Door'),
  family('Nanum Pen Script'),
  family('Annie Use Your Telescope'),
  family('Delius'),
  family('Just Another Hand'),
  family('Nothing You Could Do'),
  family('Waiting for the Sunrise'),
  family('Loved by the King'),
  family('Over the Rainbow'),
  family('Zeyada'),
  family('Dawning of a New Day'),
  family('La Belle Aurore'),
  family('Cedarville Cursive'),
  family('Kristi'),
  family('Gaegu'),
  family('Gamja Flower'),
  family('Poor Story'),
  family('Mali'),
  family('Itim'),
  family('Sriracha'),
  family('Walter Turncoat'),
  family('Crafty Girls'),
  family('Just Me Again Down Here'),
  family('Give You Glory'),
  family('Sedgwick Ave'),
  family('Amatic SC', 'handwriting', 'train', { capsOnly: true }),
  family('Pangolin'),
  family('Playpen Sans'),
  family('Edu SA Beginner'),
  family('Edu NSW ACT Foundation'),
  family('Edu VIC WA NT Beginner'),
  family('Edu QLD Beginner'),
  family('Shantell Sans'),
  family('Fuzzy Bubbles'),
  family('Mynerve'),
  family('Grape Nuts'),
  family('Square Peg'),
  family('Delicious Handrawn'),
  // Print, trained on: the shapes a careful printer writes (a round O, a serif I).
  family('Roboto', 'printed'),
  family('Open Sans', 'printed'),
  family('Lato', 'printed'),
  family('Inter', 'printed'),
  family('Oswald', 'printed'),
  family('Merriweather', 'printed'),
  family('Noto Serif', 'printed'),
  family('PT Serif', 'printed'),
  family('Roboto Mono', 'printed'),
  family('Courier Prime', 'printed'),
  // Handwriting, held out whole: the styles test set.
  family('Kalam', 'handwriting', 'test'),
  family('Gochi Hand', 'handwriting', 'test'),
  family('Reenie Beanie', 'handwriting', 'test'),
  family('Short Stack', 'handwriting', 'test'),
  family('Neucha', 'handwriting', 'test'),
  family('Caveat Brush', 'handwriting', 'test'),
  family('Edu TAS Beginner', 'handwriting', 'test'),
  family('Coming Soon', 'handwriting', 'test'),
]);

/**
 * Families kept for an evaluation nobody tunes to (docs/DESIGN.md §8, "Reserved for evaluation"):
 * never trained on, tuned on or tested on by hcr's own sets, from any source.
 */
export const RESERVED_FAMILIES: readonly string[] = Object.freeze([
  'Because We Had To',
  'dkg handwriting',
  'Breip',
  'Femke Klaver',
  'Humor Sans',
  'Rufscript',
  'Delphine',
  'Steve Hand',
  'Yusei Magic',
  'Comic Neue',
]);

/** A family name reduced for comparison: lowercase letters and digits only. */
function familyKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The reserved family `name` (a family name or an npm/Debian package name) belongs to, if any. */
export function reservedFamily(name: string): string | undefined {
  const key = familyKey(name.replace(/^@fontsource(-variable)?\//, '').replace(/^fonts-/, ''));
  const aliases: Record<string, string> = {
    bwht: 'Because We Had To',
    dkghandwriting: 'dkg handwriting',
    sjfonts: 'Delphine',
  };
  if (aliases[key]) return aliases[key];
  return RESERVED_FAMILIES.find((reserved) => familyKey(reserved) === key);
}

/**
 * Throws `BAD_OPTION` when `name` is a reserved family, with the reserved list in the message.
 *
 * @example
 * assertNotReserved('Indie Flower'); // fine
 * assertNotReserved('Comic Neue'); // throws: reserved for evaluation
 */
export function assertNotReserved(name: string): void {
  const reserved = reservedFamily(name);
  if (reserved !== undefined) {
    throw new HcrError(
      'BAD_OPTION',
      `font family '${name}' is reserved for evaluation (${reserved}) and is never used for training, tuning or hcr's own test sets; reserved: ${RESERVED_FAMILIES.join(', ')}`,
    );
  }
}

/**
 * The families to render: all of {@link FONT_FAMILIES}, or those named (by family or package
 * name). A reserved family is refused; an unknown one is an error listing the known ones.
 */
export function selectFamilies(names?: readonly string[]): FontFamily[] {
  if (!names) return [...FONT_FAMILIES];
  return names.map((name) => {
    assertNotReserved(name);
    const key = familyKey(name.replace(/^@fontsource\//, ''));
    const found = FONT_FAMILIES.find((f) => familyKey(f.name) === key);
    if (!found) {
      throw new HcrError(
        'BAD_OPTION',
        `font family '${name}': expected one of ${FONT_FAMILIES.map((f) => f.name).join(', ')}`,
      );
    }
    return found;
  });
}
