// The page's entry point: wires the drawing pad, uploads (picker, drag and drop, paste),
// keyboard shortcuts and the results, and reads the character whenever the pad changes
// (throttled while a stroke is being drawn, at once when it ends). In line mode the pad is a
// writing area of several lines whose strokes are read as ink after each pen-up, in a Web
// Worker (ink-view.ts), so the pen never waits; an upload is read as an image.
// Each mode keeps its own drawing; switching brings the other one back. When the server serves
// several models (GET /api/models), a switch chooses the one the page reads with; each is loaded
// in the browser on first choice, and the choice is kept for the next visit.

import './style.css';
import languageModelUrl from '../../models/lm-en/language-model.json?url';
import type { LineAdaptOptions } from '../core/line/adapt.js';
import { READ_DEFAULTS } from '../core/read/options.js';
import type { GrayImage } from '../core/types.js';
import {
  canvasToGray,
  decodeFile,
  firstImageFile,
  isTypingIn,
  looksLikeALine,
  scaledCanvas,
} from './images.js';
import { InkLine } from './ink-line.js';
import { InkView } from './ink-view.js';
import { LineResults, type LinePlacement } from './line-view.js';
import {
  MODEL_CHOICE_KEY,
  chooseModel,
  fetchModels,
  switchLabels,
  writingWords,
  type ServedModelEntry,
} from './models.js';
import { DrawingPad, type PadChange, type PadState } from './pad.js';
import {
  PageError,
  loadBrowserRecognizer,
  serverRecognizer,
  startBrowserRuntime,
  type BrowserRuntime,
  type ModelInfo,
  type RecognitionInput,
  type Recognizer,
} from './recognizer.js';
import { showEmpty, showError, showRecognition, type ResultsView } from './results.js';
import { Teach } from './teach.js';

/** What the page reads: one character on a square pad, or a line on a wide one. */
type Mode = 'char' | 'line';

/** Delay between readings while a stroke is being drawn, in milliseconds, per mode. */
const LIVE_DELAY_MS: Readonly<Record<Mode, number>> = Object.freeze({ char: 120, line: 250 });
/** What the empty pad says, per mode. */
const DRAW_HINT: Readonly<Record<Mode, string>> = Object.freeze({
  char: 'Draw here',
  line: 'Write a few words here, on one line or several',
});
/** Pause after a pen-up before the ink is read, in milliseconds (a quick next stroke waits). */
const INK_DELAY_MS = 60;
/** The pad's and the upload's accessible names, and the page title, per mode. */
const MODE_TEXT = Object.freeze({
  char: {
    pad: 'Drawing area: draw one character with a mouse, a finger or a pen',
    upload: 'Upload an image of a character',
    title: 'hcr — draw a character',
  },
  line: {
    pad: 'Writing area: write words on one or more lines with a mouse, a finger or a pen',
    upload: 'Upload an image of a line of characters',
    title: 'hcr — write as on paper',
  },
});
/** Classes shown for one character. */
const TOP = 5;

/**
 * Most pixels of the image a line is read from: the pad (up to 2 canvas pixels per CSS pixel)
 * is scaled down to this, and an upload to {@link LINE_UPLOAD_PIXELS}, so a reading stays a few
 * tens of milliseconds.
 */
const LINE_DRAWING_PIXELS = 400_000;
const LINE_UPLOAD_PIXELS = 2_000_000;
/** Pen width bounds and step for the slider and the [ ] keys, in CSS pixels. */
const PEN = Object.freeze({ min: 4, max: 48, step: 2 });
/**
 * The pen's starting width per mode, in CSS pixels. MNIST's strokes are about a tenth of the
 * glyph's height (2-3 pixels of its 20), and the model reads strokes of that weight best: a
 * character drawn across most of the pad wants a pen near 26 px. Characters of a line are
 * written smaller, so a thinner pen keeps them in proportion (each mode then keeps the width
 * chosen for it).
 */
