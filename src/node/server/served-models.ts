// The models one server serves (issue 16): each known by a short name, its directory's base name
// (`alnum36`, `byclass62`), the first one the default. The default model's workers start with the
// server; every other model is only described (hcr.json) until its first API request, which loads
// it and starts its own worker pool, so an idle server holds one pool. Also the files each model
// gives the page (model.json, weights.bin), checked against the SHA-256 hcr.json records, and
// how such a file is sent (with its ETag, also for the line model's files).

import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HcrError } from '../errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import {
  loadModel,
  readMetadata,
  type LoadedModel,
  type ModelMetadata,
} from '../model/artifact.js';
import { ApiError } from './errors.js';
import { WorkPool, type WorkPoolOptions, type WorkPoolStats } from './work-pool.js';

/** The model files the page downloads, served under `/model/NAME/` (and `/model/` for the default). */
export const BROWSER_MODEL_FILES = Object.freeze(['model.json', 'weights.bin']);

/** What a served model's name may look like: it appears in URLs (`/model/NAME/model.json`). */
const MODEL_NAME = /^[A-Za-z0-9][\w.-]*$/;

/** One browser file in memory, with the ETag it is served with. */
export interface BrowserFile {
  readonly bytes: Buffer;
  /** The first 32 hex digits of the file's SHA-256, quoted. */
  readonly etag: string;
}

/**
 * Answers with a browser file `name` (a model's or the line model's): its bytes and ETag,
 * revalidated on each use (`no-cache`), or 304 when the request's `if-none-match` has it.
 *
 * @example
 * const file = await model.browserFile('model.json');
 * if (file) return sendBrowserFile(request, reply, 'model.json', file);
 */
export function sendBrowserFile(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  file: BrowserFile,
): FastifyReply {
  reply
    .header('etag', file.etag)
    .header('cache-control', 'no-cache')
    .type(name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.bytes);
}

/**
 * The name a model directory is served under: its base name.
 *
 * @example
 * servedModelName('models/byclass62/'); // 'byclass62'
 */
export function servedModelName(dir: string): string {
  return basename(resolve(dir));
}

/**
 * What a label set holds, in words for people: a short title (the page's switch) and a one-line
 * description (`GET /api/models`).
 *
 * @example
 * describeClasses(LABEL_SETS.alnum36.classes); // { title: 'digits and capitals', description: 'digits and capitals' }
 * describeClasses(LABEL_SETS.byclass62.classes).description; // 'all characters: digits, capitals and lowercase'
 */
export function describeClasses(classes: readonly string[]): {
  title: string;
  description: string;
} {
  const has = (pattern: RegExp) => classes.some((c) => pattern.test(c));
  const digits = has(/^[0-9]$/);
  const capitals = has(/^[A-Z]$/);
  const lowercase = has(/^[a-z]$/);
  const other = classes.some((c) => !/^[0-9A-Za-z]$/.test(c));
  if (digits && capitals && lowercase && !other) {
    return {
      title: 'all characters',
      description: 'all characters: digits, capitals and lowercase',
    };
  }
  const kinds = [
    ...(digits ? ['digits'] : []),
    ...(capitals ? ['capitals'] : []),
    ...(lowercase ? ['lowercase'] : []),
    ...(other ? ['other characters'] : []),
  ];
  const text =
    kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : (kinds[0] ?? '');
  return { title: text, description: text };
}

/** One entry of `GET /api/models`. */
export interface ServedModelSummary {
  readonly name: string;
  /** True for the model the API uses when a request names none. */
  readonly default: boolean;
  /** A few words for the page's switch, e.g. `digits and capitals`, `all characters`. */
  readonly title: string;
  /** One line for people, e.g. `all characters: digits, capitals and lowercase`. */
  readonly description: string;
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  readonly architecture: string;
  /** The URL of the model's model.json, as tfjs loads it. */
  readonly browserModel: string;
  /** The URL of each file the page downloads, by file name. */
  readonly browserFiles: Readonly<Record<string, string>>;
  /** `GET /api/model?model=NAME`: the model's metrics, training record and the server's limits. */
  readonly info: string;
}

