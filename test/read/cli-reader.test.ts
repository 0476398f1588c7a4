// `hcr read` chooses its reader (issue 21 §4): a line model by default, the glyph reader with
// --reader glyphs or a character model named by --model, and the glyph reader with a note when
// no line model is installed; and reads a page, and a file of ink, with a line model directory
// end to end (JSON).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { chooseReader, readCommand } from '../../src/node/cli/read.js';
import { initEngine } from '../../src/node/engine/index.js';
import { saveLineModel } from '../../src/node/model/line-artifact.js';
import { drawPage, layout } from './helpers.js';
import sharp from 'sharp';

let dir: string;
let lineDir: string;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-cli-reader-'));
  lineDir = join(dir, 'line');
  const model = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
  await saveLineModel(lineDir, model, {
    charset: LINE_CHARSET,
    architecture: 'line-tiny',
    training: {},
    data: {},
    metrics: {},
  });
  model.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hcr read chooses its reader', () => {
  const glyphs = 'models/alnum36';
  const quiet = () => {
    const notes: string[] = [];
    return { notes, output: { note: (t: string) => notes.push(t) } };
  };

  it('reads with the line model by default, and with a line model named by --model', async () => {
    const { notes, output } = quiet();
    expect(await chooseReader({ modelDir: glyphs }, output, lineDir)).toEqual({
      reader: 'line',
      dir: lineDir,
    });
    expect(
      await chooseReader({ modelDir: glyphs, model: lineDir }, output, join(dir, 'none')),
    ).toEqual({
      reader: 'line',
      dir: lineDir,
    });
    expect(notes).toEqual([]);
  });

  it('reads glyphs with --reader glyphs or a character model named by --model', async () => {
    const { notes, output } = quiet();
    expect(await chooseReader({ modelDir: glyphs, reader: 'glyphs' }, output, lineDir)).toEqual({
      reader: 'glyphs',
      dir: glyphs,
    });
    expect(await chooseReader({ modelDir: glyphs, model: glyphs }, output, lineDir)).toEqual({
      reader: 'glyphs',
      dir: glyphs,
    });
    expect(notes).toEqual([]);
  });

  it('falls back to the glyph reader with a note when no line model is installed', async () => {
    const { notes, output } = quiet();
    const none = join(dir, 'none');
    expect(await chooseReader({ modelDir: glyphs }, output, none)).toEqual({
      reader: 'glyphs',
      dir: glyphs,
    });
    expect(notes).toEqual([
      `hcr: no line model at ${none}: reading with the glyph reader (${glyphs}); --reader glyphs chooses it without this note`,
    ]);
  });

  it('refuses an unknown reader, glyphs with a line model, and a missing --line-model', async () => {
    const { output } = quiet();
    await expect(chooseReader({ modelDir: glyphs, reader: 'words' }, output)).rejects.toThrow(
      /--reader: expected line or glyphs, got 'words'/,
    );
    await expect(
      chooseReader({ modelDir: glyphs, model: lineDir, reader: 'glyphs' }, output),
    ).rejects.toThrow(/--reader glyphs: expected a character model, got the line model/);
    await expect(
      chooseReader({ modelDir: glyphs, lineModel: join(dir, 'none') }, output),
    ).rejects.toThrow(/--line-model: no line model at .*none/);
  });

  it('reads a page with a line model and says so in the JSON', async () => {
    const page = drawPage(300, 90, layout('HELLO', 40, 10, 20, 20));
    const file = join(dir, 'page.png');
    await sharp(Buffer.from(page.image.data), {
      raw: { width: page.image.width, height: page.image.height, channels: 1 },
    })
      .png()
      .toFile(file);
    const printed: string[] = [];
    const code = await readCommand(
      [file],
      {
        modelDir: glyphs,
        model: lineDir,
        backend: 'wasm',
        top: 3,
        context: true,
        contextScope: 'lookalikes',
        json: true,
      },
      { print: (t) => printed.push(t), note: () => undefined },
    );
    expect(code).toBe(0);
    const json = JSON.parse(printed.join('\n')) as {
      reader: string;
      charset: string;
      results: { status: string; reader: string }[];
    };
    expect(json.reader).toBe('line');
    expect(json.charset).toBe(LINE_CHARSET);
    expect(json.results[0]).toMatchObject({ status: 'ok', reader: 'line' });
  });

  it('reads ink with the line model (--ink), and with the glyph reader by --reader glyphs', async () => {
    const file = join(dir, 'l1.json');
    const L1 = [
      [
        { x: 10, y: 10 },
        { x: 10, y: 50 },
        { x: 32, y: 50 },
      ],
      [
        { x: 50, y: 18 },
        { x: 56, y: 10 },
        { x: 56, y: 50 },
      ],
    ];
    await writeFile(file, JSON.stringify({ strokes: L1 }));
    const run = async (reader?: string) => {
      const printed: string[] = [];
      const common = { modelDir: glyphs, backend: 'wasm', top: 3, context: true };
      const code = await readCommand(
        [file],
        {
          ...common,
          ...(reader === undefined ? { model: lineDir } : { reader }),
          contextScope: 'lookalikes',
          json: true,
          ink: true,
        },
        { print: (t) => printed.push(t), note: () => undefined },
      );
      expect(code).toBe(0);
      return JSON.parse(printed.join('\n')) as { reader: string; results: { status: string }[] };
    };
    const byLines = await run();
    expect(byLines.reader).toBe('line');
    expect(byLines.results[0]).toMatchObject({ status: 'ok', reader: 'line' });
    const byGlyphs = await run('glyphs');
    expect(byGlyphs.reader).toBe('glyphs');
    expect(byGlyphs.results[0]).toMatchObject({ status: 'ok', text: 'L1' });
  });
});
