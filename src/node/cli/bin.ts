#!/usr/bin/env node
// Entry point of the `hcr` executable: runs the CLI and sets the exit code. `hcr serve` first
// starts itself again with glibc's allocator settings (relaunch.ts), before the CLI's modules
// are loaded, so that the process left waiting for the server stays small.

import { relaunchServe } from './relaunch.js';

const argv = process.argv.slice(2);
process.exitCode = (await relaunchServe(argv)) ?? (await (await import('./main.js')).main(argv));
