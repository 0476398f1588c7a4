// The `hcr` command line: the registry of its commands (each src/node/cli/<command>.ts exports
// its name, options table and run), the program built from it, and the one place where a
// failure is caught and mapped to an exit code.

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT_CODE, isHcrError } from '../errors.js';
import { packagePath } from '../package-root.js';
import { CARD_COMMAND } from './card.js';
import { registerCommand, type CliCommand } from './command.js';
import { note, type RunState } from './common.js';
import { DATA_COMMAND } from './data.js';
import { EVALUATE_COMMAND } from './evaluate.js';
import { LINE_COMMAND } from './line.js';
import { LM_COMMAND } from './lm.js';
import { PREDICT_COMMAND } from './predict.js';
import { READ_COMMAND } from './read.js';
import { REPORT_COMMAND } from './report.js';
import { SERVE_COMMAND } from './serve.js';
import { TRAIN_COMMAND } from './train.js';
import { TUNE_COMMAND } from './tune.js';

export { DEFAULT_MODEL_DIR, type RunState } from './common.js';

/** The commands of `hcr`, in the order `hcr --help` lists them. */
export const COMMANDS: readonly CliCommand[] = Object.freeze([
  DATA_COMMAND,
  TRAIN_COMMAND,
  EVALUATE_COMMAND,
  REPORT_COMMAND,
  TUNE_COMMAND,
  CARD_COMMAND,
  PREDICT_COMMAND,
  READ_COMMAND,
  LINE_COMMAND,
  LM_COMMAND,
  SERVE_COMMAND,
]);

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the `hcr` program (separate from running it, so tests can drive it). */
export function buildProgram(state: RunState = { exitCode: 0 }): Command {
  const program = new Command('hcr')
    .description(
      'handwritten character recognition: train, evaluate and run a CNN on handwritten digits and letters',
    )
    .version(packageVersion(), '-V, --version', 'print the version of hcr')
    .showHelpAfterError()
    .exitOverride();
  for (const command of COMMANDS) registerCommand(program, command, state);
  return program;
}

/** Runs the CLI with `argv` and returns the exit code (errors are printed, never thrown). */
export async function main(argv: readonly string[]): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    )
      return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (isHcrError(error)) {
      note(`hcr: ${error.message}`);
      return EXIT_CODE[error.code];
    }
    note(`hcr: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
