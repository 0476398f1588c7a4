// The import graph of src/node runs one way (docs/STYLE.md "One owner per artifact", issue 14):
// cli → features (report, eval, server, predict, read, tune) → train → engine → model → data
// → shared Node helpers → core. Every relative import (static, dynamic, re-export, and a
// worker script named by `new URL(..., import.meta.url)`) is read from the source and checked
// against that order; features may use one another as long as no two folders import each
// other, directly or round a longer loop.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NODE = join(ROOT, 'src/node');

/**
 * The layers, highest first. A module is in the layer of its top folder under src/node (or its
 * own name for a file at the top); a layer may import only from layers below it, or from
 * another folder of its own layer without a cycle.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['index.ts'],
  ['cli'],
  ['report', 'eval', 'server', 'predict', 'read', 'tune'],
  ['train'],
  ['engine'],
  ['model'],
  ['data'],
  // Helpers every layer may use: errors, atomic files, image decoding, paths.
  ['errors.ts', 'fs-atomic.ts', 'image', 'package-root.ts'],
  ['core'],
];

/** Imports against the order that are known and to be removed (each with its reason). */
const KNOWN_EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

function rankOf(unit: string): number {
  const rank = LAYERS.findIndex((layer) => layer.includes(unit));
  if (rank < 0) {
    throw new Error(`src/node/${unit} is in no layer of test/architecture/layers.test.ts; add it`);
  }
  return rank;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const SPECIFIER =
  /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\bnew\s+URL\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative imports of a source file (comments are skipped: they may quote imports). */
export function relativeImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(SPECIFIER)].map((m) => m[1]!);
}

/** The layer unit of a path: `core` for src/core, else its top folder or file under src/node. */
function unitOf(path: string): string | null {
  if (path.startsWith(join(ROOT, 'src/core') + sep)) return 'core';
  if (!path.startsWith(NODE + sep)) return null;
  // Imports name the compiled `.js`; the layers name the sources.
  return relative(NODE, path).split(sep)[0]!.replace(/\.js$/, '.ts');
}

interface Edge {
  readonly file: string;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
}

function edges(): Edge[] {
  return sourceFiles(NODE).flatMap((file) => {
    const from = unitOf(file)!;
    return relativeImports(readFileSync(file, 'utf8')).flatMap((specifier) => {
      const to = unitOf(resolve(dirname(file), specifier));
      if (to === null) {
        return [{ file, specifier, from, to: `outside src/node and src/core (${specifier})` }];
      }
      return to === from ? [] : [{ file, specifier, from, to }];
    });
  });
}

const where = (e: Edge) => `${relative(ROOT, e.file)} imports ${e.specifier} (${e.from} → ${e.to})`;

function known(e: Edge): boolean {
  return KNOWN_EXCEPTIONS.some((k) => k.from === e.from && k.to === e.to);
}

/** The folders of one layer that import each other round a loop, as `a → b → a`. */
function cycles(lateral: readonly Edge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of lateral) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const found: string[] = [];
  const visit = (start: string, at: string, path: string[]) => {
    for (const to of next.get(at) ?? []) {
      if (to === start) found.push([...path, to].join(' → '));
      else if (!path.includes(to) && to > start) visit(start, to, [...path, to]);
    }
  };
  for (const start of next.keys()) visit(start, start, [start]);
  return found;
}

describe('the import graph of src/node', () => {
  const all = edges();

  it('reads the imports it checks (static, dynamic, re-exports and worker scripts)', () => {
    expect(
      relativeImports(
        "import a from './a.js';\nimport type { B } from '../b.js';\nexport * from './c.js';\n" +
          "// import { no } from './comment.js';\nconst d = await import('./d.js');\n" +
          "new Worker(new URL('./e.js', import.meta.url));\nimport './f.js';\nimport x from 'node:fs';",
      ),
    ).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js']);
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((e) => e.from === 'cli' && e.to === 'train')).toBe(true);
  });

  it('has no import up the layers', () => {
    const upward = all.filter((e) => rankOf(e.to) < rankOf(e.from) && !known(e));
    expect(upward.map(where)).toEqual([]);
  });

  it('has no loop between the folders of one layer', () => {
    const lateral = all.filter((e) => rankOf(e.to) === rankOf(e.from) && !known(e));
    expect(cycles(lateral)).toEqual([]);
  });

  it('names only folders and files that exist', () => {
    const units = LAYERS.flat().filter((unit) => unit !== 'core');
    expect(units.filter((unit) => !existsSync(join(NODE, unit)))).toEqual([]);
  });

  it('lists only exceptions that still occur', () => {
    const stale = KNOWN_EXCEPTIONS.filter(
      (k) => !all.some((e) => e.from === k.from && e.to === k.to),
    );
    expect(stale).toEqual([]);
  });
});