const PEN_START: Readonly<Record<Mode, number>> = Object.freeze({ char: 26, line: 6 });

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: missing element #${id}`);
  return el as T;
}

/** An upload the pad shows: its gray pixels (undefined when only the server can decode it). */
interface Upload {
  readonly file: Blob;
  readonly name: string;
  readonly gray?: GrayImage;
  /** The same scaled down to {@link LINE_UPLOAD_PIXELS}, for reading it as a line. */
  readonly lineGray?: GrayImage;
  /** Its ink is much wider than tall: one-character mode suggests line mode. */
  readonly wide?: boolean;
}

/** A line to read, and where it sits on the pad (none: the pad does not show it). */
interface LineSource {
  readonly input: RecognitionInput;
  readonly placement: LinePlacement | undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a served model's `info` URL (`GET /api/model?model=NAME`) answers. */
async function fetchModelInfo(url: string): Promise<ModelInfo> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as ModelInfo;
}

/**
 * `fetch`, with GET /api/models asked once and its answer shared: the model list, the browser's
 * line model and the ink reader all read it.
 */
function fetchSharingModels(): typeof fetch {
  let models: Promise<Response> | undefined;
  return (input, init) => {
    if (input !== '/api/models' || init !== undefined) return fetch(input, init);
    models ??= fetch(input);
    return models.then((response) => response.clone());
  };
}

/**
 * The served models, default first: `GET /api/models`, or from a server without it the one
 * model `GET /api/model` describes.
 */
async function listModels(fetchImpl: typeof fetch): Promise<readonly ServedModelEntry[]> {
  const listed = await fetchModels(fetchImpl);
  if (listed && listed.length > 0) return listed;
  const info = await fetchModelInfo('/api/model');
  const name = info.labelSet.name;
  return [
    {
      name,
      default: true,
      title: name,
      description: name,
      labelSet: info.labelSet,
      info: '/api/model',
    },
  ];
}

/** A model ready to read with: in the browser, or on the server when the browser cannot run it. */
interface ReadyModel {
  readonly info: ModelInfo;
  readonly recognizer: Recognizer;
  /** Its server-side recognizer (for images only the server can decode). */
  readonly server: Recognizer;
  /** Why the browser could not run it, when it runs on the server. */
  readonly fallback?: string;
}

function describeModel(info: ModelInfo): string {
  const all = info.metrics['all'] ?? Object.values(info.metrics)[0];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const accuracy = !all
    ? ''
    : all.accuracyCaseMerged === undefined
      ? `; test accuracy ${pct(all.accuracy)} (${pct(all.accuracyMerged)} counting look-alikes such as O/0 as one)`
      : `; test accuracy ${pct(all.accuracy)} (${pct(all.accuracyCaseMerged)} counting the two cases of c, o, s, x ... as one, which a character drawn alone cannot show)`;
  return `Model: ${info.architecture.name} network, ${info.labelSet.classes.length} classes (${info.labelSet.name})${accuracy}.`;
}

/**
 * Adaptation options from the page's address (`?adapt-epochs=1&adapt-repeats=4&adapt-lr=0.001`):
 * fewer passes for a slow machine, or a test's tiny model. Absent ones keep the page's recipe
 * (PAGE_TUNE).
 */
