// Tests of the InkML reader: real handwriting written out as InkML in three spellings
// (test/fixtures/ink, from UNIPEN), the trace grammar's difference encodings and trace formats,
// and hostile documents (entity bombs, deep nesting, huge files, bad numbers) refused clearly.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HcrError } from '../../../src/core/errors.js';
import { parseInkml } from '../../../src/core/ink/inkml.js';
import { inkFromJson } from '../../../src/core/ink/json.js';
import { INK_LIMITS, resolveInkLimits } from '../../../src/core/ink/limits.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/ink/${name}`, import.meta.url), 'utf8');

function inkError(fn: () => unknown): HcrError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HcrError);
    expect((error as HcrError).code).toBe('BAD_INK');
    return error as HcrError;
  }
  throw new Error('expected a BAD_INK error');
}

describe('parseInkml on real handwriting', () => {
  it('reads explicit points with the default trace format, the same as the JSON', () => {
    const ink = parseInkml(fixture('unipen-hello.inkml'));
    expect(ink.annotations.truth).toBe('hello');
    expect(ink.strokes).toHaveLength(4);
    const json = inkFromJson(JSON.parse(fixture('unipen-hello.json')));
    expect(ink.strokes).toEqual(json);
  });

  it('reads first differences through a context in <definitions>, with a namespace prefix', () => {
    const ink = parseInkml(fixture('unipen-minimum.inkml'));
    expect(ink.annotations.truth).toBe('minimum');
    expect(ink.strokes).toHaveLength(4);
    expect(ink.strokes[0]![0]).toEqual({ x: 28, y: 111 });
    expect(ink.strokes[0]![1]).toEqual({ x: 31, y: 111 });
    expect(ink.strokes[0]![2]).toEqual({ x: 31, y: 107 });
    expect(ink.strokes.reduce((n, s) => n + s.length, 0)).toBe(342);
  });

  it('reads a traceGroup with a T channel and timeOffset', () => {
    const ink = parseInkml(fixture('unipen-bad-homburg.inkml'));
    expect(ink.annotations.truth).toBe('Bad Homburg');
    expect(ink.strokes).toHaveLength(4);
    const [first, second] = ink.strokes;
    expect(first![0]!.t).toBe(0);
    expect(first![1]!.t).toBe(10);
    expect(second![0]!.t).toBe(first!.length * 10 + 200);
  });
});

describe('parseInkml trace grammar', () => {
  it('reads ! \' and " values, each channel keeping its own mode', () => {
    const ink = parseInkml(`<ink><trace>10 0, '2 3, "1 -1, 1 0, !20 5</trace></ink>`);
    // x: 10, +2 = 12, velocity 3 = 15, velocity 4 = 19, explicit 20; y stays explicit.
    expect(ink.strokes[0]).toEqual([
      { x: 10, y: 0 },
      { x: 12, y: 3 },
      { x: 15, y: -1 },
      { x: 19, y: 0 },
      { x: 20, y: 5 },
    ]);
    const both = parseInkml(`<ink><trace>10 0, '2'3, "1"-1, 1 0</trace></ink>`);
    expect(both.strokes[0]).toEqual([
      { x: 10, y: 0 },
      { x: 12, y: 3 },
      { x: 15, y: 5 },
      { x: 19, y: 7 },
    ]);
  });

  it('reads values run together, decimals, exponents and a trailing comma', () => {
    const ink = parseInkml('<ink><trace>1-2,1.5.5, 2e1 -3E-1,</trace></ink>');
    expect(ink.strokes[0]).toEqual([
      { x: 1, y: -2 },
      { x: 1.5, y: 0.5 },
      { x: 20, y: -0.3 },
    ]);
  });

  it('takes X, Y and T by name from the trace format and drops other channels', () => {
    const ink = parseInkml(`<ink>
      <traceFormat>
        <channel name="F"/><channel name="Y"/><channel name="X"/><channel name="T"/>
        <intermittentChannels><channel name="S"/></intermittentChannels>
      </traceFormat>
      <trace>0.5 10 20 100, 0.6 11 21 108 1</trace></ink>`);
    expect(ink.strokes[0]).toEqual([
      { x: 20, y: 10, t: 100 },
      { x: 21, y: 11, t: 108 },
    ]);
  });

  it('follows contextRef on a traceGroup, leaves pen-up traces out, and keeps empty traces out', () => {
    const ink = parseInkml(`<ink>
      <definitions>
        <traceFormat xml:id="yx"><channel name="Y"/><channel name="X"/></traceFormat>
        <context xml:id="c" traceFormatRef="#yx"/>
      </definitions>
      <traceGroup contextRef="#c"><trace>1 2, 3 4</trace><trace type="penUp">9 9</trace><trace> </trace></traceGroup>
      <trace>1 2</trace></ink>`);
    expect(ink.strokes).toEqual([
      [
        { x: 2, y: 1 },
        { x: 4, y: 3 },
      ],
      [{ x: 1, y: 2 }],
    ]);
  });
});