/** A model the server serves: its description now, its worker pool and browser files on demand. */
export class ServedModel {
  readonly name: string;
  readonly dir: string;
  readonly metadata: ModelMetadata;
  readonly labelSet: LabelSet;
  readonly isDefault: boolean;
  readonly #poolOptions: WorkPoolOptions;
  #pool: Promise<WorkPool> | undefined;
  #started: WorkPool | undefined;
  #files: Promise<Map<string, BrowserFile>> | undefined;
  #closed = false;

  constructor(
    source: { dir: string; metadata: ModelMetadata; isDefault: boolean },
    poolOptions: (name: string) => WorkPoolOptions,
  ) {
    this.name = servedModelName(source.dir);
    this.dir = source.dir;
    this.metadata = source.metadata;
    this.labelSet = {
      name: source.metadata.labelSet.name,
      classes: [...source.metadata.labelSet.classes],
    };
    this.isDefault = source.isDefault;
    this.#poolOptions = poolOptions(this.name);
  }

  /** The URL of one of its browser files. */
  fileUrl(file: string): string {
    return `/model/${encodeURIComponent(this.name)}/${file}`;
  }

  /** Its entry in `GET /api/models`. */
  summary(): ServedModelSummary {
    const { title, description } = describeClasses(this.labelSet.classes);
    return {
      name: this.name,
      default: this.isDefault,
      title,
      description,
      labelSet: { name: this.labelSet.name, classes: this.labelSet.classes },
      architecture: this.metadata.architecture.name,
      browserModel: this.fileUrl('model.json'),
      browserFiles: Object.fromEntries(BROWSER_MODEL_FILES.map((f) => [f, this.fileUrl(f)])),
      info: `/api/model?model=${encodeURIComponent(this.name)}`,
    };
  }

  /**
   * Its worker pool, started on the first call: the model is loaded (every check of loadModel),
   * its weights handed to the workers, and the main thread's copy disposed. A start that fails
   * is tried again by the next call.
   */
  pool(): Promise<WorkPool> {
    this.#pool ??= this.#startPool().catch((error: unknown) => {
      this.#pool = undefined;
      throw error;
    });
    return this.#pool;
  }

  /** Starts its pool from a model the caller loaded (and keeps and disposes). */
  startWith(loaded: LoadedModel): Promise<WorkPool> {
    this.#pool ??= WorkPool.start(loaded, this.#poolOptions).then((pool) => this.#adopt(pool));
    return this.#pool;
  }

  async #startPool(): Promise<WorkPool> {
    const loaded = await loadModel(this.dir);
    try {
      return this.#adopt(await WorkPool.start(loaded, this.#poolOptions));
    } finally {
      loaded.dispose();
    }
  }

  async #adopt(pool: WorkPool): Promise<WorkPool> {
    if (this.#closed) {
      await pool.close();
      throw new ApiError('UNAVAILABLE', 'the server is shutting down');
    }
    this.#started = pool;
    return pool;
  }

  /** Its pool's figures, when its pool has started. */
  stats(): WorkPoolStats | undefined {
    return this.#started?.stats();
  }

  /** Checks that its browser files are there, without reading them. */
  async checkBrowserFiles(): Promise<void> {
    for (const file of BROWSER_MODEL_FILES) {
      const path = join(this.dir, file);
      await access(path).catch(() => {
        throw new HcrError('BAD_MODEL', `${path}: missing (the page needs it to run the model)`);
      });
    }
  }

  /**
   * One of its browser files, read and checked on first use (undefined: not a browser file).
   *
   * @throws HcrError BAD_MODEL when a file is gone or differs from what hcr.json records
   */
  async browserFile(file: string): Promise<BrowserFile | undefined> {
    if (!BROWSER_MODEL_FILES.includes(file)) return undefined;
    this.#files ??= this.#readBrowserFiles().catch((error: unknown) => {
      this.#files = undefined;
      throw error;
    });
    return (await this.#files).get(file);
  }

  async #readBrowserFiles(): Promise<Map<string, BrowserFile>> {
    const files = new Map<string, BrowserFile>();
    for (const name of BROWSER_MODEL_FILES) {
      const path = join(this.dir, name);
      const bytes = await readFile(path).catch(() => {
        throw new HcrError('BAD_MODEL', `${path}: missing (the page needs it to run the model)`);
      });
      const sha = createHash('sha256').update(bytes).digest('hex');
      const recorded = this.metadata.files[name]?.sha256;
      if (recorded !== undefined && recorded !== sha) {
        throw new HcrError(
          'BAD_MODEL',
          `${path}: SHA-256 ${sha} does not match ${recorded} recorded in hcr.json (changed after loading?)`,
        );
      }
      files.set(name, { bytes, etag: `"${sha.slice(0, 32)}"` });
    }
    return files;
  }

  /** Stops its pool (if started, or once it has started). */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = await this.#pool?.catch(() => undefined);
    await pool?.close();
  }
}

