// The dictionaries of the WICG Handwriting Recognition API
// (https://wicg.github.io/handwriting-recognition/), as TypeScript types: what the polyfill
// takes and gives, member for member.

/** `HandwritingPoint`: x and y, and t in milliseconds from a time common to the drawing. */
export interface HandwritingPoint {
  x: number;
  y: number;
  t?: number;
}

/** `HandwritingModelConstraint`. */
export interface HandwritingModelConstraint {
  languages: string[];
}

/** `HandwritingRecognitionType`. */
export type HandwritingRecognitionType = 'text' | 'per-character';

/** `HandwritingInputType`. */
export type HandwritingInputType = 'mouse' | 'stylus' | 'touch';

/** `HandwritingHintsQueryResult`. */
export interface HandwritingHintsQueryResult {
  recognitionType: HandwritingRecognitionType[];
  inputType: HandwritingInputType[];
  textContext: boolean;
  alternatives: boolean;
}

/** `HandwritingRecognizerQueryResult`. */
export interface HandwritingRecognizerQueryResult {
  textAlternatives: boolean;
  textSegmentation: boolean;
  hints: HandwritingHintsQueryResult;
}

/** `HandwritingHints` (startDrawing's argument). */
export interface HandwritingHints {
  /** Default: `'text'`. */
  recognitionType?: string;
  /** Default: `'mouse'`. */
  inputType?: string;
  /** The text before the drawing (it feeds the language model). */
  textContext?: string;
  /** Most predictions returned. Default: 3. */
  alternatives?: number;
}

/** `HandwritingDrawingSegment`: points `beginPointIndex` to `endPointIndex` (excluded) of a stroke. */
export interface HandwritingDrawingSegment {
  strokeIndex: number;
  beginPointIndex: number;
  endPointIndex: number;
}

/** `HandwritingSegment`: one grapheme of a prediction's text and the ink it was read from. */
export interface HandwritingSegment {
  grapheme: string;
  beginIndex: number;
  endIndex: number;
  drawingSegments: HandwritingDrawingSegment[];
}

/** `HandwritingPrediction`. */
export interface HandwritingPrediction {
  text: string;
  segmentationResult: HandwritingSegment[];
}
