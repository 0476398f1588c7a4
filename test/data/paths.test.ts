// Default data and cache directories: explicit variable, XDG, home, Windows.

import { describe, expect, it } from 'vitest';
import { defaultCacheDir, defaultDataDir } from '../../src/node/data/paths.js';

describe('defaultDataDir / defaultCacheDir', () => {
  it('prefers HCR_DATA_DIR and HCR_CACHE_DIR', () => {
    const env = { HCR_DATA_DIR: '/d', HCR_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' };
    expect(defaultDataDir({ env, platform: 'linux', home: '/h' })).toBe('/d');
    expect(defaultCacheDir({ env, platform: 'linux', home: '/h' })).toBe('/c');
  });

  it('uses XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultDataDir({ env: { XDG_CACHE_HOME: '/x' }, platform: 'linux', home: '/h' })).toBe(
      '/x/hcr/data',
    );
    expect(defaultDataDir({ env: {}, platform: 'darwin', home: '/h' })).toBe('/h/.cache/hcr/data');
    expect(defaultCacheDir({ env: {}, platform: 'linux', home: '/h' })).toBe('/h/.cache/hcr/cache');
  });

  it('uses %LOCALAPPDATA% on Windows', () => {
    const env = { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' };
    expect(defaultDataDir({ env, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Local\\hcr\\data',
    );
    expect(defaultCacheDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Local\\hcr\\cache',
    );
  });
});
