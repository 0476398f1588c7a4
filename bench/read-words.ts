// Whole lines of real handwriting (issue 21's targets): the line model reads the UNIPEN words of
// the test writers (never trained on; letters and digits only, one ballpoint on white paper) and
// font lines in the held-out families (capitals and digits, mixed case, codes), with and
// without the language model; the glyph reader (a character model, cutting each line into
// glyphs) reads the same lines beside it. Characters right = 1 - CER, case-sensitive.
//
//   npm run bench:read-words -- [--line-model DIR] [--glyph-model DIR] [--data-dir DIR]
//                               [--limit N] [--sets a,b] [--no-glyphs] [--json]
//
// `npm run bench:read` prints the same table at its end when a line model is installed.

import { pathToFileURL } from 'node:url';
import { editDistance } from '../src/core/read/read.js';
import { defaultDataDir } from '../src/node/data/paths.js';
import { initEngine } from '../src/node/engine/index.js';
import {
  evaluateLineModel,
  lineTestSets,
  type LineSetEvaluation,
} from '../src/node/eval/line-evaluate.js';
import { loadModel } from '../src/node/model/artifact.js';
import { loadLineModel } from '../src/node/model/line-artifact.js';
import { packagePath } from '../src/node/package-root.js';
import { defaultLanguageModel } from '../src/node/read/language-model.js';
import { DEFAULT_LINE_MODEL_DIR } from '../src/node/read/line-reader.js';
import { readImage } from '../src/node/read/read.js';
import { parseBenchArgs } from './args.js';

/** Options of {@link benchWholeLines}. */
export interface WholeLinesOptions {
  readonly lineModel?: string;
  readonly glyphModel?: string | false;
  readonly dataDir?: string;
  readonly limit?: number;
  readonly sets?: readonly string[];
}

/** The figures {@link benchWholeLines} prints. */
export interface WholeLinesResult {
  readonly lineModel: string;
  readonly results: readonly LineSetEvaluation[];
  /** The glyph reader's characters and lines right per set, with the language model. */
  readonly glyphs: Readonly<Record<string, { charAccuracy: number; wordAccuracy: number }>>;
}

const DEFAULT_SETS = ['unipen-words-test', 'fonts-caps-digits', 'fonts-mixed', 'fonts-codes'];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Reads the whole-line test sets with the line model (and the glyph reader beside it).
 *
 * @example
 * const { results } = await benchWholeLines({ limit: 500 });
 */
export async function benchWholeLines(options: WholeLinesOptions = {}): Promise<WholeLinesResult> {
  const lineDir = options.lineModel ?? DEFAULT_LINE_MODEL_DIR;
  const loaded = await loadLineModel(lineDir);
  const languageModel = await defaultLanguageModel();
  const sets = await lineTestSets(options.sets ?? DEFAULT_SETS, {
    dataDir: options.dataDir ?? defaultDataDir(),
    limit: options.limit ?? 1000,
  });
  const results = await evaluateLineModel(loaded, sets, { languageModel });
  loaded.dispose();
  const glyphs: Record<string, { charAccuracy: number; wordAccuracy: number }> = {};
  if (options.glyphModel !== false) {
    const glyph = await loadModel(options.glyphModel ?? packagePath('models', 'byclass62'));
    for (const set of sets) {
      let errors = 0;
      let chars = 0;
      let exact = 0;
      for (const item of set.items) {
        const read = await readImage(glyph, item.image, { languageModel });
        const text = read.text.replace(/\n/g, ' ');
        errors += editDistance(text, item.text);
        chars += item.text.length;
        if (text === item.text) exact++;
      }
      glyphs[set.name] = {
        charAccuracy: Math.max(0, 1 - errors / Math.max(chars, 1)),
        wordAccuracy: exact / Math.max(set.items.length, 1),
      };
    }
    glyph.dispose();
  }
  return { lineModel: lineDir, results, glyphs };
}

