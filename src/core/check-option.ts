// The one way core's option resolvers check a value (normalizeToMnist's and read's options): a
// failed check throws BAD_OPTION saying where, which option, what was expected and what arrived
// (docs/STYLE.md "Errors").

import { HcrError } from './errors.js';

/**
 * Checks the options of one resolver. Called as a function it checks one option: throws unless
 * `ok`, `expected` completing "expected <name> ...".
 *
 * @throws HcrError BAD_OPTION `<where>: expected <name> <expected>, got <value>`
 */
export interface OptionCheck {
  (ok: boolean, name: string, expected: string, value: unknown): void;
  /** Checks `lo <= value <= hi`: "expected <name> in <lo>-<hi>". */
  range(name: string, value: number, lo: number, hi: number): void;
}

/**
 * The option check of one resolver, naming it in its messages.
 *
 * @example
 * const check = optionChecker('read');
 * check(top >= 1, 'top', 'an integer >= 1', top); // read: expected top an integer >= 1, got 0
 * check.range('lmWeight', 11, 0, 10); // read: expected lmWeight in 0-10, got 11
 */
export function optionChecker(where: string): OptionCheck {
  const check = (ok: boolean, name: string, expected: string, value: unknown): void => {
    if (!ok) {
      throw new HcrError(
        'BAD_OPTION',
        `${where}: expected ${name} ${expected}, got ${String(value)}`,
      );
    }
  };
  return Object.assign(check, {
    range: (name: string, value: number, lo: number, hi: number) =>
      check(value >= lo && value <= hi, name, `in ${lo}-${hi}`, value),
  });
}

/**
 * The choices of an option as a message names them: quoted, the last after "or".
 *
 * @example
 * quoteChoices(['auto', 'dark-on-light', 'light-on-dark']); // "'auto', 'dark-on-light' or 'light-on-dark'"
 */
export function quoteChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => `'${c}'`);
  return quoted.length < 2
    ? quoted.join('')
    : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)!}`;
}
