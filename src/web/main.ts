// The page's entry point: wires its parts and reads the pad whenever it changes (throttled while
// a stroke is being drawn, at once when it ends; read-loop.ts). One-character mode reads the
// square pad (char-mode.ts); in line mode the pad is a writing area of several lines whose
// strokes are read as ink after each pen-up, in a Web Worker, so the pen never waits, and an
// upload is read as an image (line-mode.ts). Uploads come from the picker, a drop or a paste
// (upload.ts); the pad's tools, the mode switch and the keys are pad-controls.ts. What the page
// holds between events is one PageState (page-state.ts), shown by PageView (page-view.ts). Each
// mode keeps its own drawing; switching brings the other one back. When the server serves
// several models (GET /api/models), a switch chooses the one the page reads with; each is loaded
// in the browser on first choice, and the choice is kept for the next visit (model-choice.ts).

import './style.css';
import './pad.css';
import './results.css';
import './teach.css';
import { CharMode } from './char-mode.js';
import { byId } from './dom.js';
import { InkView } from './ink-view.js';
import { LineMode } from './line-mode.js';
import { LineResults } from './line-view.js';
import { ModelChoice } from './model-choice.js';
import { DrawingPad, type PadChange } from './pad.js';
import { PadControls } from './pad-controls.js';
import { ModelLoader, fetchSharingModels } from './page-models.js';
import { PageState } from './page-state.js';
import { DRAW_HINT, PageView } from './page-view.js';
import { INK_DELAY_MS, LIVE_DELAY_MS, ReadLoop } from './read-loop.js';
import { showEmpty, showError, type ResultsView } from './results.js';
import type { Teach } from './teach.js';
import { Uploads } from './upload.js';

function start(): void {
  const results: ResultsView = {
    placeholder: byId('placeholder'),
    summary: byId('summary'),
    summaryProbability: byId('summary-probability'),
    ranking: byId<HTMLOListElement>('ranking'),
    note: byId('note'),
    seen: byId('seen'),
    seenCanvas: byId<HTMLCanvasElement>('seen-canvas'),
    error: byId('error'),
  };
  const overlay = document.getElementById('line-overlay') as unknown as SVGSVGElement;
  const lineResults = new LineResults({
    placeholder: byId('line-placeholder'),
    summary: byId('line-summary'),
    count: byId('line-count'),
    characters: byId<HTMLOListElement>('line-chars'),
    detail: byId('line-detail'),
    error: byId('line-error'),
    overlay,
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
      overlay,
    },
    // A corrected word teaches the line model (the Teach panel keeps it).
    (correction) => void models.teach?.then((t) => t?.lines?.keep(correction)),
  );
  const sharedFetch = fetchSharingModels();
  const state = new PageState(location.hash === '#line' ? 'line' : 'char');
  const view = new PageView(state);
  const loop: ReadLoop = new ReadLoop({
    readOnce: (): Promise<void> => (state.mode === 'line' ? lineMode.read() : charMode.read()),
    canRead: () => state.recognizer !== undefined,
    setBusy: (busy) => view.setBusy(busy),
  });
  const schedule = (delay: number) => loop.schedule(delay);

  // The pad takes its shape from the mode (CSS) before it measures itself.
  view.showMode();
  const pad = new DrawingPad(view.padCanvas, {
    penWidth: state.penWidth,
    onChange: (change: PadChange) => {
      // An upload lasts while the pad shows it; one only the server could decode is not shown,
      // so drawing replaces it.
      const upload = state.upload;
      if (change === 'clear' || (change === 'undo' && pad.isBlank)) state.setUpload(undefined);
      else if ((change === 'drawing' || change === 'stroke') && upload && !upload.gray)
        state.setUpload(undefined);
      view.showHint(pad.isBlank && !state.upload ? DRAW_HINT[state.mode] : undefined);
      view.showTools(pad);
      // Ink is read after each pen-up, never while the pen moves.
      if (state.mode === 'line' && !state.upload) {
        if (change !== 'drawing') schedule(INK_DELAY_MS);
      } else {
        schedule(change === 'drawing' ? LIVE_DELAY_MS[state.mode] : 0);
      }
    },
  });
  const lineMode = new LineMode({
    state,
    pad,
    view,
    lineResults,
    inkView,
    fields: {
      charset: byId<HTMLSelectElement>('line-charset'),
      pattern: byId<HTMLInputElement>('line-pattern'),
      lexicon: byId<HTMLTextAreaElement>('line-lexicon'),
    },
    fetch: sharedFetch,
    schedule,
  });
  const controls = new PadControls({ state, pad, view, schedule, copy: () => void inkView.copy() });
  new Uploads(
    {
      state,
      pad,
      view,
      schedule,
      idle: () => loop.idle,
      showError: (message) =>
        state.mode === 'line' ? lineResults.showError(message) : showError(results, message),
    },
    view.fileInput,
    byId('pad-frame'),
  );
  const models: ModelChoice = new ModelChoice({
    state,
    view,
    loader: new ModelLoader(sharedFetch),
    fetch: sharedFetch,
    schedule,
    update: (): Promise<void> => loop.update(),
    clearPad: () => controls.clear(),
    showCharMode: () => controls.setMode('char'),
    useLineModel: (weights) => lineMode.useLineModel(weights),
  });
  const charMode: CharMode = new CharMode({
    state,
    pad,
    view,
    results,
    lineHint: byId('line-hint'),
    teach: (): Promise<Teach | undefined> | undefined => models.teach,
  });

  showEmpty(results);
  lineResults.showEmpty();
  inkView.showEmpty();
  document.body.dataset['lineView'] = 'ink';
  view.showTools(pad);
  view.showHint(DRAW_HINT[state.mode]);
  void models.start();
}

start();