describe('parseInkml on hostile input', () => {
  it('refuses what is not XML, or not InkML, saying where', () => {
    expect(inkError(() => parseInkml('<ink><trace>1 2</ink>')).message).toMatch(
      /InkML: not well-formed XML at line 1, column \d+: .*trace/,
    );
    expect(inkError(() => parseInkml('<svg><path/></svg>')).message).toMatch(
      /expected an InkML document \(root element <ink>\), got <svg>/,
    );
    expect(inkError(() => parseInkml('hello', INK_LIMITS, 'x.inkml')).message).toMatch(
      /^x\.inkml: /,
    );
  });

  it('does not expand entities: a billion laughs is a bad number, at once', () => {
    const lol = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE ink [${lol.join('')}]><ink><trace>&lol9;</trace></ink>`;
    const start = Date.now();
    expect(inkError(() => parseInkml(bomb)).message).toMatch(
      /trace 0: point 0: expected a number, got "&lol9;"/,
    );
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('refuses external entities', () => {
    const doc =
      '<!DOCTYPE ink [<!ENTITY e SYSTEM "file:///etc/passwd">]><ink><trace>&e;</trace></ink>';
    expect(inkError(() => parseInkml(doc)).message).toMatch(/InkML: .*[Ee]xternal entit/);
  });

  it('refuses deep nesting with the limit in the message', () => {
    const deep = `<ink>${'<traceGroup>'.repeat(100_000)}${'</traceGroup>'.repeat(100_000)}</ink>`;
    expect(inkError(() => parseInkml(deep)).message).toMatch(
      /expected elements nested at most 64 deep, got deeper/,
    );
  });

  it('refuses a document longer than the budget before parsing it', () => {
    const limits = resolveInkLimits({ maxInkmlChars: 100 });
    expect(inkError(() => parseInkml(`<ink>${' '.repeat(200)}</ink>`, limits)).message).toMatch(
      /expected at most 100 characters of InkML, got 211/,
    );
  });

  it('refuses too many strokes and too many points', () => {
    const traces = '<trace>1 2</trace>'.repeat(INK_LIMITS.maxStrokes + 1);
    expect(inkError(() => parseInkml(`<ink>${traces}</ink>`)).message).toMatch(
      /expected at most 2000 strokes/,
    );
    const limits = resolveInkLimits({ maxPoints: 10 });
    const points = Array.from({ length: 11 }, (_, i) => `${i} ${i}`).join(',');
    expect(
      inkError(() => parseInkml(`<ink><trace>${points}</trace></ink>`, limits)).message,
    ).toMatch(/expected at most 10 points/);
  });

  it('refuses bad numbers, missing values and coordinates out of range, naming the trace and point', () => {
    expect(inkError(() => parseInkml('<ink><trace>1 2, 3 x</trace></ink>')).message).toMatch(
      /trace 0: point 1: expected a number, got "x"/,
    );
    expect(inkError(() => parseInkml('<ink><trace>1 2, 3</trace></ink>')).message).toMatch(
      /trace 0: point 1: expected 2 values \(X Y\), got 1/,
    );
    expect(inkError(() => parseInkml('<ink><trace>1 2 3</trace></ink>')).message).toMatch(
      /point 0: expected 2 values \(X Y\), got more/,
    );
    expect(
      inkError(() => parseInkml('<ink><trace id="t7">1 2,, 3 4</trace></ink>')).message,
    ).toMatch(/trace 0 \(t7\): point 1: expected values, got an empty point/);
    expect(inkError(() => parseInkml('<ink><trace>1e300 2</trace></ink>')).message).toMatch(
      /expected coordinates within ±10000000, got \(1e\+300, 2\)/,
    );
    expect(inkError(() => parseInkml('<ink><trace>1e999 2</trace></ink>')).message).toMatch(
      /expected a finite number, got 1e999/,
    );
  });

  it('refuses a trace format without X and Y', () => {
    const doc = '<ink><traceFormat><channel name="T"/></traceFormat><trace>1</trace></ink>';
    expect(inkError(() => parseInkml(doc)).message).toMatch(/expected channels X and Y, got T/);
  });
});
