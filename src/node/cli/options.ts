// Options tables: how a command of `hcr` declares its options, as data. One table is the source
// of commander's options (and so of `--help`), of the typed options the command's `run`
// receives (`OptionValues`), and of anything that prints them again (the model card's
// reproduce command reads `hcr train`'s table, src/node/train/flags.ts). Also the value parsers
// every option shares: one for integers, one for numbers, one for lists.

import { InvalidArgumentError, Option, type Command } from 'commander';

/**
 * How an option's value is read: `integer`, `non-negative` (an integer, 0 or more), `positive`
 * (an integer, 1 or more), `number` (finite), `list` (comma-separated, blanks dropped) or
 * `repeat` (each use adds one value); or a function of the text (that throws commander's
 * InvalidArgumentError on a bad value). Without one, the value is the text given.
 */
export type OptionParse =
  | 'integer'
  | 'non-negative'
  | 'positive'
  | 'number'
  | 'list'
  | 'repeat'
  | ((value: string) => unknown);

/**
 * One option of a command.
 *
 * @example
 * const epochs: OptionSpec = { flags: '--epochs <n>', description: 'maximum epochs', parse: 'integer', default: 12 };
 */
export interface OptionSpec {
  /** Commander's flags: `--name`, `--name <value>`, `--name [value]` or `--no-name`. */
  readonly flags: string;
  /** The `--help` text; a function when it names something known only when the program is built (the data folder). */
  readonly description: string | (() => string);
  readonly parse?: OptionParse;
  /** The values allowed; `--help` lists them. */
  readonly choices?: readonly string[];
  /** The value when the option is not given (shown by `--help`). Default: none (undefined). */
  readonly default?: OptionDefault;
  /** The option must be given (commander's requiredOption). */
  readonly required?: boolean;
}

/** A value an option takes when it is not given. */
export type OptionDefault = string | number | boolean | readonly unknown[];

/** A command's options by the name its `run` reads them under (commander's attribute name). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

type ParsedValue<S extends OptionSpec> = S['parse'] extends (value: string) => infer R
  ? R
  : S['parse'] extends 'integer' | 'non-negative' | 'positive' | 'number'
    ? number
    : S['parse'] extends 'list' | 'repeat'
      ? string[]
      : S['flags'] extends `${string}<${string}>`
        ? string
        : boolean;

/** The value of one option as `run` receives it: `[value]` options are `true` when given bare. */
type ValueOf<S extends OptionSpec> = S['flags'] extends `${string}[${string}]`
  ? ParsedValue<S> | true
  : ParsedValue<S>;

/** Options that always have a value: a default, required, or a `--no-` flag (default true). */
type AlwaysSet<S extends OptionSpec> = S extends { readonly default: OptionDefault }
  ? true
  : S extends { readonly required: true }
    ? true
    : S['flags'] extends `--no-${string}`
      ? true
      : false;

/**
 * The typed options a command's `run` receives for an options table.
 *
 * @example
 * type O = OptionValues<{ top: { flags: '--top <k>'; description: 'k'; parse: 'integer'; default: 3 } }>;
 * // { top: number }
 */
export type OptionValues<T extends OptionTable> = {
  -readonly [K in keyof T as AlwaysSet<T[K]> extends true ? K : never]: ValueOf<T[K]>;
} & {
  -readonly [K in keyof T as AlwaysSet<T[K]> extends true ? never : K]?: ValueOf<T[K]>;
};

/**
 * The one parser of integer option values: an integer, at least `min` when given. Commander
 * reports its message with the option's name.
 *
 * @example
 * integerAtLeast(1)('12'); // 12
 * integerAtLeast(1)('0'); // throws "expected 1 or more, got '0'"
 */
export function integerAtLeast(min?: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
    if (min !== undefined && n < min) {
      throw new InvalidArgumentError(`expected ${min} or more, got '${value}'`);
    }
    return n;
  };
}

/**
 * Reads an integer option value.
 *
 * @example
 * integer('12'); // 12
 * integer('1.5'); // throws "expected an integer, got '1.5'"
 */
export const integer = integerAtLeast();

/** Reads an integer option value that must be 0 or more. */
export const nonNegative = integerAtLeast(0);

/** Reads an integer option value that must be 1 or more. */
export const positive = integerAtLeast(1);

/** Reads a finite number. */
export function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

/** Reads a comma-separated list, trimming each item and dropping empty ones. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const PARSERS: Readonly<
  Record<
    Exclude<OptionParse, (value: string) => unknown>,
    (value: string, previous: unknown) => unknown
  >
> = Object.freeze({
  integer,
  'non-negative': nonNegative,
  positive,
  number,
  list,
  repeat: (value: string, previous: unknown) => [
    ...(Array.isArray(previous) ? (previous as string[]) : []),
    value,
  ],
});

/** The commander option for one entry of a table. */
function commanderOption(name: string, spec: OptionSpec): Option {
  const description =
    typeof spec.description === 'function' ? spec.description() : spec.description;
  const option = new Option(spec.flags, description);
  // A table key that commander would not use as the attribute name would leave `run` reading
  // undefined: refuse it when the program is built.
  if (option.attributeName() !== name) {
    throw new Error(
      `option ${spec.flags}: table key '${name}', expected '${option.attributeName()}'`,
    );
  }
  if (spec.required) option.makeOptionMandatory();
  if (spec.choices) option.choices([...spec.choices]);
  if (typeof spec.parse === 'function') option.argParser(spec.parse);
  else if (spec.parse) option.argParser(PARSERS[spec.parse]);
  if (spec.default !== undefined) option.default(spec.default);
  return option;
}

/**
 * Adds every option of `table` to `command`, in the table's order (the order of `--help`).
 *
 * @example
 * addOptions(program.command('predict'), PREDICT_OPTIONS);
 */
export function addOptions(command: Command, table: OptionTable): Command {
  for (const [name, spec] of Object.entries(table)) command.addOption(commanderOption(name, spec));
  return command;
}

/**
 * An options table as written, its flags and parse kinds kept as literal types so that
 * {@link OptionValues} can type it.
 *
 * @example
 * const OPTIONS = defineOptions({ top: { flags: '--top <k>', description: 'k', parse: 'integer', default: 3 } });
 */
export function defineOptions<const T extends OptionTable>(table: T): T {
  return Object.freeze(table);
}
