// Uploads: an image file from the picker, dropped anywhere on the page or pasted from the
// clipboard, decoded in the browser and shown on the pad (scaled down for reading as a line, and
// marked when its ink looks like a line); one the browser cannot decode (TIFF, say) is not shown,
// and the server reads it.

import type { GrayImage } from '../core/types.js';
import { messageOf } from './dom.js';
import {
  canvasToGray,
  decodeFile,
  firstImageFile,
  looksLikeALine,
  scaledCanvas,
} from './images.js';
import type { DrawingPad } from './pad.js';
import type { PageState } from './page-state.js';
import type { PageView } from './page-view.js';
import { PageError } from './recognizer.js';

/**
 * Most pixels of the image a line is read from, for an upload (the pad's drawing has its own
 * bound in line-mode.ts), so a reading stays a few tens of milliseconds.
 */
const LINE_UPLOAD_PIXELS = 2_000_000;

/** An upload the pad shows: its gray pixels (undefined when only the server can decode it). */
export interface Upload {
  readonly file: Blob;
  readonly name: string;
  readonly gray?: GrayImage;
  /** The same scaled down to {@link LINE_UPLOAD_PIXELS}, for reading it as a line. */
  readonly lineGray?: GrayImage;
  /** Its ink is much wider than tall: one-character mode suggests line mode. */
  readonly wide?: boolean;
}

/** What the hint over the pad says when an upload was not read. */
export function notReadHint(upload: Upload): string {
  return `${upload.name}: not read (see the message)`;
}

/** What uploads need of the page. */
export interface UploadsHost {
  readonly state: PageState;
  readonly pad: DrawingPad;
  readonly view: PageView;
  /** Reads the pad after `delay` milliseconds (read-loop.ts). */
  schedule(delay: number): void;
  /** True when no reading is pending or running. */
  idle(): boolean;
  /** Shows why a file was not read, in the results of the current mode. */
  showError(message: string): void;
}

/**
 * Reads image files given to the page: wires the picker `fileInput`, drag and drop anywhere on
 * the page (`frame` marked while a file is over it) and paste.
 *
 * @example
 * new Uploads(host, byId('file'), byId('pad-frame'));
 */
export class Uploads {
  readonly #host: UploadsHost;
  #dragDepth = 0;

  constructor(host: UploadsHost, fileInput: HTMLInputElement, frame: HTMLElement) {
    this.#host = host;
    fileInput.addEventListener('change', () => {
      void this.read(fileInput.files?.[0]);
      fileInput.value = '';
    });
    // Drag and drop anywhere on the page; paste from the clipboard.
    document.addEventListener('dragenter', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      this.#dragDepth++;
      frame.classList.add('dragging');
    });
    document.addEventListener('dragleave', () => {
      this.#dragDepth = Math.max(0, this.#dragDepth - 1);
      if (this.#dragDepth === 0) frame.classList.remove('dragging');
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      this.#dragDepth = 0;
      frame.classList.remove('dragging');
      void this.read(firstImageFile(e.dataTransfer));
    });
    document.addEventListener('paste', (e) => {
      const file = firstImageFile(e.clipboardData);
      if (file) {
        e.preventDefault();
        void this.read(file);
      }
    });
  }

  /** Shows `file` on the pad (the pad's change reads it), or has the server read it. */
  async read(file: File | undefined): Promise<void> {
    if (!file) return;
    const { state, pad, view } = this.#host;
    view.setBusy(true);
    try {
      const maxPixels = state.info?.limits.maxPixels ?? Number.MAX_SAFE_INTEGER;
      const decoded = await decodeFile(file, maxPixels);
      if (decoded) {
        const { gray, bitmap } = decoded;
        const lineGray =
          gray.width * gray.height > LINE_UPLOAD_PIXELS
            ? canvasToGray(scaledCanvas(bitmap, gray.width, gray.height, LINE_UPLOAD_PIXELS))
            : undefined;
        state.setUpload({
          file,
          name: file.name || 'image',
          gray,
          ...(lineGray ? { lineGray } : {}),
          ...(looksLikeALine(gray, decoded.paper) ? { wide: true } : {}),
        });
        pad.setImage(bitmap, decoded.paper);
      } else {
        // The browser cannot decode it (TIFF, say): the server reads it.
        pad.clear();
        const upload = { file, name: file.name || 'image' };
        state.setUpload(upload);
        view.showHint(`${upload.name}: this browser cannot show it, so the server reads it`);
        this.#host.schedule(0);
      }
    } catch (error) {
      this.#host.showError(error instanceof PageError ? error.message : messageOf(error));
      if (this.#host.idle()) view.setBusy(false);
    }
  }
}
