// Finds the font files of a family in its installed npm package (the @fontsource packages
// ship one file per subset, weight and style), records what they are (package version,
// SHA-256) and registers them with the text rasterizer (@napi-rs/canvas, Skia).

import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { HcrError } from '../../../core/errors.js';
import type { FontFamily } from './families.js';

/** One font file of a family, as recorded in the source's manifest. */
export interface FontFile {
  /** Path inside the package, e.g. `files/kalam-latin-400-normal.woff2`. */
  readonly path: string;
  readonly weight: number;
  readonly sha256: string;
  readonly bytes: number;
}

/** A family found in its installed package, its files registered with the rasterizer. */
export interface LoadedFamily {
  readonly family: FontFamily;
  readonly version: string;
  readonly files: readonly FontFile[];
  /** The name each weight is registered under with the rasterizer, by weight. */
  readonly aliases: ReadonlyMap<number, string>;
}

const require = createRequire(import.meta.url);

/** Latin, upright font files: `<id>-latin-<weight>-normal.woff2`. */
const FONT_FILE = /^(.+)-latin-(\d{3})-normal\.woff2$/;

/**
 * Locates a family's package, reads its Latin upright font files (every weight), hashes them
 * and registers each with the rasterizer under a private alias.
 *
 * @throws HcrError NOT_FOUND when the package is not installed or holds no such file
 */
export async function loadFamily(family: FontFamily): Promise<LoadedFamily> {
  let root: string;
  let version: string;
  try {
    const manifest = require.resolve(`${family.package}/package.json`);
    root = dirname(manifest);
    version = (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
  } catch (error) {
    throw new HcrError(
      'NOT_FOUND',
      `font family ${family.name}: expected the npm package ${family.package} to be installed (run npm install)`,
      { cause: error },
    );
  }
  const names = (await readdir(join(root, 'files'))).filter((name) => FONT_FILE.test(name)).sort();
  if (names.length === 0) {
    throw new HcrError(
      'NOT_FOUND',
      `font family ${family.name}: expected files/*-latin-<weight>-normal.woff2 in ${family.package}, found none`,
    );
  }
  const files: FontFile[] = [];
  const aliases = new Map<number, string>();
  for (const name of names) {
    const weight = Number(FONT_FILE.exec(name)![2]);
    const bytes = await readFile(join(root, 'files', name));
    const alias = `hcr-synth ${family.name} ${weight}`;
    if (!GlobalFonts.has(alias)) GlobalFonts.register(bytes, alias);
    aliases.set(weight, alias);
    files.push({
      path: `files/${name}`,
      weight,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
    });
  }
  return { family, version, files, aliases };
}