/** The table of {@link benchWholeLines}, with issue 21's targets checked. */
export function printWholeLines(result: WholeLinesResult, log: (line: string) => void): void {
  log(
    `\nWhole lines, line model ${result.lineModel} (characters right = 1 - CER, case-sensitive):`,
  );
  log(
    'set                 lines   greedy chars  greedy lines   LM chars   LM lines   glyph reader + LM   ms/line',
  );
  for (const r of result.results) {
    const g = result.glyphs[r.name];
    log(
      `${r.name.padEnd(19)} ${String(r.lines).padStart(5)}   ${pct(r.greedy.charAccuracy).padStart(12)}  ${pct(r.greedy.wordAccuracy).padStart(12)}   ${pct(r.languageModel.charAccuracy).padStart(8)}   ${pct(r.languageModel.wordAccuracy).padStart(8)}   ${g ? `${pct(g.charAccuracy)} / ${pct(g.wordAccuracy)}`.padStart(17) : '—'.padStart(17)}   ${r.msPerLineP50.toFixed(1).padStart(7)}`,
    );
  }
  const by = (name: string) => result.results.find((r) => r.name === name);
  const checks: [string, boolean | undefined][] = [
    [
      'UNIPEN test writers ≥ 92% characters with LM',
      by('unipen-words-test') && by('unipen-words-test')!.languageModel.charAccuracy >= 0.92,
    ],
    [
      'UNIPEN test writers ≥ 75% words with LM',
      by('unipen-words-test') && by('unipen-words-test')!.languageModel.wordAccuracy >= 0.75,
    ],
    [
      'held-out fonts, capitals and digits ≥ 97% characters',
      by('fonts-caps-digits') && by('fonts-caps-digits')!.languageModel.charAccuracy >= 0.97,
    ],
    [
      'held-out fonts, mixed case ≥ 95% characters',
      by('fonts-mixed') && by('fonts-mixed')!.languageModel.charAccuracy >= 0.95,
    ],
    [
      'codes: the LM never worse than none',
      by('fonts-codes') && by('fonts-codes')!.languageModel.cer <= by('fonts-codes')!.greedy.cer,
    ],
  ];
  for (const [what, met] of checks) {
    if (met !== undefined) log(`  ${met ? 'met    ' : 'NOT met'}  ${what}`);
  }
}

async function main(): Promise<void> {
  const values = parseBenchArgs(
    'bench:read-words',
    'Whole lines read by the line reader and the glyph reader, against the targets.',
    {
      lineModel: {
        flags: '--line-model <dir>',
        description: 'the line model (default: the shipped one)',
      },
      glyphModel: {
        flags: '--glyph-model <dir>',
        description: 'the character model of the glyph reader (default: the shipped one)',
      },
      glyphs: { flags: '--no-glyphs', description: 'do not read with the glyph reader' },
      dataDir: { flags: '--data-dir <dir>', description: 'datasets folder' },
      limit: {
        flags: '--limit <n>',
        description: 'lines per set at most',
        parse: 'positive',
        default: 1000,
      },
      sets: { flags: '--sets <list>', description: 'comma-separated test sets (default: all)' },
      json: { flags: '--json', description: 'print machine-readable results', default: false },
    },
  );
  const limit = values.limit;
  await initEngine();
  const result = await benchWholeLines({
    ...(values.lineModel ? { lineModel: values.lineModel } : {}),
    ...(!values.glyphs
      ? { glyphModel: false }
      : values.glyphModel
        ? { glyphModel: values.glyphModel }
        : {}),
    ...(values.dataDir ? { dataDir: values.dataDir } : {}),
    ...(values.sets ? { sets: values.sets.split(',') } : {}),
    limit,
  });
  if (values.json) {
    console.log(
      JSON.stringify(
        { ...result, results: result.results.map(({ worst: _w, ...r }) => r) },
        null,
        2,
      ),
    );
  } else {
    printWholeLines(result, (line) => console.log(line));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`bench:read-words: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
