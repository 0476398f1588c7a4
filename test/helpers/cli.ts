// Runs the `hcr` command line in-process (main() of src/node/cli/main.ts) and captures what it
// writes to stdout and stderr, for the CLI tests of every command.

import { vi } from 'vitest';
import { main } from '../../src/node/cli/main.js';

/** What one `hcr` run printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `hcr ...argv` in this process and returns its exit code and output.
 *
 * @example
 * const { code, stdout } = await runCli('predict', 'a.png', '--model', dir);
 */
export async function runCli(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
