// The line recognizer's alphabet: what a line model can write, and the class index of each
// character in its output. Class 0 is CTC's blank; class i (1..) is LINE_CHARSET[i - 1].

/** Characters a line model reads: space, digits, capitals, lowercase and common punctuation. */
export const LINE_CHARSET =
  ' 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,\'-!?:;()/&"';

/** Class index of CTC's blank in every line model's output. */
export const CTC_BLANK = 0;

/**
 * The class indices of `text` in a charset (1-based: 0 is the blank), or `null` when the text
 * holds a character the charset lacks.
 *
 * @example
 * encodeLineText('Hi'); // Int32Array [ 18, 45 ]
 */
export function encodeLineText(text: string, charset: string = LINE_CHARSET): Int32Array | null {
  const out = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const k = charset.indexOf(text[i]!);
    if (k < 0) return null;
    out[i] = k + 1;
  }
  return out;
}

/**
 * The text of a sequence of class indices (blanks skipped; repeats are not collapsed here).
 *
 * @example
 * decodeLineClasses([18, 0, 45]); // 'Hi'
 */
export function decodeLineClasses(
  classes: ArrayLike<number>,
  charset: string = LINE_CHARSET,
): string {
  let text = '';
  for (let i = 0; i < classes.length; i++) {
    const k = classes[i]!;
    if (k !== CTC_BLANK) text += charset[k - 1] ?? '';
  }
  return text;
}

/**
 * The fewest output frames CTC needs to write `labels`: one per character, plus a blank
 * between each pair of equal neighbours.
 *
 * @example
 * minCtcFrames(encodeLineText('hello')!); // 6
 */
export function minCtcFrames(labels: ArrayLike<number>): number {
  let n = labels.length;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) n++;
  return n;
}
