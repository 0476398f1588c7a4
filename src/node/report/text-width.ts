// Text widths for laying out plots without a canvas. vega measures text with a canvas when
// one is installed and otherwise guesses 0.8 em per character, which leaves wide margins and
// makes long titles push plots apart. These are the advance widths of DejaVu Sans (the font
// the plots ask for first; librsvg renders the PNGs with it), regular and bold, per 1000 em.

/* prettier-ignore */
const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
  636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
  575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
  611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
  278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/* prettier-ignore */
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
  696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
  683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
  724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
  343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

const OTHER: Readonly<Record<string, number>> = Object.freeze({
  '→': 838,
  '×': 838,
  '·': 318,
  '’': 318,
  '–': 500,
  '—': 1000,
  '…': 1000,
});

/**
 * Width in pixels of `text` in DejaVu Sans at `fontSize` pixels; characters outside ASCII
 * that it does not know count as 0.75 em.
 *
 * @example
 * textWidth('Epoch', 13); // 47.3
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let total = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    total += (code >= 32 && code < 127 ? table[code - 32] : OTHER[ch]) ?? 750;
  }
  return (total * fontSize) / 1000;
}

/** What vega passes to a text-width function: a text mark item. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
}

/**
 * A replacement for vega's canvas-less text measure (`textMetrics.width`), using
 * {@link textWidth}.
 *
 * @example
 * vegaTextWidth({ fontSize: 11, fontWeight: 'bold' }, 'true O'); // 37.5
 */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
  return textWidth(text == null ? '' : String(text).trim(), size, bold);
}
