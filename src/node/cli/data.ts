// `hcr data`: the datasets. `list` (the default) and `synth` have files of their own;
// `download` fetches a public dataset and checks its SHA-256, and `kaggle` says where to put a
// dataset that needs a Kaggle login.

import {
  KAGGLE_DATASETS,
  PUBLIC_DATASETS,
  downloadDataset,
  kaggleInstructions,
} from '../data/download.js';
import { defaultDataDir } from '../data/paths.js';
import { defineCommand, type CliCommand } from './command.js';
import { DATA_OPTIONS, RUN_OPTIONS, dataDirOf, note, print } from './common.js';
import { DATA_LIST_COMMAND } from './data-list.js';
import { defineOptions } from './options.js';
import { DATA_SYNTH_COMMAND } from './synth.js';

/** The options of `hcr data download`. */
export const DOWNLOAD_OPTIONS = defineOptions({
  mirror: { flags: '--mirror <url>', description: 'fetch the files from this base URL instead' },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** How often a download reports its progress, in milliseconds. */
const PROGRESS_EVERY_MS = 2000;

/** `hcr data download NAME`: downloads into the data folder and prints each file's SHA-256. */
export const DATA_DOWNLOAD_COMMAND = defineCommand({
  name: 'download',
  description: 'download a public dataset into the data folder and check its SHA-256',
  arguments: [{ name: '<name>', description: `one of ${Object.keys(PUBLIC_DATASETS).join(', ')}` }],
  options: DOWNLOAD_OPTIONS,
  run: async (options, [name]: [string]) => {
    let lastReport = 0;
    const result = await downloadDataset(name, {
      dataDir: dataDirOf(options),
      ...(options.mirror ? { baseUrl: options.mirror } : {}),
      onProgress: (p) => {
        if (options.json || Date.now() - lastReport < PROGRESS_EVERY_MS) return;
        lastReport = Date.now();
        const total = p.totalBytes ? ` of ${(p.totalBytes / 1e6).toFixed(1)} MB` : '';
        note(`${p.phase} ${p.file}: ${(p.bytes / 1e6).toFixed(1)} MB${total}`);
      },
    });
    if (options.json) print(JSON.stringify(result, null, 2));
    else for (const file of result.files) print(`✓ ${file.path}  sha256 ${file.sha256}`);
  },
});

/** The options of `hcr data kaggle`. */
export const KAGGLE_OPTIONS = defineOptions({
  dataDir: { flags: '--data-dir <dir>', description: 'datasets folder' },
});

/** `hcr data kaggle NAME`: where to download a Kaggle dataset and where to put it. */
export const DATA_KAGGLE_COMMAND = defineCommand({
  name: 'kaggle',
  description: 'tell where to download a Kaggle dataset (needs a Kaggle login) and where to put it',
  arguments: [{ name: '<name>', description: `one of ${Object.keys(KAGGLE_DATASETS).join(', ')}` }],
  options: KAGGLE_OPTIONS,
  run: (options, [name]: [string]) => {
    print(kaggleInstructions(name, options.dataDir ?? defaultDataDir()));
  },
});

/** `hcr data` and its subcommands in the command registry. */
export const DATA_COMMAND: CliCommand = Object.freeze({
  name: 'data',
  description: 'list, download and locate the datasets',
  subcommands: [DATA_LIST_COMMAND, DATA_DOWNLOAD_COMMAND, DATA_SYNTH_COMMAND, DATA_KAGGLE_COMMAND],
});
