// Which served model the page reads with (issue 16): the switch (one radio a model, hidden when
// there is one), the choice kept for the next visit, each model loaded on its first choice (a
// load that finishes after another choice is ignored), what the status and model lines say of
// it, and the Teach panel told of it. Without a model the server describes, the page reads on
// the server.

import languageModelUrl from '../../models/lm-en/language-model.json?url';
import type { ModelArtifacts } from './adapt-protocol.js';
import { byId, messageOf } from './dom.js';
import { MODEL_CHOICE_KEY, chooseModel, switchLabels, type ServedModelEntry } from './models.js';
import { adaptOptionsFromUrl, lineAdaptOptionsFromUrl } from './page-options.js';
import {
  describeModel,
  listModels,
  servedLineModel,
  serverModel,
  type ModelLoader,
  type ReadyModel,
} from './page-models.js';
import type { PageState } from './page-state.js';
import type { PageView } from './page-view.js';
import { Teach } from './teach.js';

/** What the model choice needs of the page. */
export interface ModelChoiceHost {
  readonly state: PageState;
  readonly view: PageView;
  readonly loader: ModelLoader;
  /** How GET /api/models is asked (the page shares one answer). */
  readonly fetch: typeof fetch;
  /** Reads the pad after `delay` milliseconds (read-loop.ts). */
  schedule(delay: number): void;
  /** Reads the pad now (read-loop.ts). */
  update(): Promise<void>;
  /** Clears the pad (the Teach panel keeps a sample, then clears it). */
  clearPad(): void;
  /** Switches to one-character mode (the Teach panel asks for characters). */
  showCharMode(): void;
  /** Reads ink with these line weights from now on (none: the served model's). */
  useLineModel(model: ModelArtifacts | undefined): void;
}

/**
 * The page's choice of model, and the Teach panel that follows it.
 *
 * @example
 * const choice = new ModelChoice(host);
 * await choice.start();
 */
export class ModelChoice {
  readonly #host: ModelChoiceHost;
  readonly #switch = byId<HTMLFieldSetElement>('model-switch');
  /** The Teach panel, once a model runs in the browser (undefined if it cannot start). */
  #teach: Promise<Teach | undefined> | undefined;

  constructor(host: ModelChoiceHost) {
    this.#host = host;
  }

  /** The Teach panel, once a model runs in the browser (undefined if it cannot start). */
  get teach(): Promise<Teach | undefined> | undefined {
    return this.#teach;
  }

  /** Lists the served models, builds the switch and reads with the one chosen last time. */
  async start(): Promise<void> {
    const { state, view } = this.#host;
    view.status.textContent = 'Loading the model…';
    try {
      state.setModels(await listModels(this.#host.fetch));
    } catch (error) {
      view.status.textContent = `The server did not describe its model (${messageOf(error)}); predictions may fail.`;
      state.readOnServer();
      view.showRecognizer(state.server);
      void this.#host.update();
      return;
    }
    this.#buildSwitch();
    const first = chooseModel(state.models, localStorage.getItem(MODEL_CHOICE_KEY));
    if (first) await this.use(first);
  }

  /** The switch between the served models: one radio each, hidden when there is one. */
  #buildSwitch(): void {
    const models = this.#host.state.models;
    const labels = switchLabels(models);
    const radios = models.map((entry, i) => {
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'model';
      input.value = entry.name;
      input.className = 'visually-hidden';
      input.addEventListener('change', () => {
        if (!input.checked) return;
        localStorage.setItem(MODEL_CHOICE_KEY, entry.name);
        void this.use(entry);
      });
      const label = document.createElement('label');
      label.className = 'mode';
      label.title = `${entry.description} (${entry.name})`;
      label.append(input, labels[i]!);
      return label;
    });
    this.#switch.append(...radios);
    this.#switch.hidden = models.length < 2;
  }

  /** Reads with `entry` from now on: loads it (once), then reads the pad again. */
  async use(entry: ServedModelEntry): Promise<void> {
    const { state, view } = this.#host;
    const choice = state.chooseModel(entry);
    for (const input of this.#switch.querySelectorAll<HTMLInputElement>('input')) {
      input.checked = input.value === entry.name;
    }
    document.body.dataset['modelName'] = entry.name;
    view.showWriting(entry.labelSet.classes);
    view.setBusy(true);
    view.status.textContent =
      state.models.length > 1 ? `Loading the model for ${entry.title}…` : 'Loading the model…';
    let model: ReadyModel;
    try {
      model = await this.#host.loader.load(entry);
    } catch (error) {
      if (!state.isLatest(choice)) return;
      view.status.textContent = `The server did not describe its model (${messageOf(error)}); predictions may fail.`;
      state.readOnServer(serverModel(entry));
      view.showRecognizer(state.server);
      this.#host.schedule(0);
      return;
    }
    if (!state.isLatest(choice)) return;
    state.modelLoaded(model);
    view.modelInfo.textContent = describeModel(model.info);
    view.status.textContent = model.fallback
      ? `The model runs on the server: this browser could not run it (${model.fallback}).`
      : `The model runs ${model.recognizer.where}: drawings never leave this machine.`;
    await this.#teachWith(entry, model);
    if (!state.isLatest(choice)) return;
    state.readWith(model.recognizer);
    view.showRecognizer(model.recognizer);
    this.#host.schedule(0);
  }

  /** Tells the Teach panel which model the page reads with, starting it on first use. */
  async #teachWith(entry: ServedModelEntry, model: ReadyModel): Promise<void> {
    const host = this.#host;
    const { view } = host;
    if (!this.#teach && model.recognizer.kind === 'browser') {
      this.#teach = servedLineModel(host.fetch)
        .then((lineModelUrl) =>
          Teach.start({
            models: host.state.models,
            padCanvas: view.padCanvas,
            clearPad: () => host.clearPad(),
            showCharMode: () => host.showCharMode(),
            reread: () => host.schedule(0),
            adaptOptions: adaptOptionsFromUrl(),
            lines: {
              lineModelUrl,
              languageModelUrl,
              useLineModel: (weights) => host.useLineModel(weights),
              reread: () => host.schedule(0),
              adaptOptions: lineAdaptOptionsFromUrl(),
            },
          }),
        )
        .then(
          (started) => {
            byId('teach-toggle').hidden = false;
            return started;
          },
          (error: unknown) => {
            view.modelInfo.textContent += ` Teaching is unavailable here (${messageOf(error)}).`;
            return undefined;
          },
        );
    }
    const started = await this.#teach;
    await started
      ?.setModel({
        name: entry.name,
        title: entry.title,
        info: model.info,
        recognizer: model.recognizer,
      })
      .catch((error: unknown) => {
        view.modelInfo.textContent += ` Teaching is unavailable for this model (${messageOf(error)}).`;
      });
  }
}
