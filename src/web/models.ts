// The models the page may read with (issue 16): the list `GET /api/models` gives, which one the
// page starts with (the one chosen last time, kept in localStorage, else the server's default),
// the switch's labels, and what the page asks people to write for a model's classes. Pure
// functions but for the fetch, which callers pass in, so they are tested in Node.

/** One entry of `GET /api/models`: what the page needs of a served model. */
export interface ServedModelEntry {
  /** Its name on the server: `?model=NAME`, `/model/NAME/`. */
  readonly name: string;
  /** True for the server's default model. */
  readonly default: boolean;
  /** A few words for the switch, e.g. `digits and capitals`, `all characters`. */
  readonly title: string;
  /** One line for people. */
  readonly description: string;
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  /** `GET /api/model?model=NAME`: its metrics and the server's limits. */
  readonly info: string;
}

/** The localStorage key of the model chosen last. */
export const MODEL_CHOICE_KEY = 'hcr-model';

/**
 * The served models, default first; `undefined` from a server that predates `GET /api/models`
 * (it serves one model, described by `GET /api/model`).
 *
 * @throws when the server answers with an error
 * @example
 * const models = await fetchModels(fetch);
 */
export async function fetchModels(
  fetchImpl: typeof fetch,
): Promise<readonly ServedModelEntry[] | undefined> {
  const response = await fetchImpl('/api/models');
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET /api/models answered ${response.status}`);
  const body = (await response.json()) as { models: ServedModelEntry[] };
  return [...body.models].sort((a, b) => Number(b.default) - Number(a.default));
}

/**
 * The model to start with: the one named `stored` (chosen last time) when the server still
 * serves it, else the default.
 *
 * @example
 * chooseModel(models, localStorage.getItem(MODEL_CHOICE_KEY)).name; // 'byclass62'
 */
export function chooseModel(
  models: readonly ServedModelEntry[],
  stored: string | null | undefined,
): ServedModelEntry | undefined {
  return (
    models.find((m) => m.name === stored) ?? models.find((m) => m.default) ?? models[0] ?? undefined
  );
}

/**
 * The switch's label of each model: its title, with its name added when two models share one.
 *
 * @example
 * switchLabels(models); // ['digits and capitals', 'all characters']
 */
export function switchLabels(models: readonly ServedModelEntry[]): string[] {
  return models.map((m) =>
    models.filter((other) => other.title === m.title).length > 1
      ? `${m.title} (${m.name})`
      : m.title,
  );
}

/**
 * What the page asks people to write for a model of `classes`: one character (`Draw ...`) and
 * several (`Write a few ... side by side`).
 *
 * @example
 * writingWords(['0', 'A']); // { one: 'a digit or a capital letter', many: 'digits or capitals' }
 */
export function writingWords(classes: readonly string[]): { one: string; many: string } {
  const has = (pattern: RegExp) => classes.some((c) => pattern.test(c));
  const digits = has(/^[0-9]$/);
  const capitals = has(/^[A-Z]$/);
  const lowercase = has(/^[a-z]$/);
  if (capitals && lowercase) {
    return digits
      ? {
          one: 'a digit or a letter, capital or small',
          many: 'digits and letters, capital or small',
        }
      : { one: 'a letter, capital or small', many: 'letters, capital or small' };
  }
  if (digits && capitals) return { one: 'a digit or a capital letter', many: 'digits or capitals' };
  if (digits && !lowercase) return { one: 'a digit', many: 'digits' };
  if (capitals) return { one: 'a capital letter', many: 'capitals' };
  return { one: 'a character', many: 'characters' };
}
