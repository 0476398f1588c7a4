// Builds hcr's Handwriting Recognition API polyfill (src/web/handwriting) into dist/handwriting:
// handwriting.js, an ES module a page imports, its reading worker and tfjs' WebAssembly files
// as assets (all found relative to the module, so the folder can be served from anywhere), and
// the models it reads with under models/ (the line model once models/line-en exists, the glyph
// model and the language model).

import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
/** Where the polyfill goes. */
const OUT_DIR = join(ROOT, 'dist', 'handwriting');

/** The model files the polyfill reads, by folder under models/ (the module's MODEL_PATHS). */
const MODEL_FILES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'line-en': ['model.json', 'weights.bin', 'hcr.json'],
  alnum36: ['model.json', 'weights.bin'],
  'lm-en': ['language-model.json'],
});

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

export default defineConfig({
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
});
