// Options tables (src/node/cli/options.ts) and the command registry (src/node/cli/command.ts):
// the one integer parser and its messages, a table read by commander into the typed values,
// a table key commander would not use refused, and every registered command built from the
// registry with the same options as its table.

import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, buildProgram } from '../../src/node/cli/main.js';
import {
  addOptions,
  defineOptions,
  integer,
  integerAtLeast,
  list,
  nonNegative,
  number,
  positive,
  type OptionValues,
} from '../../src/node/cli/options.js';
import { TRAIN_OPTIONS } from '../../src/node/cli/train.js';

describe('the option value parsers', () => {
  it('read integers, with a lower bound when asked, and say what they expected', () => {
    expect(integer('-3')).toBe(-3);
    expect(() => integer('1.5')).toThrow("expected an integer, got '1.5'");
    expect(nonNegative('0')).toBe(0);
    expect(() => nonNegative('-1')).toThrow("expected 0 or more, got '-1'");
    expect(positive('7')).toBe(7);
    expect(() => positive('0')).toThrow("expected 1 or more, got '0'");
    expect(() => integerAtLeast(5)('x')).toThrow("expected an integer, got 'x'");
    expect(number('2.5')).toBe(2.5);
    expect(() => number('abc')).toThrow("expected a number, got 'abc'");
    expect(list(' a, b,,c ')).toEqual(['a', 'b', 'c']);
  });
});

describe('an options table', () => {
  const table = defineOptions({
    top: { flags: '--top <k>', description: 'k', parse: 'integer', default: 3 },
    tag: { flags: '--tag <t>', description: 'repeatable', parse: 'repeat' },
    save: { flags: '--no-save', description: 'do not save' },
    weights: { flags: '--weights [power]', description: 'power', parse: 'number' },
    scope: { flags: '--scope <s>', description: 'scope', choices: ['a', 'b'], default: 'a' },
    dir: { flags: '--dir <dir>', description: () => 'late', required: true },
  });

  function parse(...argv: string[]): OptionValues<typeof table> {
    const command = addOptions(new Command('t').exitOverride(), table);
    command.parse(argv, { from: 'user' });
    return command.opts() as OptionValues<typeof table>;
  }

  it('becomes commander options in its order, with their defaults and choices', () => {
    const command = addOptions(new Command('t'), table);
    expect(command.options.map((o) => o.long)).toEqual([
      '--top',
      '--tag',
      '--no-save',
      '--weights',
      '--scope',
      '--dir',
    ]);
    expect(command.helpInformation()).toContain('(choices: "a", "b", default: "a")');
    expect(command.helpInformation()).toContain('--dir <dir>');
  });

  it('gives run the values under the table keys, parsed', () => {
    expect(parse('--dir', 'x')).toEqual({ top: 3, save: true, scope: 'a', dir: 'x' });
    expect(
      parse('--dir', 'x', '--top', '5', '--tag', 'a', '--tag', 'b', '--no-save', '--weights'),
    ).toEqual({ top: 5, tag: ['a', 'b'], save: false, weights: true, scope: 'a', dir: 'x' });
    expect(() => parse('--dir', 'x', '--top', 'q')).toThrow(/expected an integer, got 'q'/);
  });

  it('refuses a key that is not the attribute commander reads the option under', () => {
    expect(() =>
      addOptions(new Command('t'), { batch: { flags: '--batch-size <n>', description: '' } }),
    ).toThrow("option --batch-size <n>: table key 'batch', expected 'batchSize'");
  });
});

describe('the command registry', () => {
  it('builds every command of the list, with the options of its table', () => {
    const program = buildProgram();
    expect(program.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    const train = program.commands.find((c) => c.name() === 'train')!;
    expect(train.options.map((o) => o.attributeName())).toEqual(Object.keys(TRAIN_OPTIONS));
  });
});
