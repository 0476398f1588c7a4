// A command of `hcr` as data: its name, description, arguments, options table and `run`. Each
// src/node/cli/<command>.ts exports one (or a group of subcommands); main.ts lists them and
// builds commander's program from the list, so adding a command is adding a file and a line.

import type { Command } from 'commander';
import type { RunState } from './common.js';
import { addOptions, type OptionTable, type OptionValues } from './options.js';

/** A positional argument: `<name>`, `[name]` or `<name...>` (commander's syntax). */
export interface CliArgument {
  readonly name: string;
  readonly description: string;
}

/** One command (or a group of subcommands, without `run`) as the registry holds it. */
export interface CliCommand {
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly CliArgument[];
  readonly options?: OptionTable;
  /** Run when the group is given without a subcommand (`hcr data` runs `hcr data list`). */
  readonly isDefault?: boolean;
  readonly subcommands?: readonly CliCommand[];
  readonly run?: (
    args: readonly unknown[],
    options: Readonly<Record<string, unknown>>,
    state: RunState,
  ) => Promise<void> | void;
}

/**
 * A command whose `run` receives its options typed from its table and its arguments as `A`
 * (in the order of `arguments`).
 *
 * @example
 * export const CARD_COMMAND = defineCommand({
 *   name: 'card', description: 'write MODEL_CARD.md', options: CARD_OPTIONS,
 *   arguments: [{ name: '[model-dir]', description: 'model directory' }],
 *   run: async (options, [modelDir]: [string | undefined]) => { ... },
 * });
 */
export function defineCommand<T extends OptionTable, A extends readonly unknown[] = []>(spec: {
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly CliArgument[];
  readonly options: T;
  readonly isDefault?: boolean;
  readonly run: (options: OptionValues<T>, args: A, state: RunState) => Promise<void> | void;
}): CliCommand {
  const { run, ...rest } = spec;
  return Object.freeze({
    ...rest,
    run: (args: readonly unknown[], options: Readonly<Record<string, unknown>>, state: RunState) =>
      run(options as OptionValues<T>, args as unknown as A, state),
  });
}

/**
 * Adds `spec` (and its subcommands) under `parent`, its action setting `state`.
 *
 * @example
 * for (const spec of COMMANDS) registerCommand(program, spec, state);
 */
export function registerCommand(parent: Command, spec: CliCommand, state: RunState): Command {
  const command = parent
    .command(spec.name, spec.isDefault ? { isDefault: true } : {})
    .description(spec.description);
  for (const argument of spec.arguments ?? []) {
    command.argument(argument.name, argument.description);
  }
  if (spec.options) addOptions(command, spec.options);
  for (const sub of spec.subcommands ?? []) registerCommand(command, sub, state);
  const { run } = spec;
  if (run) {
    const count = spec.arguments?.length ?? 0;
    command.action((...params: unknown[]) =>
      run(params.slice(0, count), params[count] as Record<string, unknown>, state),
    );
  }
  return command;
}
