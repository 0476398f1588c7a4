// Builds hcr's Handwriting Recognition API polyfill (src/web/handwriting) into dist/handwriting:
// handwriting.js, an ES module a page imports, its reading worker and tfjs' WebAssembly files
// as assets (all found relative to the module, so the folder can be served from anywhere), and
// the models it reads with under models/ (the line model once models/line-en exists, the glyph
// model and the language model). Each model folder's version (a SHA-256 of its files) is built
// into the module, so the browser keeps the files in its Cache API and reads them from there
// until a build brings another model (src/web/model-cache.ts).

import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
/** Where the polyfill goes. */
const OUT_DIR = join(ROOT, 'dist', 'handwriting');

/** The model files the polyfill reads, by folder under models/ (the module's MODEL_PATHS). */
const MODEL_FILES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'line-en': ['model.json', 'weights.bin', 'hcr.json'],
  alnum36: ['model.json', 'weights.bin'],
  'lm-en': ['language-model.json'],
});

/** The module's name for each model folder (the polyfill's ModelVersions). */
const VERSION_KEYS: Readonly<Record<string, string>> = Object.freeze({
  'line-en': 'lineModel',
  alnum36: 'glyphModel',
  'lm-en': 'languageModel',
});

/** A SHA-256 of each model folder's files, for those that are there. */
async function modelVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const [folder, files] of Object.entries(MODEL_FILES)) {
    const hash = createHash('sha256');
    try {
      for (const file of files) hash.update(await readFile(join(ROOT, 'models', folder, file)));
    } catch {
      continue; // not there yet: copyModels leaves it out too
    }
    versions[VERSION_KEYS[folder]!] = `sha256:${hash.digest('hex').slice(0, 32)}`;
  }
  return versions;
}

/** Copies the models beside the module; a model not there yet (line-en) is left out. */
function copyModels(): Plugin {
  return {
    name: 'hcr-handwriting-models',
    apply: 'build',
    async closeBundle() {
      for (const [folder, files] of Object.entries(MODEL_FILES)) {
        const from = join(ROOT, 'models', folder);
        const present = await stat(join(from, files[0]!)).then(
          () => true,
          () => false,
        );
        if (!present) continue;
        await mkdir(join(OUT_DIR, 'models', folder), { recursive: true });
        for (const file of files) {
          await copyFile(join(from, file), join(OUT_DIR, 'models', folder, file));
        }
      }
    },
  };
}

export default defineConfig(async (): Promise<UserConfig> => ({
  define: { __HCR_MODEL_VERSIONS__: JSON.stringify(await modelVersions()) },
  root: fileURLToPath(new URL('./src/web/handwriting', import.meta.url)),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  plugins: [copyModels()],
  worker: { format: 'es' },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2500,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        handwriting: fileURLToPath(new URL('./src/web/handwriting/index.ts', import.meta.url)),
      },
      preserveEntrySignatures: 'strict',
      output: { entryFileNames: '[name].js' },
    },
  },
}));
