// Where hcr keeps datasets and parsed-dataset caches when the user names no directory:
// `$HCR_DATA_DIR`, else the platform's per-user cache folder. The CLI passes `--data-dir`.

import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** The environment and platform the default directories are derived from (injectable for tests). */
export interface PathEnvironment {
  /** Environment variables. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `process.platform`. Default: the running platform. */
  readonly platform?: NodeJS.Platform;
  /** The user's home directory. Default: `os.homedir()`. */
  readonly home?: string;
}

function joinFor(environment: PathEnvironment, ...parts: string[]): string {
  return (environment.platform ?? process.platform) === 'win32'
    ? win32.join(...parts)
    : posix.join(...parts);
}

/** The per-user cache root holding hcr's folders: `.../hcr`. */
function hcrCacheRoot(environment: PathEnvironment): string {
  const env = environment.env ?? process.env;
  const platform = environment.platform ?? process.platform;
  const home = environment.home ?? homedir();
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA;
    return local ? win32.join(local, 'hcr') : win32.join(home, 'AppData', 'Local', 'hcr');
  }
  const xdg = env.XDG_CACHE_HOME;
  return xdg ? posix.join(xdg, 'hcr') : posix.join(home, '.cache', 'hcr');
}

/**
 * The data directory used when none is given: `$HCR_DATA_DIR`, else `$XDG_CACHE_HOME/hcr/data`,
 * else `~/.cache/hcr/data` (Windows: `%LOCALAPPDATA%\hcr\data`).
 *
 * @example
 * defaultDataDir({ env: { XDG_CACHE_HOME: '/c' }, platform: 'linux' }); // '/c/hcr/data'
 */
export function defaultDataDir(environment: PathEnvironment = {}): string {
  const explicit = (environment.env ?? process.env).HCR_DATA_DIR;
  return explicit ? explicit : joinFor(environment, hcrCacheRoot(environment), 'data');
}

/**
 * The directory of parsed-dataset caches used when none is given: `$HCR_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/hcr/cache`, else `~/.cache/hcr/cache` (Windows: `%LOCALAPPDATA%\hcr\cache`).
 *
 * @example
 * defaultCacheDir({ env: {}, platform: 'linux', home: '/home/u' }); // '/home/u/.cache/hcr/cache'
 */
export function defaultCacheDir(environment: PathEnvironment = {}): string {
  const explicit = (environment.env ?? process.env).HCR_CACHE_DIR;
  return explicit ? explicit : joinFor(environment, hcrCacheRoot(environment), 'cache');
}