function adaptOptionsFromUrl(): { epochs?: number; repeats?: number; learningRate?: number } {
  const query = new URLSearchParams(location.search);
  const positive = (name: string): number | undefined => {
    const value = Number(query.get(name));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const epochs = positive('adapt-epochs');
  const repeats = positive('adapt-repeats');
  const learningRate = positive('adapt-lr');
  return {
    ...(epochs ? { epochs } : {}),
    ...(repeats ? { repeats } : {}),
    ...(learningRate ? { learningRate } : {}),
  };
}

/**
 * The line model's adaptation options from the page's address (`?line-adapt-steps=20&
 * line-adapt-lr=0.003`): a test's tiny model. Absent ones keep core's recipe
 * (LINE_ADAPT_DEFAULTS).
 */
function lineAdaptOptionsFromUrl(): LineAdaptOptions {
  const query = new URLSearchParams(location.search);
  const positive = (name: string): number | undefined => {
    const value = Number(query.get(name));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const steps = positive('line-adapt-steps');
  const learningRate = positive('line-adapt-lr');
  return { ...(steps ? { steps } : {}), ...(learningRate ? { learningRate } : {}) };
}

/** The served line model's model.json (GET /api/models' lineModel), or undefined. */
async function servedLineModel(fetchImpl: typeof fetch): Promise<string | undefined> {
  try {
    const response = await fetchImpl('/api/models');
    if (!response.ok) return undefined;
    const body = (await response.json()) as { lineModel?: { browserModel?: string } | null };
    return body.lineModel?.browserModel;
  } catch {
    return undefined;
  }
}

function start(): void {
  const view: ResultsView = {
    placeholder: byId('placeholder'),
    summary: byId('summary'),
    summaryProbability: byId('summary-probability'),
    ranking: byId<HTMLOListElement>('ranking'),
    note: byId('note'),
    seen: byId('seen'),
    seenCanvas: byId<HTMLCanvasElement>('seen-canvas'),
    error: byId('error'),
  };
  const status = byId('status');
  const modelInfo = byId('model-info');
  const penInput = byId<HTMLInputElement>('pen');
  const lineCharset = byId<HTMLSelectElement>('line-charset');
  const linePattern = byId<HTMLInputElement>('line-pattern');
  const lineLexicon = byId<HTMLTextAreaElement>('line-lexicon');
  const fileInput = byId<HTMLInputElement>('file');
  const frame = byId('pad-frame');
  const hint = byId('pad-hint');
  const padCanvas = byId<HTMLCanvasElement>('pad');
  const modeInputs = Array.from(document.querySelectorAll<HTMLInputElement>('input[name="mode"]'));
  const modelSwitch = byId<HTMLFieldSetElement>('model-switch');
  const readBy = byId('read-by');
  const lineResults = new LineResults({
    placeholder: byId('line-placeholder'),
    summary: byId('line-summary'),
    count: byId('line-count'),
    characters: byId<HTMLOListElement>('line-chars'),
    detail: byId('line-detail'),
    error: byId('line-error'),
    overlay: document.getElementById('line-overlay') as unknown as SVGSVGElement,
  });
  const inkView = new InkView(
    {
      placeholder: byId('line-placeholder'),
      summary: byId('line-summary'),
      count: byId('line-count'),
      words: byId('ink-words'),
      alternatives: byId('ink-alternatives'),
      copy: byId<HTMLButtonElement>('copy-text'),
      error: byId('line-error'),
      overlay: document.getElementById('line-overlay') as unknown as SVGSVGElement,
    },
    // A corrected word teaches the line model (the Teach panel keeps it).
    (correction) => void teach?.then((t) => t?.lines?.keep(correction)),
  );
  const eraseButton = byId<HTMLButtonElement>('erase');
  const lineHint = byId('line-hint');
  const sharedFetch = fetchSharingModels();

  let mode: Mode = location.hash === '#line' ? 'line' : 'char';
  /** What each mode had on the pad when the other one was chosen. */
  const saved: Partial<Record<Mode, { pad: PadState; upload: Upload | undefined }>> = {};
  const penWidths: Record<Mode, number> = { ...PEN_START };
  let recognizer: Recognizer | undefined;
  let server: Recognizer = serverRecognizer();
  let info: ModelInfo | undefined;
  /** The served models, default first, and the one the page reads with. */
  let models: readonly ServedModelEntry[] = [];
  let current: ServedModelEntry | undefined;
  /** Each model once loaded (or loading), by name; tfjs started once for all of them. */
  const ready = new Map<string, Promise<ReadyModel>>();
  let runtime: Promise<BrowserRuntime> | undefined;
  /** Counts model choices, so that a model that finishes loading after another was chosen is ignored. */
  let choices = 0;
  /** What each mode's results say about the model that read them. */
  const readBys: Partial<Record<Mode, string>> = {};
  let upload: Upload | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  /** The Teach panel, once a model runs in the browser (undefined if it cannot start). */
  let teach: Promise<Teach | undefined> | undefined;

  applyMode();
  const pad = new DrawingPad(padCanvas, {
    penWidth: penWidths[mode],
    onChange: (change: PadChange) => {
      // An upload lasts while the pad shows it; one only the server could decode is not shown,
      // so drawing replaces it.
      if (change === 'clear' || (change === 'undo' && pad.isBlank)) upload = undefined;
      if ((change === 'drawing' || change === 'stroke') && upload && !upload.gray)
        upload = undefined;
      showHint(pad.isBlank && !upload ? DRAW_HINT[mode] : undefined);
      updateTools();
      // Ink is read after each pen-up, never while the pen moves.
      if (mode === 'line' && !upload) {
        if (change !== 'drawing') schedule(INK_DELAY_MS);
      } else {
        schedule(change === 'drawing' ? LIVE_DELAY_MS[mode] : 0);
      }
    },
  });

  const inkLine = new InkLine({
    pad,
    view: inkView,
    lineResults,
    fetch: sharedFetch,
    model: () => ({ ...(info ? { info } : {}), ...(recognizer ? { recognizer } : {}) }),
    constraints: lineConstraints,
    begin: () => {
      const entry = current;
      return () => entry === current && mode === 'line';
    },
    readBy: (by) => {
      if (by !== 'worker') {
        saidBy('line', current, by);
        return;
      }
      readBys.line = 'Read from your strokes by the line model, in a Web Worker in your browser.';
      if (mode === 'line') showReadBy(readBys.line);
    },
    showView: (which) => (document.body.dataset['lineView'] = which),
  });

  /** Undo, redo and erase say what they can do now. */
  function updateTools(): void {
    byId<HTMLButtonElement>('redo').disabled = !pad.canRedo;
    byId<HTMLButtonElement>('undo').disabled = !pad.canUndo;
    eraseButton.setAttribute('aria-pressed', String(pad.tool === 'erase'));
    // How many strokes the pad holds, for tests and tools.
    padCanvas.dataset['strokes'] = String(pad.strokes.length);
    padCanvas.classList.toggle('erasing', pad.tool === 'erase');
  }

  /** Switches between writing and erasing (tap or rub a stroke to remove it). */
  function toggleErase(): void {
    pad.tool = pad.tool === 'erase' ? 'pen' : 'erase';
    updateTools();
  }

  /** Shows the current mode: the pad's shape (CSS), names, title, the chosen radio, the URL. */
  function applyMode(): void {
    document.body.dataset['mode'] = mode;
    const text = MODE_TEXT[mode];
    padCanvas.setAttribute('aria-label', text.pad);
    fileInput.setAttribute('aria-label', text.upload);
    document.title = text.title;
    for (const input of modeInputs) input.checked = input.value === mode;
    const url = `${location.pathname}${location.search}${mode === 'line' ? '#line' : ''}`;
    history.replaceState(null, '', url);
    showReadBy(readBys[mode]);
  }

  /** Shows which model read the results shown (or nothing, with no results). */
  function showReadBy(text: string | undefined): void {
    readBy.hidden = text === undefined;
    readBy.textContent = text ?? '';
  }

  /** Records, and shows in `readIn`'s results, which model read them and where. */
  function saidBy(
    readIn: Mode,
    entry: ServedModelEntry | undefined,
    by: Recognizer | undefined,
  ): void {
    readBys[readIn] =
      entry && by
        ? `Read by the model for ${entry.title} (${entry.name}${by.usingAdapted?.() ? ', adapted to your handwriting' : ''}), ${by.where}.`
        : undefined;
    if (readIn === mode) showReadBy(readBys[readIn]);
  }

  /** Switches between one character and a line; each keeps its own drawing or upload. */
  function setMode(next: Mode): void {
    if (next === mode) return;
    saved[mode] = { pad: pad.snapshot(), upload };
    penWidths[mode] = pad.penWidth;
    mode = next;
    applyMode();
    setPen(penWidths[mode]);
    pad.resize();
    const back = saved[next];
    upload = back?.upload;
    pad.restore(back?.pad ?? { strokes: [], backdrop: undefined });
  }

  /** Shows a line over the pad, or hides it. */
  function showHint(text: string | undefined): void {
    hint.hidden = text === undefined;
    if (text !== undefined) hint.textContent = text;
  }

  /**
   * Marks the page busy while a reading is pending or running (`data-busy` on the body), so
   * tests and tools can wait for the answer to the last change.
   */
  function setBusy(busy: boolean): void {
    document.body.dataset['busy'] = String(busy);
  }

  function schedule(delay: number): void {
    setBusy(true);
    if (delay > 0 && timer !== undefined) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void update();
    }, delay);
  }

  async function update(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await readOnce();
      } while (again);
    } finally {
      running = false;
      if (timer === undefined && recognizer !== undefined) setBusy(false);
    }
  }

  function currentInput(): RecognitionInput | undefined {
    if (upload && (pad.isImageOnly || !upload.gray)) {
      const file = upload.file;
      return { ...(upload.gray ? { gray: upload.gray } : {}), blob: async () => file };
    }
    if (pad.isBlank) return undefined;
    const canvas = pad.canvas;
    return {
      gray: canvasToGray(canvas),
      blob: () =>
        new Promise<Blob>((resolve, reject) =>
          canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas: no PNG'))), 'image/png'),
        ),
    };
  }

  /** The line to read: the pad scaled down, or the upload it shows. */
  function currentLine(): LineSource | undefined {
    const canvas = pad.canvas;
    const onPad = (frame: LinePlacement['frame'] | undefined): LinePlacement | undefined =>
      frame && {
        canvasWidth: canvas.width,
        canvasHeight: canvas.height,
        frame,
        pixelRatio: canvas.width / Math.max(1, canvas.getBoundingClientRect().width),
      };
    if (upload && (pad.isImageOnly || !upload.gray)) {
      const file = upload.file;
      const gray = upload.lineGray ?? upload.gray;
      return {
        input: { ...(gray ? { gray } : {}), blob: async () => file },
        placement: gray ? onPad(pad.backdropRect) : undefined,
      };
    }
    if (pad.isBlank) return undefined;
    const small = scaledCanvas(canvas, canvas.width, canvas.height, LINE_DRAWING_PIXELS);
    return {
      input: {
        gray: canvasToGray(small),
        blob: () => small.convertToBlob({ type: 'image/png' }),
      },
      placement: onPad({ x: 0, y: 0, width: canvas.width, height: canvas.height }),
    };
  }

  /** The form's constraints on the line, as the recognizers take them. */
  function lineConstraints(): { charset: string; pattern: string; lexicon: string } {
    return {
      charset: lineCharset.value,
      pattern: linePattern.value.trim(),
      lexicon: lineLexicon.value,
    };
  }

  async function readLineOnce(): Promise<void> {
    if (!upload && pad.isInk) {
      await inkLine.read();
      return;
    }
    inkView.showEmpty();
    document.body.dataset['lineView'] = upload ? 'image' : 'ink';
    const source = currentLine();
    if (!source) {
      lineResults.showEmpty();
      saidBy('line', undefined, undefined);
      return;
    }
    const active = source.input.gray ? recognizer : server;
    if (!active) return; // the model is still loading; update() runs again once it is ready
    const entry = current;
    try {
      // Every class's probability is kept, so a label the context chose shows its own.
      const top = info?.labelSet.classes.length ?? READ_DEFAULTS.top;
      const result = await active.read(source.input, { top, ...lineConstraints() });
      // A reading by a model no longer chosen is dropped: the new one reads again.
      if (entry !== current) return;
      if (mode === 'line') {
        lineResults.show(result, source.placement);
        saidBy('line', entry, active);
      }
    } catch (error) {
      saidBy('line', undefined, undefined);
      lineResults.showError(messageOf(error));
      if (upload && !upload.gray) showHint(`${upload.name}: not read (see the message)`);
    }
  }

  async function readOnce(): Promise<void> {
    if (mode === 'line') {
      await readLineOnce();
      return;
    }
    const input = currentInput();
    const taught = await teach;
    lineHint.hidden = true;
    if (!input) {
      showEmpty(view);
      saidBy('char', undefined, undefined);
      taught?.showReading(undefined);
      return;
    }
    const active = input.gray ? recognizer : server;
    if (!active) return; // the model is still loading; update() runs again once it is ready
    const entry = current;
    try {
      const recognition = await active.recognize(input, TOP);
      // A reading by a model no longer chosen is dropped: the new one reads again.
      if (entry !== current) return;
      showRecognition(view, recognition);
      lineHint.hidden = !upload?.wide;
      saidBy('char', recognition.empty ? undefined : entry, active);
      taught?.showReading(active === recognizer ? recognition : undefined);
    } catch (error) {
      taught?.showReading(undefined);
      saidBy('char', undefined, undefined);
      showError(view, messageOf(error));
      if (upload && !upload.gray) showHint(`${upload.name}: not read (see the message)`);
    }
  }

  async function readFile(file: File | undefined): Promise<void> {
    if (!file) return;
    setBusy(true);
    try {
      const decoded = await decodeFile(file, info?.limits.maxPixels ?? Number.MAX_SAFE_INTEGER);
      if (decoded) {
        const { gray, bitmap } = decoded;
        const lineGray =
          gray.width * gray.height > LINE_UPLOAD_PIXELS
            ? canvasToGray(scaledCanvas(bitmap, gray.width, gray.height, LINE_UPLOAD_PIXELS))
            : undefined;
        upload = {
          file,
          name: file.name || 'image',
          gray,
          ...(lineGray ? { lineGray } : {}),
          ...(looksLikeALine(gray, decoded.paper) ? { wide: true } : {}),
        };
        pad.setImage(bitmap, decoded.paper);
      } else {
        // The browser cannot decode it (TIFF, say): the server reads it.
        pad.clear();
        upload = { file, name: file.name || 'image' };
        showHint(`${upload.name}: this browser cannot show it, so the server reads it`);
        schedule(0);
      }
    } catch (error) {
      const message = error instanceof PageError ? error.message : messageOf(error);
      if (mode === 'line') lineResults.showError(message);
      else showError(view, message);
      if (timer === undefined && !running) setBusy(false);
    }
  }

  // Tools.
  byId('undo').addEventListener('click', () => pad.undo());
  byId('redo').addEventListener('click', () => pad.redo());
  eraseButton.addEventListener('click', toggleErase);
  byId('to-line').addEventListener('click', () => setMode('line'));
  byId('clear').addEventListener('click', () => {
    upload = undefined;
    pad.clear();
    showHint(DRAW_HINT[mode]);
    schedule(0);
  });
  for (const input of modeInputs) {
    input.addEventListener('change', () => {
      if (input.checked) setMode(input.value === 'line' ? 'line' : 'char');
    });
  }
  // A mouse over the pad (no button pressed) points at a character of the line read.
  padCanvas.addEventListener('pointermove', (e) => {
    if (mode !== 'line' || e.pointerType !== 'mouse' || e.buttons !== 0) return;
    const rect = padCanvas.getBoundingClientRect();
    lineResults.pointAt(
      ((e.clientX - rect.left) * padCanvas.width) / Math.max(1, rect.width),
      ((e.clientY - rect.top) * padCanvas.height) / Math.max(1, rect.height),
    );
  });
  padCanvas.addEventListener('pointerleave', () => lineResults.pointAway());
  padCanvas.addEventListener('pointerdown', () => lineResults.pointAway());
  function setPen(width: number): void {
    const clamped = Math.min(PEN.max, Math.max(PEN.min, width));
    pad.penWidth = clamped;
    penInput.value = String(clamped);
    penInput.setAttribute('aria-valuetext', `${clamped} pixels`);
  }
  setPen(penWidths[mode]);
  penInput.addEventListener('input', () => setPen(Number(penInput.value)));
  // A new charset, pattern or list of entries reads the line again.
  for (const field of [lineCharset, linePattern, lineLexicon]) {
    field.addEventListener('input', () => {
      if (mode === 'line') schedule(LIVE_DELAY_MS.line);
    });
  }
  fileInput.addEventListener('change', () => {
    void readFile(fileInput.files?.[0]);
    fileInput.value = '';
  });

  // Drag and drop anywhere on the page; paste from the clipboard.
  let dragDepth = 0;
  document.addEventListener('dragenter', (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    dragDepth++;
    frame.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) frame.classList.remove('dragging');
  });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    dragDepth = 0;
    frame.classList.remove('dragging');
    void readFile(firstImageFile(e.dataTransfer));
  });
  document.addEventListener('paste', (e) => {
    const file = firstImageFile(e.clipboardData);
    if (file) {
      e.preventDefault();
      void readFile(file);
    }
  });

  // Keyboard shortcuts (not while typing in a text field).
  document.addEventListener('keydown', (e) => {
    if (isTypingIn(e.target)) return;
    const key = e.key.toLowerCase();
    const command = (e.ctrlKey || e.metaKey) && !e.altKey;
    if (command && (key === 'y' || (key === 'z' && e.shiftKey))) {
      e.preventDefault();
      pad.redo();
    } else if (command && key === 'z') {
      e.preventDefault();
      pad.undo();
    } else if (command && key === 'c' && mode === 'line' && !getSelection()?.toString()) {
      // Nothing selected on the page: copy what was read.
      e.preventDefault();
      void inkView.copy();
    } else if (e.ctrlKey || e.metaKey || e.altKey) {
      return;
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      byId('clear').click();
    } else if (e.key === '[' || e.key === ']') {
      setPen(pad.penWidth + (e.key === ']' ? PEN.step : -PEN.step));
    } else if (e.key === 'u' || e.key === 'U') {
      fileInput.click();
    } else if (e.key === 'm' || e.key === 'M') {
      setMode(mode === 'line' ? 'char' : 'line');
    } else if (e.key === 'e' || e.key === 'E') {
      toggleErase();
    }
  });

  /** The model `entry` ready to read with, loaded on its first use. */
  function load(entry: ServedModelEntry): Promise<ReadyModel> {
    let loading = ready.get(entry.name);
    if (!loading) {
      loading = (async (): Promise<ReadyModel> => {
        const modelInfo = await fetchModelInfo(entry.info);
        // The default model is the server's answer to a request that names none.
        const onServer = serverRecognizer(undefined, entry.default ? undefined : entry.name);
        try {
          runtime ??= startBrowserRuntime(undefined, sharedFetch);
          const browser = await loadBrowserRecognizer(modelInfo, await runtime);
          return { info: modelInfo, recognizer: browser, server: onServer };
        } catch (error) {
          return {
            info: modelInfo,
            recognizer: onServer,
            server: onServer,
            fallback: messageOf(error),
          };
        }
      })();
      // A model the server could not describe is asked for again on the next choice.
      loading.catch(() => ready.delete(entry.name));
      ready.set(entry.name, loading);
    }
    return loading;
  }

  /** Says what to write for the chosen model's classes. */
  function showWriting(classes: readonly string[]): void {
    const words = writingWords(classes);
    for (const el of document.querySelectorAll('.write-one')) el.textContent = words.one;
    for (const el of document.querySelectorAll('.write-many')) el.textContent = words.many;
  }

  /** The switch between the served models: one radio each, hidden when there is one. */
  function buildModelSwitch(): void {
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
        void useModel(entry);
      });
      const label = document.createElement('label');
      label.className = 'mode';
      label.title = `${entry.description} (${entry.name})`;
      label.append(input, labels[i]!);
      return label;
    });
    modelSwitch.append(...radios);
    modelSwitch.hidden = models.length < 2;
  }

  /** Tells the Teach panel which model the page reads with, starting it on first use. */
  async function teachWith(entry: ServedModelEntry, model: ReadyModel): Promise<void> {
    if (!teach && model.recognizer.kind === 'browser') {
      teach = servedLineModel(sharedFetch)
        .then((lineModelUrl) =>
          Teach.start({
            models,
            padCanvas,
            clearPad: () => byId('clear').click(),
            showCharMode: () => setMode('char'),
            reread: () => schedule(0),
            adaptOptions: adaptOptionsFromUrl(),
            lines: {
              lineModelUrl,
              languageModelUrl,
              useLineModel: (weights) => inkLine.useLineModel(weights),
              reread: () => schedule(0),
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
            modelInfo.textContent += ` Teaching is unavailable here (${messageOf(error)}).`;
            return undefined;
          },
        );
    }
    const started = await teach;
    await started
      ?.setModel({
        name: entry.name,
        title: entry.title,
        info: model.info,
        recognizer: model.recognizer,
      })
      .catch((error: unknown) => {
        modelInfo.textContent += ` Teaching is unavailable for this model (${messageOf(error)}).`;
      });
  }

  /** Reads with `entry` from now on: loads it (once), then reads the pad again. */
  async function useModel(entry: ServedModelEntry): Promise<void> {
    const choice = ++choices;
    current = entry;
    for (const input of modelSwitch.querySelectorAll<HTMLInputElement>('input')) {
      input.checked = input.value === entry.name;
    }
    document.body.dataset['modelName'] = entry.name;
    showWriting(entry.labelSet.classes);
    recognizer = undefined;
    setBusy(true);
    status.textContent =
      models.length > 1 ? `Loading the model for ${entry.title}…` : 'Loading the model…';
    let model: ReadyModel;
    try {
      model = await load(entry);
    } catch (error) {
      if (choice !== choices) return;
      status.textContent = `The server did not describe its model (${messageOf(error)}); predictions may fail.`;
      server = serverRecognizer(undefined, entry.default ? undefined : entry.name);
      recognizer = server;
      document.body.dataset['recognizer'] = recognizer.kind;
      schedule(0);
      return;
    }
    if (choice !== choices) return;
    info = model.info;
    server = model.server;
    modelInfo.textContent = describeModel(info);
    status.textContent = model.fallback
      ? `The model runs on the server: this browser could not run it (${model.fallback}).`
      : `The model runs ${model.recognizer.where}: drawings never leave this machine.`;
    await teachWith(entry, model);
    if (choice !== choices) return;
    recognizer = model.recognizer;
    document.body.dataset['recognizer'] = recognizer.kind;
    schedule(0);
  }

  showEmpty(view);
  lineResults.showEmpty();
  inkView.showEmpty();
  document.body.dataset['lineView'] = 'ink';
  updateTools();
  showHint(DRAW_HINT[mode]);
  status.textContent = 'Loading the model…';
  void (async () => {
    try {
      models = await listModels(sharedFetch);
    } catch (error) {
      status.textContent = `The server did not describe its model (${messageOf(error)}); predictions may fail.`;
      recognizer = server;
      document.body.dataset['recognizer'] = recognizer.kind;
      void update();
      return;
    }
    buildModelSwitch();
    const first = chooseModel(models, localStorage.getItem(MODEL_CHOICE_KEY));
    if (first) await useModel(first);
  })();
}

start();
