// `hcr data list [--verify]`: which sources the data folder holds, and whether their files are
// sound. Without --verify the check is quick (sizes and headers); with it every byte is read
// (gzip stream, IDX payload, SHA-256, the synthetic manifest). A bad file makes the exit code
// BAD_DATA's.

import { KAGGLE_DATASETS, PUBLIC_DATASETS } from '../data/download.js';
import { checkDataDir, type FileCheck, type SourceCheck } from '../data/verify.js';
import { EXIT_CODE } from '../errors.js';
import { defineCommand } from './command.js';
import { DATA_OPTIONS, RUN_OPTIONS, dataDirOf, note, print } from './common.js';
import { defineOptions } from './options.js';

/** Options of {@link dataListCommand}, as the CLI parsed them. */
export interface DataListOptions {
  readonly dataDir: string;
  /** Read every byte of every file (--verify). */
  readonly verify?: boolean;
  readonly json?: boolean;
}

/** Where `hcr data list` writes: stdout for the listing, stderr for progress. */
export interface DataListOutput {
  print(text: string): void;
  note(text: string): void;
  /** The clock that throttles progress lines. Default: Date.now. */
  now?: () => number;
}

const MARK = { ok: '✓', bad: '✗', absent: '·' } as const;

function fileRows(file: FileCheck, verify: boolean): string[] {
  if (file.status === 'missing') {
    return verify && !file.optional ? [`      · ${file.path}: missing`] : [];
  }
  const rows: string[] = [];
  if (file.status === 'bad') {
    rows.push(`      ✗ ${file.path}: ${file.problems.join('; ')}`);
  } else if (verify) {
    rows.push(`      ✓ ${file.path}  ${file.bytes} bytes  ${file.passed.join(', ') || 'present'}`);
  }
  for (const warning of file.warnings) rows.push(`      ! ${file.path}: ${warning}`);
  return rows;
}

function sourceRows(source: SourceCheck, verify: boolean): string[] {
  const rows = [`  ${MARK[source.status]} ${source.name}`];
  if (source.status === 'absent') return rows;
  for (const problem of source.problems) rows.push(`      ✗ ${problem}`);
  for (const file of source.files) rows.push(...fileRows(file, verify));
  return rows;
}

/**
 * Runs `hcr data list`: prints each source with ✓ (sound), ✗ (a bad or missing file, with what
 * was expected and what was found) or · (absent), and returns the exit code: 0, or BAD_DATA's
 * when a file is bad.
 *
 * @example
 * const code = await dataListCommand({ dataDir: '/data', verify: true }, { print, note });
 */
export async function dataListCommand(
  options: DataListOptions,
  output: DataListOutput,
): Promise<number> {
  const verify = options.verify ?? false;
  const now = output.now ?? (() => Date.now());
  let lastReport = now();
  const result = await checkDataDir(options.dataDir, {
    full: verify,
    onProgress: (p) => {
      if (options.json || now() - lastReport < 2000) return;
      lastReport = now();
      output.note(
        `verifying ${p.file}: ${(p.bytes / 1e6).toFixed(1)} of ${(p.totalBytes / 1e6).toFixed(1)} MB`,
      );
    },
  });
  if (options.json) {
    output.print(JSON.stringify(result, null, 2));
  } else {
    output.print(`data folder: ${result.dataDir}`);
    for (const source of result.sources) {
      for (const row of sourceRows(source, verify)) output.print(row);
    }
    if (!result.ok) {
      output.print(
        verify
          ? '\nsome files are bad: download or convert them again'
          : '\nsome files are bad; hcr data list --verify checks every byte',
      );
    } else if (!verify) {
      output.print('\nhcr data list --verify reads every file (gzip, IDX, SHA-256)');
    }
    output.print(`download: hcr data download ${Object.keys(PUBLIC_DATASETS).join('|')}`);
    output.print(
      `Kaggle sets need a login; see: hcr data kaggle ${Object.keys(KAGGLE_DATASETS).join('|')}`,
    );
  }
  return result.ok ? 0 : EXIT_CODE.BAD_DATA;
}

/** The options of `hcr data list`. */
export const DATA_LIST_OPTIONS = defineOptions({
  verify: {
    flags: '--verify',
    description:
      'read every file whole: gzip stream complete, IDX header against payload, published SHA-256',
  },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** `hcr data list` (also plain `hcr data`) in the command registry. */
export const DATA_LIST_COMMAND = defineCommand({
  name: 'list',
  description:
    'show which datasets are present in the data folder, and whether their files are sound',
  options: DATA_LIST_OPTIONS,
  isDefault: true,
  run: async (options, _args: [], state) => {
    state.exitCode = await dataListCommand(
      {
        dataDir: dataDirOf(options),
        ...(options.verify ? { verify: true } : {}),
        ...(options.json ? { json: true } : {}),
      },
      { print, note },
    );
  },
});
