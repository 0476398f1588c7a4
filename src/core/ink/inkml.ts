// W3C InkML (https://www.w3.org/TR/InkML/), the standard file format of digital ink, read into
// strokes. Parsed by fast-xml-parser (pure JavaScript: Node, the page and a Web Worker alike)
// with entities left unexpanded and nesting bounded, after a size check, so an entity bomb, a
// deeply nested or a huge file is refused with a clear error instead of eating memory.
//
// What is read: every <trace> (also inside <traceGroup>s) in document order, except pen-up
// traces; its points, comma-separated, with the trace grammar's explicit (!), first-difference
// (') and second-difference (") values; the channels X, Y and T of its trace format (the one
// of its context, by contextRef, else the document's current context, else X Y) and its
// timeOffset. Other channels (force, tilt...) are parsed and dropped. <annotation>s of the
// <ink> element are returned by type (e.g. `truth`, the transcription).

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HcrError } from '../errors.js';
import { INK_LIMITS, InkBudget, type InkLimits } from './limits.js';
import type { InkPoint, InkStroke } from './types.js';

/** Ink read from an InkML document. */
export interface InkmlInk {
  readonly strokes: InkStroke[];
  /** Text of the `<ink>` element's own `<annotation type="...">`s, by type (first of each). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** A node of fast-xml-parser's ordered tree: `{ tag: children, ':@': attributes }` or text. */
type XmlNode = Record<string, unknown>;

interface Element {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

function elementOf(node: XmlNode): Element | undefined {
  for (const key of Object.keys(node)) {
    if (key === ':@' || key === '#text') continue;
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    return { tag: key, attrs, children: node[key] as XmlNode[] };
  }
  return undefined;
}

function textOf(element: Element): string {
  let text = '';
  for (const child of element.children) {
    if (typeof child['#text'] === 'string' || typeof child['#text'] === 'number') {
      text += String(child['#text']);
    }
  }
  return text;
}

/** The channel names of a <traceFormat> (regular then intermittent), upper-cased. */
function channelsOf(format: Element): string[] {
  const names: string[] = [];
  const walk = (el: Element): void => {
    for (const child of el.children) {
      const c = elementOf(child);
      if (!c) continue;
      if (c.tag === 'channel') names.push((c.attrs.name ?? '').toUpperCase());
      else if (c.tag === 'intermittentChannels') walk(c);
    }
  };
  walk(format);
  return names;
}

const DEFAULT_CHANNELS: readonly string[] = Object.freeze(['X', 'Y']);

function stripRef(ref: string | undefined): string | undefined {
  return ref === undefined ? undefined : ref.startsWith('#') ? ref.slice(1) : ref;
}

/** One value of a trace: a number, or `*` / `?` (keep the previous value). */
const VALUE = /\s*([!'"]?)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|#[0-9A-Fa-f]+|[TF*?])/y;

/**
 * Points of one trace's text. Each channel keeps its own mode: explicit until a `'` (first
 * difference) or `"` (second difference) switches it, `!` switching back.
 */
function parseTrace(
  text: string,
  channels: readonly string[],
  timeOffset: number,
  budget: InkBudget,
  where: string,
): InkPoint[] {
  const xAt = channels.indexOf('X');
  const yAt = channels.indexOf('Y');
  const tAt = channels.indexOf('T');
  const n = channels.length;
  const mode = new Array<string>(n).fill('!');
  const last = new Float64Array(n);
  const velocity = new Float64Array(n);
  const points: InkPoint[] = [];
  const chunks = text.split(',');
  for (let k = 0; k < chunks.length; k++) {
    const chunk = chunks[k]!;
    if (chunk.trim() === '') {
      if (k === chunks.length - 1 && k > 0) break; // a trailing comma
      if (chunks.length === 1) break; // an empty trace
      throw new HcrError('BAD_INK', `${where}: point ${k}: expected values, got an empty point`);
    }
    const values = new Float64Array(n);
    let count = 0;
    VALUE.lastIndex = 0;
    while (VALUE.lastIndex < chunk.length) {
      const start = VALUE.lastIndex;
      if (chunk.slice(start).trim() === '') break;
      const m = VALUE.exec(chunk);
      if (!m) {
        throw new HcrError(
          'BAD_INK',
          `${where}: point ${k}: expected a number, got ${JSON.stringify(chunk.slice(start).trim().slice(0, 20))}`,
        );
      }
      if (count >= n) {
        throw new HcrError(
          'BAD_INK',
          `${where}: point ${k}: expected ${n} values (${channels.join(' ')}), got more`,
        );
      }
      const c = count++;
      if (m[1]) mode[c] = m[1];
      const token = m[2]!;
      let v: number;
      if (token === '*' || token === '?') v = mode[c] === '!' || points.length === 0 ? last[c]! : 0;
      else if (token === 'T' || token === 'F') v = token === 'T' ? 1 : 0;
      else if (token.startsWith('#')) v = Number.parseInt(token.slice(1), 16);
      else v = Number(token);
      if (!Number.isFinite(v)) {
        throw new HcrError(
          'BAD_INK',
          `${where}: point ${k}: expected a finite number, got ${token}`,
        );
      }
      if (points.length === 0 || mode[c] === '!') {
        velocity[c] = points.length === 0 ? 0 : v - last[c]!;
        values[c] = v;
      } else if (mode[c] === "'") {
        velocity[c] = v;
        values[c] = last[c]! + v;
      } else {
        velocity[c] = velocity[c]! + v;
        values[c] = last[c]! + velocity[c]!;
      }
    }
    if (count <= Math.max(xAt, yAt)) {
      throw new HcrError(
        'BAD_INK',
        `${where}: point ${k}: expected ${n} values (${channels.join(' ')}), got ${count}`,
      );
    }
    for (let c = count; c < n; c++) values[c] = last[c]!; // intermittent channels left out
    last.set(values);
    const x = values[xAt]!;
    const y = values[yAt]!;
    budget.addPoint(x, y, `point ${k}`);
    points.push(tAt >= 0 ? { x, y, t: values[tAt]! + timeOffset } : { x, y });
  }
  return points;
}

function xmlParser(depth: number): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: depth,
  });
}

/**
 * Reads the strokes of a W3C InkML document.
 *
 * @param where - names the input in messages, e.g. a file name. Default: `'InkML'`.
 * @throws HcrError BAD_INK when the document is too long or too deep, is not well-formed XML,
 *   has no `<ink>` root, or a trace is malformed or over the limits; the message says where
 * @example
 * const { strokes } = parseInkml('<ink><trace>10 0, 9 14, 8 28</trace></ink>');
 */
export function parseInkml(
  text: string,
  limits: InkLimits = INK_LIMITS,
  where = 'InkML',
): InkmlInk {
  if (text.length > limits.maxInkmlChars) {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected at most ${limits.maxInkmlChars} characters of InkML, got ${text.length}`,
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new HcrError(
      'BAD_INK',
      `${where}: not well-formed XML at line ${line}, column ${col}: ${msg}`,
    );
  }
  let tree: XmlNode[];
  try {
    tree = xmlParser(limits.maxInkmlDepth).parse(text) as XmlNode[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const detail = /nested/i.test(message)
      ? `expected elements nested at most ${limits.maxInkmlDepth} deep, got deeper`
      : message;
    throw new HcrError('BAD_INK', `${where}: ${detail}`, { cause: error });
  }
  const root = tree.map(elementOf).find((el) => el !== undefined);
  if (!root || root.tag !== 'ink') {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected an InkML document (root element <ink>), got ${root ? `<${root.tag}>` : 'no element'}`,
    );
  }
  return readInk(root, limits, where);
}

