// Ink (docs/DESIGN.md §8): strokes of pen points as the Handwriting Recognition API gives them,
// their work budgets, strokes from JSON and from W3C InkML, lines of a drawing, and ink rendered at
// the line model's scale.

export * from './types.js';
export * from './limits.js';
export * from './json.js';
export * from './inkml.js';
export * from './render.js';
export * from './lines.js';
export * from './document.js';
