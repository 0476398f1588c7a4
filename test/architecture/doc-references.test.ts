// The design lives with the code (docs/STYLE.md "The design lives with the code", issue 24): a
// document of docs/ cited anywhere is a file there, a section it cites (`§N`) is a heading of it,
// no source file cites a design document by a bare name that resolves to nothing, a
// repository path named in a comment, the README or a document of docs/ exists, a link of the
// README or of docs/ leads to a file that exists and to a heading of it, a section of the README
// or of docs/ cited by its title ("Work budgets") is a heading there, and docs/DATA.md lists every size and SHA-256 of
// src/node/data/checksums.ts as the code has them.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KNOWN_FILES } from '../../src/node/data/checksums.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = join(ROOT, 'docs');

/** Folders whose text files are read, and single files beside them. */
const FOLDERS = ['src', 'bench', 'test', 'scripts', 'docs', 'examples'];
const FILES = [
  'README.md',
  'eslint.config.js',
  'vite.config.ts',
  'vite.handwriting.config.ts',
  'vitest.config.ts',
  '.ci/run',
];
/** Never read: generated or copied data. */
const SKIP = ['test/fixtures'];
const TEXT = /\.(ts|js|py|md|html|css)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (SKIP.includes(relative(ROOT, path))) return [];
    if (entry.isDirectory()) return walk(path);
    return TEXT.test(entry.name) ? [path] : [];
  });
}

const files = [
  ...FOLDERS.flatMap((folder) => walk(join(ROOT, folder))),
  ...FILES.map((file) => join(ROOT, file)).filter((file) => existsSync(file)),
]
  .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
  // This file quotes the patterns it looks for.
  .filter((file) => file.path !== relative(ROOT, fileURLToPath(import.meta.url)));

/** The comment text of a source file (whole lines of `//`, `*`, `#`), or all of a document. */
function prose(file: { path: string; text: string }): string {
  if (file.path.endsWith('.md')) return file.text;
  return file.text
    .split('\n')
    .filter((line) => /^\s*(\/\/|\/\*|\*|#)/.test(line))
    .join('\n');
}

/** Markdown without its fenced code blocks (whose `#` lines are no headings). */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
}

/**
 * The anchors of a markdown file's headings, as GitHub makes them: the heading's text without
 * its markup, lowercased, everything but letters, digits, spaces, `-` and `_` dropped, spaces
 * made `-`; a repeated anchor gets `-1`, `-2`, ...
 */
function anchors(path: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of withoutCode(readFileSync(path, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const text = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*_]/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The numbered sections (`## 2. ...`) of a document in docs/. */
function sections(doc: string): Set<string> {
  const text = readFileSync(join(DOCS, doc), 'utf8');
  return new Set([...text.matchAll(/^## (\d+)\./gm)].map((m) => m[1]!));
}

describe('citations of docs/', () => {
  it('finds the files it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.path === 'src/core/normalize.ts')).toBe(true);
  });

  it('cites documents and sections of docs/ that exist', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const m of file.text.matchAll(/docs\/([A-Za-z-]+\.md)(?:\s*§\s*(\d+))?/g)) {
        const [cited, doc, section] = [m[0], m[1]!, m[2]];
        if (!existsSync(join(DOCS, doc))) broken.push(`${file.path}: ${cited} (no such file)`);
        else if (section !== undefined && !sections(doc).has(section)) {
          broken.push(`${file.path}: ${cited} (no section ${section})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('links from the README and docs/ to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of files.filter((f) => f.path.endsWith('.md'))) {
      for (const m of withoutCode(file.text).matchAll(/\]\(([^)\s]*)\)/g)) {
        const link = m[1]!;
        if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
        const [target = '', anchor] = link.split('#');
        const path =
          target === '' ? join(ROOT, file.path) : resolve(ROOT, dirname(file.path), target);
        if (!path.startsWith(ROOT) || !existsSync(path)) broken.push(`${file.path}: ${link}`);
        else if (anchor !== undefined && path.endsWith('.md') && !anchors(path).has(anchor)) {
          broken.push(`${file.path}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the headings a link names as GitHub anchors them', () => {
    expect(anchors(join(DOCS, 'DESIGN.md'))).toContain('9-work-budgets');
    expect(anchors(join(DOCS, 'HTTP-API.md'))).toContain('work-budgets');
  });

  it('cites sections of the README and docs/ by titles that are headings there', () => {
    const titles = (doc: string): Set<string> =>
      new Set(
        [...withoutCode(readFileSync(join(ROOT, doc), 'utf8')).matchAll(/^#+\s+(.+)$/gm)].map((m) =>
          m[1]!.trim().toLowerCase(),
        ),
      );
    const broken = files.flatMap((file) =>
      [...prose(file).matchAll(/(README(?:\.md)?|docs\/[A-Za-z-]+\.md)(?:'s)?,?\s+"([^"]+)"/g)]
        .filter(([, cited, title]) => {
          const doc = cited!.startsWith('README') ? 'README.md' : cited!;
          if (!existsSync(join(ROOT, doc))) return false; // reported above
          return !titles(doc).has(title!.toLowerCase());
        })
        .map((m) => `${file.path}: ${m[0]}`),
    );
    expect(broken).toEqual([]);
  });

  it('cites no design document by a bare name in code', () => {
    const bare = files
      .filter((f) => !f.path.endsWith('.md'))
      .filter((f) => /(?<![\w/])(DESIGN|STYLE|SOURCES|DEVELOPERS|DATA)\.md/.test(prose(f)))
      .map((f) => f.path);
    expect(bare).toEqual([]);
  });
});

describe('repository paths named in comments, the README and docs/', () => {
  it('names files and folders that exist', () => {
    const missing: string[] = [];
    for (const file of files) {
      // docs/STYLE.md quotes other projects' paths (Vite's src/node, tfjs' src/kernels).
      if (file.path === 'docs/STYLE.md') continue;
      const named = prose(file).matchAll(
        /(?<![\w./-])((?:src|bench|test|scripts|docs|models|examples|\.ci)\/[\w./-]*[\w])(?![\w*{])/g,
      );
      for (const m of named) {
        const path = m[1]!;
        // A module may be named as imported (`.js`), without its extension, or a test by its stem.
        const candidates = [path, path.replace(/\.js$/, '.ts'), `${path}.ts`, `${path}.test.ts`];
        if (!candidates.some((p) => existsSync(join(ROOT, p))))
          missing.push(`${file.path}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('docs/DATA.md', () => {
  it('lists every known size and SHA-256 as src/node/data/checksums.ts has it', () => {
    const doc = readFileSync(join(DOCS, 'DATA.md'), 'utf8');
    const absent = Object.entries(KNOWN_FILES)
      .filter(
        ([path, known]) => !doc.includes(`| \`${path}\` | ${known.bytes} | \`${known.sha256}\` |`),
      )
      .map(([path]) => path);
    expect(absent).toEqual([]);
  });
});
