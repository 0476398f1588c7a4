// The Teach panel's line files in zips: the corrected words as `hcr-samples/lines/NNNN.json`
// beside the character samples' PNGs (each file `{"text", "readAs", "strokes"}`, strokes in the
// Handwriting Recognition API's point shape, so `hcr read --ink` reads the file), and the adapted
// line model as a line model directory (model.json, weights.bin, hcr.json with `kind: "line"`,
// every file's SHA-256) that hcr's own loader opens. Both are read back on import.

import { HcrError } from '../core/errors.js';
import { inkFromJson } from '../core/ink/json.js';
import { INK_LIMITS } from '../core/ink/limits.js';
import { LINE_CHARSET, encodeLineText } from '../core/line/charset.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import type { AdaptedLineModel, LineSample } from './teach-store.js';
import { writeZip, type ZipEntry } from './zip.js';

/** The folder of the words inside a samples zip. */
export const LINE_SAMPLES_FOLDER = 'hcr-samples/lines';
/** The folder of the adapted line model inside its zip. */
export const ADAPTED_LINE_FOLDER = 'hcr-adapted-line';

const encoder = new TextEncoder();
/** Ink coordinates kept to 4 decimals (pad units: a ten-thousandth of the pad's height). */
const round = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * The words as zip entries, one JSON file each.
 *
 * @example
 * const entries = lineSampleEntries(samples); // [{ name: 'hcr-samples/lines/0001.json', ... }]
 */
export function lineSampleEntries(samples: readonly LineSample[]): ZipEntry[] {
  return samples.map((s, i) => ({
    name: `${LINE_SAMPLES_FOLDER}/${String(s.id ?? i).padStart(4, '0')}.json`,
    data: encoder.encode(
      `${JSON.stringify({
        text: s.text,
        ...(s.readAs !== undefined ? { readAs: s.readAs } : {}),
        strokes: s.strokes.map((stroke) =>
          stroke.map((p) => ({
            x: round(p.x),
            y: round(p.y),
            ...(p.t !== undefined ? { t: Math.round(p.t) } : {}),
          })),
        ),
      })}\n`,
    ),
  }));
}

/**
 * The words of a samples zip: every `lines/*.json` entry, its strokes checked as `hcr read --ink`
 * checks them and its text in the line model's characters.
 *
 * @throws HcrError BAD_DATA naming the entry when one is not such a word
 */
export function lineSamplesFromZip(where: string, entries: readonly ZipEntry[]): LineSample[] {
  const out: LineSample[] = [];
  for (const entry of entries) {
    if (!/(^|\/)lines\/[^/]+\.json$/i.test(entry.name)) continue;
    const name = `${where}: ${entry.name}`;
    let value: { text?: unknown; readAs?: unknown };
    try {
      value = JSON.parse(new TextDecoder().decode(entry.data)) as typeof value;
    } catch {
      throw new HcrError('BAD_DATA', `${name}: expected JSON, got something else`);
    }
    const text = typeof value?.text === 'string' ? value.text.trim() : '';
    if (!text || !encodeLineText(text, LINE_CHARSET)) {
      throw new HcrError(
        'BAD_DATA',
        `${name}: expected "text" in the line model's characters, got ${JSON.stringify(value?.text)}`,
      );
    }
    out.push({
      text,
      strokes: inkFromJson(value, INK_LIMITS, name),
      ...(typeof value.readAs === 'string' ? { readAs: value.readAs } : {}),
      createdAt: new Date().toISOString(),
    });
  }
  return out;
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The adapted line model as a zip of a line model directory: the served model's hcr.json
 * (`base`) with this model's files, and a record of the adaptation in `training`.
 *
 * @example
 * download(await adaptedLineModelZip(adapted, await (await fetch('/line-model/hcr.json')).json(), samples));
 */
export async function adaptedLineModelZip(
  adapted: AdaptedLineModel,
  base: Readonly<Record<string, unknown>>,
  samples: readonly LineSample[],
): Promise<Blob> {
  const weights = new Uint8Array(adapted.artifacts.weightData);
  const modelJson = encoder.encode(
    JSON.stringify({
      format: 'layers-model',
      generatedBy: 'hcr page (line model adapted in the browser)',
      convertedBy: null,
      modelTopology: adapted.artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: adapted.artifacts.weightSpecs }],
    }),
  );
  const metadata = {
    ...base,
    format: 'hcr-model',
    formatVersion: 1,
    kind: 'line',
    charset: adapted.charset,
    training: {
      adaptedInBrowser: {
        /** The first 32 hex digits of the base model's weights.bin SHA-256. */
        baseWeightsSha256Prefix: adapted.baseWeights,
        words: await Promise.all(
          samples.map(async (s) => ({
            text: s.text,
            sha256: await sha256Hex(encoder.encode(JSON.stringify(s.strokes))),
          })),
        ),
        trainedOn: adapted.samples,
        heldOut: adapted.heldOut,
        seconds: adapted.seconds,
        backend: adapted.backend,
        scores: adapted.scores,
      },
      base: base['training'] ?? null,
    },
    metrics: {},
    tfjsVersion: 'browser',
    createdAt: adapted.createdAt,
    files: {
      'model.json': { bytes: modelJson.length, sha256: await sha256Hex(modelJson) },
      'weights.bin': { bytes: weights.length, sha256: await sha256Hex(weights) },
    },
  };
  return writeZip([
    { name: `${ADAPTED_LINE_FOLDER}/model.json`, data: modelJson },
    { name: `${ADAPTED_LINE_FOLDER}/weights.bin`, data: weights },
    {
      name: `${ADAPTED_LINE_FOLDER}/hcr.json`,
      data: encoder.encode(`${JSON.stringify(metadata, null, 2)}\n`),
    },
  ]);
}

/**
 * A model directory's files from a zip: the artifacts tfjs loads and its hcr.json, or undefined
 * when the zip holds no model.json.
 *
 * @throws HcrError BAD_DATA when a weights file the model names is missing
 */
export function modelFromZip(
  where: string,
  entries: readonly ZipEntry[],
): { artifacts: ModelArtifacts; meta: Record<string, unknown> | undefined } | undefined {
  const modelJson = entries.find((e) => /(^|\/)model\.json$/.test(e.name));
  if (!modelJson) return undefined;
  const dir = modelJson.name.slice(0, modelJson.name.length - 'model.json'.length);
  const find = (name: string) => entries.find((e) => e.name === `${dir}${name}`);
  const parsed = JSON.parse(new TextDecoder().decode(modelJson.data)) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: ModelArtifacts['weightSpecs'] }[];
  };
  const parts = parsed.weightsManifest.flatMap((group) =>
    group.paths.map((p) => {
      const entry = find(p);
      if (!entry) throw new HcrError('BAD_DATA', `${where}: ${dir}${p} is missing`);
      return entry.data;
    }),
  );
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.length;
  }
  const meta = find('hcr.json');
  return {
    artifacts: {
      modelTopology: parsed.modelTopology,
      weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer,
    },
    meta: meta
      ? (JSON.parse(new TextDecoder().decode(meta.data)) as Record<string, unknown>)
      : undefined,
  };
}
