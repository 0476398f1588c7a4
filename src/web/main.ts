// The page's entry point: wires the drawing pad, uploads (picker, drag and drop, paste),
// keyboard shortcuts and the results, and reads the character whenever the pad changes
// (throttled while a stroke is being drawn, at once when it ends).

import './style.css';
import { canvasToGray, decodeFile, firstImageFile } from './images.js';
import { DrawingPad, type PadChange } from './pad.js';
import {
  PageError,
  loadBrowserRecognizer,
  serverRecognizer,
  type ModelInfo,
  type RecognitionInput,
  type Recognizer,
} from './recognizer.js';
import { showEmpty, showError, showRecognition, type ResultsView } from './results.js';

/** Delay between readings while a stroke is being drawn, in milliseconds. */
const LIVE_DELAY_MS = 120;
/** What the empty pad says. */
const DRAW_HINT = 'Draw here';
/** Classes shown. */
const TOP = 5;
/** Pen width bounds and step for the slider and the [ ] keys, in CSS pixels. */
const PEN = Object.freeze({ min: 4, max: 48, step: 2 });

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: missing element #${id}`);
  return el as T;
}

/** An upload the pad shows: its gray pixels (undefined when only the server can decode it). */
interface Upload {
  readonly file: Blob;
  readonly name: string;
  readonly gray?: ReturnType<typeof canvasToGray>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function fetchModelInfo(): Promise<ModelInfo> {
  const response = await fetch('/api/model');
  if (!response.ok) throw new Error(`GET /api/model answered ${response.status}`);
  return (await response.json()) as ModelInfo;
}

function describeModel(info: ModelInfo): string {
  const all = info.metrics['all'] ?? Object.values(info.metrics)[0];
  const accuracy = all
    ? `; test accuracy ${(all.accuracy * 100).toFixed(1)}% (${(all.accuracyMerged * 100).toFixed(1)}% counting look-alikes such as O/0 as one)`
    : '';
  return `Model: ${info.architecture.name} network, ${info.labelSet.classes.length} classes (${info.labelSet.name})${accuracy}.`;
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
  const fileInput = byId<HTMLInputElement>('file');
  const frame = byId('pad-frame');
  const hint = byId('pad-hint');

  let recognizer: Recognizer | undefined;
  let server: Recognizer = serverRecognizer();
  let info: ModelInfo | undefined;
  let upload: Upload | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;

  const pad = new DrawingPad(byId<HTMLCanvasElement>('pad'), {
    penWidth: Number(penInput.value),
    onChange: (change: PadChange) => {
      // An upload lasts while the pad shows it; one only the server could decode is not shown,
      // so drawing replaces it.
      if (change === 'clear' || (change === 'undo' && pad.isBlank)) upload = undefined;
      if ((change === 'drawing' || change === 'stroke') && upload && !upload.gray)
        upload = undefined;
      showHint(pad.isBlank && !upload ? DRAW_HINT : undefined);
      schedule(change === 'drawing' ? LIVE_DELAY_MS : 0);
    },
  });

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

  async function readOnce(): Promise<void> {
    const input = currentInput();
    if (!input) {
      showEmpty(view);
      return;
    }
    const active = input.gray ? recognizer : server;
    if (!active) return; // the model is still loading; update() runs again once it is ready
    try {
      showRecognition(view, await active.recognize(input, TOP));
    } catch (error) {
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
        upload = { file, name: file.name || 'image', gray: decoded.gray };
        pad.setImage(decoded.bitmap, decoded.paper);
      } else {
        // The browser cannot decode it (TIFF, say): the server reads it.
        pad.clear();
        upload = { file, name: file.name || 'image' };
        showHint(`${upload.name}: this browser cannot show it, so the server reads it`);
        schedule(0);
      }
    } catch (error) {
      showError(view, error instanceof PageError ? error.message : messageOf(error));
      if (timer === undefined && !running) setBusy(false);
    }
  }

  // Tools.
  byId('undo').addEventListener('click', () => pad.undo());
  byId('clear').addEventListener('click', () => {
    upload = undefined;
    pad.clear();
    showHint(DRAW_HINT);
    schedule(0);
  });
  const setPen = (width: number) => {
    const clamped = Math.min(PEN.max, Math.max(PEN.min, width));
    pad.penWidth = clamped;
    penInput.value = String(clamped);
    penInput.setAttribute('aria-valuetext', `${clamped} pixels`);
  };
  penInput.addEventListener('input', () => setPen(Number(penInput.value)));
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
    const target = e.target as HTMLElement | null;
    if (
      target?.tagName === 'TEXTAREA' ||
      (target instanceof HTMLInputElement && target.type === 'text')
    )
      return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      pad.undo();
    } else if (e.ctrlKey || e.metaKey || e.altKey) {
      return;
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      byId('clear').click();
    } else if (e.key === '[' || e.key === ']') {
      setPen(pad.penWidth + (e.key === ']' ? PEN.step : -PEN.step));
    } else if (e.key === 'u' || e.key === 'U') {
      fileInput.click();
    }
  });

  showEmpty(view);
  status.textContent = 'Loading the model…';
  void (async () => {
    try {
      info = await fetchModelInfo();
      modelInfo.textContent = describeModel(info);
    } catch (error) {
      status.textContent = `The server did not describe its model (${messageOf(error)}); predictions may fail.`;
      recognizer = server;
      void update();
      return;
    }
    try {
      recognizer = await loadBrowserRecognizer(info);
      status.textContent = `The model runs ${recognizer.where}: drawings never leave this machine.`;
    } catch (error) {
      recognizer = server;
      status.textContent = `The model runs on the server: this browser could not run it (${messageOf(error)}).`;
    }
    server = recognizer.kind === 'server' ? recognizer : server;
    document.body.dataset['recognizer'] = recognizer.kind;
    void update();
  })();
}

start();