function readInk(root: Element, limits: InkLimits, where: string): InkmlInk {
  const formats = new Map<string, readonly string[]>();
  const contexts = new Map<string, readonly string[]>();
  const sources = new Map<string, readonly string[]>();
  const annotations: Record<string, string> = {};
  const strokes: InkPoint[][] = [];
  const budget = new InkBudget(limits, where);
  let current: readonly string[] = DEFAULT_CHANNELS;

  /** The channels an element describes: its own <traceFormat>, a reference, or none. */
  const formatOf = (el: Element): readonly string[] | undefined => {
    const ref = stripRef(el.attrs.traceFormatRef);
    if (ref !== undefined && formats.has(ref)) return formats.get(ref);
    const source = stripRef(el.attrs.inkSourceRef);
    if (source !== undefined && sources.has(source)) return sources.get(source);
    const context = stripRef(el.attrs.contextRef);
    if (context !== undefined && contexts.has(context)) return contexts.get(context);
    for (const child of el.children) {
      const c = elementOf(child);
      if (!c) continue;
      if (c.tag === 'traceFormat') return define(c);
      if (c.tag === 'inkSource') {
        const inner = formatOf(c);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  /** Records a definition (traceFormat, inkSource, context) by its xml:id; returns its channels. */
  const define = (el: Element): readonly string[] | undefined => {
    const channels =
      el.tag === 'traceFormat'
        ? channelsOf(el).length > 0
          ? channelsOf(el)
          : formatOf(el)
        : formatOf(el);
    const id = el.attrs.id;
    if (id !== undefined && channels) {
      const table =
        el.tag === 'traceFormat' ? formats : el.tag === 'inkSource' ? sources : contexts;
      table.set(id, channels);
    }
    return channels;
  };

  const visit = (
    el: Element,
    inherited: readonly string[] | undefined,
    inDefinitions: boolean,
  ): void => {
    for (const child of el.children) {
      const c = elementOf(child);
      if (!c) continue;
      switch (c.tag) {
        case 'definitions':
          visit(c, inherited, true);
          break;
        case 'traceFormat':
        case 'inkSource':
        case 'context': {
          const channels = define(c);
          if (!inDefinitions && channels) current = channels;
          break;
        }
        case 'traceGroup': {
          if (inDefinitions) break;
          visit(c, formatOf(c) ?? inherited, false);
          break;
        }
        case 'trace': {
          if (inDefinitions || c.attrs.type === 'penUp') break;
          const channels = formatOf(c) ?? inherited ?? current;
          if (!channels.includes('X') || !channels.includes('Y')) {
            throw new HcrError(
              'BAD_INK',
              `${where}: trace ${strokes.length}: expected channels X and Y, got ${channels.join(' ') || 'none'}`,
            );
          }
          const offset = Number(c.attrs.timeOffset ?? 0);
          budget.addStroke();
          const points = parseTrace(
            textOf(c),
            channels,
            Number.isFinite(offset) ? offset : 0,
            budget,
            `${where}: trace ${strokes.length}${c.attrs.id ? ` (${c.attrs.id})` : ''}`,
          );
          if (points.length > 0) strokes.push(points);
          break;
        }
        case 'annotation': {
          const type = c.attrs.type ?? '';
          if (el === root && !(type in annotations)) annotations[type] = textOf(c).trim();
          break;
        }
        default:
          break;
      }
    }
  };
  visit(root, undefined, false);
  return { strokes, annotations };
}