/**
 * Every model a server serves, by name, the default first.
 *
 * @example
 * const models = await ServedModels.open(loaded, ['models/byclass62'], () => poolOptions);
 * const pool = await models.get('byclass62').pool();
 */
export class ServedModels {
  readonly default: ServedModel;
  readonly all: readonly ServedModel[];

  private constructor(all: readonly ServedModel[]) {
    this.all = all;
    this.default = all[0]!;
  }

  /**
   * Describes the models and starts the default one's workers (`defaultModel`, loaded by the
   * caller, who disposes it); the others (`moreDirs`) are read (hcr.json) and their browser
   * files looked for, nothing more. `poolOptions` gives each model's pool its options.
   *
   * @throws HcrError BAD_OPTION for two models of one name or a name unfit for a URL; NOT_FOUND or
   *   BAD_MODEL for a directory that is not a model or lacks its browser files; ENGINE when the
   *   default model's workers cannot start
   */
  static async open(
    defaultModel: LoadedModel,
    moreDirs: readonly string[],
    poolOptions: (name: string) => WorkPoolOptions,
  ): Promise<ServedModels> {
    const dirs = [defaultModel.dir, ...moreDirs];
    const seen = new Map<string, string>();
    for (const dir of dirs) {
      const name = servedModelName(dir);
      if (!MODEL_NAME.test(name)) {
        throw new HcrError(
          'BAD_OPTION',
          `${dir}: a served model is known by its directory's name, and '${name}' cannot be one (expected letters, digits, '.', '_' or '-', starting with a letter or digit); rename the directory`,
        );
      }
      const first = seen.get(name);
      if (first !== undefined) {
        throw new HcrError(
          'BAD_OPTION',
          `two models named '${name}' (${first} and ${dir}): a served model is known by its directory's name, so each needs its own; rename one directory`,
        );
      }
      seen.set(name, dir);
    }
    const all = [
      new ServedModel(
        { dir: defaultModel.dir, metadata: defaultModel.metadata, isDefault: true },
        poolOptions,
      ),
    ];
    for (const dir of moreDirs) {
      all.push(
        new ServedModel({ dir, metadata: await readMetadata(dir), isDefault: false }, poolOptions),
      );
    }
    const models = new ServedModels(all);
    // The default's files are read now, as before there were several models: a server that
    // cannot give the page its model fails at start, not on the page's first visit.
    await models.default.browserFile(BROWSER_MODEL_FILES[0]!);
    for (const model of all.slice(1)) await model.checkBrowserFiles();
    await models.default.startWith(defaultModel);
    return models;
  }

  /**
   * The model named `name`, or the default when `name` is undefined.
   *
   * @throws ApiError BAD_REQUEST for a name the server does not serve, listing those it does
   */
  get(name: string | undefined): ServedModel {
    if (name === undefined) return this.default;
    const model = this.all.find((m) => m.name === name);
    if (!model) {
      throw new ApiError(
        'BAD_REQUEST',
        `querystring/model: no model named '${name}' on this server; expected one of ${this.all.map((m) => m.name).join(', ')} (GET /api/models lists them)`,
      );
    }
    return model;
  }

  /** The worker figures of every started pool, added up. */
  stats(): WorkPoolStats {
    const total = { workers: 0, busy: 0, starting: 0, queued: 0, restarts: 0, tensors: 0 };
    for (const model of this.all) {
      const stats = model.stats();
      if (!stats) continue;
      for (const key of Object.keys(total) as (keyof WorkPoolStats)[]) total[key] += stats[key];
    }
    return total;
  }

  /** Stops every pool. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((m) => m.close()));
  }
}
