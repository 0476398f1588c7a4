// Where the hcr package is installed: the folder with package.json, models/ and dist/. Found
// from this file's own place, which is src/node/ when run from the sources and dist/node/ when
// built, two levels below the root either way.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory.
 *
 * @example
 * join(PACKAGE_ROOT, 'models', 'alnum36'); // the shipped model
 */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A path inside the package.
 *
 * @example
 * packagePath('models', 'lm-en'); // '/usr/lib/node_modules/hcr/models/lm-en'
 */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
