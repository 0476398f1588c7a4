// Where the page keeps what the user taught it, in the browser's IndexedDB (nothing leaves the
// machine): the character samples (the 28x28 image the model saw, the label the user gave, a
// small PNG of the original drawing), the line samples (a word's ink and its corrected text), and
// the adapted models (character and line) with what their adaptation measured. All survive a
// reload.

import type { InkStroke } from '../core/ink/types.js';
import type { ModelArtifacts, SetScore } from './adapt-protocol.js';

/** One sample the user gave: what a drawing should have read as. */
export interface Sample {
  /** Key in the store (set when it is added). */
  readonly id?: number;
  /** The class it is, as the label set writes it (`A`, `7`). */
  readonly label: string;
  /** The normalized 28x28 image (0 background, 255 ink). */
  readonly pixels: Uint8Array;
  /** The original drawing as a small PNG, when kept. */
  readonly drawing?: Blob;
  /** What the model read it as when it was kept (absent for imported ones). */
  readonly readAs?: string;
  readonly createdAt: string;
}

/** The adapted model as stored. */
export interface AdaptedModel {
  readonly artifacts: ModelArtifacts;
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  /** The first 32 hex digits of the base model's weights.bin SHA-256 (the server's ETag). */
  readonly baseWeights: string;
  readonly createdAt: string;
  readonly samples: number;
  readonly seconds: number;
  readonly backend: string;
  readonly scores: readonly SetScore[];
}

/** One word the user corrected: its ink and what it says, a sample for the line model. */
export interface LineSample {
  /** Key in the store (set when it is added). */
  readonly id?: number;
  /** What the word says (the correction). */
  readonly text: string;
  /** Its strokes as the pad kept them (any units: the line model's rendering scales them). */
  readonly strokes: readonly InkStroke[];
  /** What the line model read it as when it was kept (absent for imported ones). */
  readonly readAs?: string;
  readonly createdAt: string;
}

/** The adapted line model as stored. */
export interface AdaptedLineModel {
  readonly artifacts: ModelArtifacts;
  /** The characters of its classes 1.. (the base model's). */
  readonly charset: string;
  /** The base line model's weights.bin ETag (the first 32 hex digits of its SHA-256). */
  readonly baseWeights: string;
  readonly createdAt: string;
  /** Words trained on, and held out. */
  readonly samples: number;
  readonly heldOut: number;
  readonly seconds: number;
  readonly backend: string;
  /** Characters right on the held-out words, before and after. */
  readonly scores: readonly SetScore[];
}

const DB_NAME = 'hcr-teach';
/** Version 2 added the line samples. */
const DB_VERSION = 2;
const SAMPLES = 'samples';
const LINE_SAMPLES = 'line-samples';
const MODELS = 'models';
const ADAPTED_KEY = 'adapted';
const ADAPTED_LINE_KEY = 'adapted-line';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** The page's IndexedDB store of samples and the adapted model. */
export class TeachStore {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  /**
   * Opens (and on first use creates) the store.
   *
   * @example
   * const store = await TeachStore.open();
   */
  static async open(name = DB_NAME): Promise<TeachStore> {
    const open = indexedDB.open(name, DB_VERSION);
    open.onupgradeneeded = (event) => {
      const db = open.result;
      if (event.oldVersion < 1) {
        db.createObjectStore(SAMPLES, { keyPath: 'id', autoIncrement: true });
        db.createObjectStore(MODELS);
      }
      if (event.oldVersion < 2) {
        db.createObjectStore(LINE_SAMPLES, { keyPath: 'id', autoIncrement: true });
      }
    };
    return new TeachStore(await request(open));
  }

  #store(name: string, mode: IDBTransactionMode): IDBObjectStore {
    return this.#db.transaction(name, mode).objectStore(name);
  }

  /** Every sample, oldest first. */
  async samples(): Promise<Sample[]> {
    return request(this.#store(SAMPLES, 'readonly').getAll() as IDBRequest<Sample[]>);
  }

  /** Adds a sample; returns its id. */
  async addSample(sample: Sample): Promise<number> {
    // The store gives the key: a sample passed in with one is added as a new one.
    const rest: Sample = { ...sample };
    delete (rest as { id?: number }).id;
    return Number(await request(this.#store(SAMPLES, 'readwrite').add(rest)));
  }

  async deleteSample(id: number): Promise<void> {
    await request(this.#store(SAMPLES, 'readwrite').delete(id));
  }

  async clearSamples(): Promise<void> {
    await request(this.#store(SAMPLES, 'readwrite').clear());
  }

  async adapted(): Promise<AdaptedModel | undefined> {
    return request(
      this.#store(MODELS, 'readonly').get(ADAPTED_KEY) as IDBRequest<AdaptedModel | undefined>,
    );
  }

  async saveAdapted(model: AdaptedModel): Promise<void> {
    await request(this.#store(MODELS, 'readwrite').put(model, ADAPTED_KEY));
  }

  async deleteAdapted(): Promise<void> {
    await request(this.#store(MODELS, 'readwrite').delete(ADAPTED_KEY));
  }

  /** Every line sample, oldest first. */
  async lineSamples(): Promise<LineSample[]> {
    return request(this.#store(LINE_SAMPLES, 'readonly').getAll() as IDBRequest<LineSample[]>);
  }

  /** Adds a line sample; returns its id. */
  async addLineSample(sample: LineSample): Promise<number> {
    const rest: LineSample = { ...sample };
    delete (rest as { id?: number }).id;
    return Number(await request(this.#store(LINE_SAMPLES, 'readwrite').add(rest)));
  }

  async deleteLineSample(id: number): Promise<void> {
    await request(this.#store(LINE_SAMPLES, 'readwrite').delete(id));
  }

  async clearLineSamples(): Promise<void> {
    await request(this.#store(LINE_SAMPLES, 'readwrite').clear());
  }

  async adaptedLine(): Promise<AdaptedLineModel | undefined> {
    return request(
      this.#store(MODELS, 'readonly').get(ADAPTED_LINE_KEY) as IDBRequest<
        AdaptedLineModel | undefined
      >,
    );
  }

  async saveAdaptedLine(model: AdaptedLineModel): Promise<void> {
    await request(this.#store(MODELS, 'readwrite').put(model, ADAPTED_LINE_KEY));
  }

  async deleteAdaptedLine(): Promise<void> {
    await request(this.#store(MODELS, 'readwrite').delete(ADAPTED_LINE_KEY));
  }
}
