// Whether the built page (dist/web) is older than its sources, and building it with Vite when
// it is: what `npm start` runs before `hcr serve`, so a newcomer never serves a stale page or
// none. Run as a script: `tsx src/node/server/web-build.ts [--if-needed]`.

import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';

/** Where the page's sources and its build live; every field is optional. */
export interface WebBuildOptions {
  /** The package's root folder. Default: the folder holding this package's package.json. */
  readonly root?: string;
}

/** The answer of {@link webBuildState}. */
export interface WebBuildState {
  /** True when the page must be (re)built. */
  readonly stale: boolean;
  /** Why, e.g. `dist/web/index.html is missing` or `src/web/main.ts is newer than the build`. */
  readonly reason: string;
  /** False in an installed package, which ships the built page but not its sources. */
  readonly hasSources: boolean;
}

/** The files and folders the page is built from, relative to the package root. */
export const WEB_SOURCES = Object.freeze(['src/web', 'src/core', 'vite.config.ts']);

async function newestFile(path: string): Promise<{ path: string; mtimeMs: number }> {
  const info = await stat(path);
  if (!info.isDirectory()) return { path, mtimeMs: info.mtimeMs };
  let newest = { path, mtimeMs: 0 };
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const mtimeMs = (await stat(file)).mtimeMs;
    if (mtimeMs > newest.mtimeMs) newest = { path: file, mtimeMs };
  }
  return newest;
}

/**
 * Compares the built page's index.html with the newest file of its sources.
 *
 * @example
 * const { stale, reason } = await webBuildState();
 */
export async function webBuildState(options: WebBuildOptions = {}): Promise<WebBuildState> {
  const root = options.root ?? PACKAGE_ROOT;
  const index = join(root, 'dist', 'web', 'index.html');
  const sources = WEB_SOURCES.map((s) => join(root, s)).filter((s) => existsSync(s));
  const hasSources = existsSync(join(root, 'src', 'web', 'index.html'));
  if (!existsSync(index))
    return { stale: true, reason: 'dist/web/index.html is missing', hasSources };
  if (!hasSources) return { stale: false, reason: 'no sources to compare with', hasSources };
  const built = (await stat(index)).mtimeMs;
  for (const source of sources) {
    const newest = await newestFile(source);
    if (newest.mtimeMs > built) {
      const name = newest.path.slice(root.length + 1);
      return { stale: true, reason: `${name} is newer than the build`, hasSources };
    }
  }
  return { stale: false, reason: 'up to date', hasSources };
}

/**
 * Builds the page with Vite (the package's vite.config.ts) into dist/web.
 *
 * @example
 * await buildWeb();
 */
export async function buildWeb(options: WebBuildOptions = {}): Promise<void> {
  const root = options.root ?? PACKAGE_ROOT;
  // Vite is a development dependency, loaded only when a build is asked for.
  const vite = await import('vite');
  await vite.build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}

async function runAsScript(argv: readonly string[]): Promise<number> {
  const ifNeeded = argv.includes('--if-needed');
  const state = await webBuildState();
  if (ifNeeded && !state.stale) return 0;
  if (!state.hasSources) {
    process.stderr.write(`hcr: cannot build the page: no sources in ${PACKAGE_ROOT}/src/web\n`);
    return 1;
  }
  process.stderr.write(`hcr: building the web page (${state.reason})…\n`);
  await buildWeb();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runAsScript(process.argv.slice(2));
}
