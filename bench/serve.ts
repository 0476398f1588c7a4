// Load benchmark of `hcr serve`: starts the server as a child process on loopback, drives
// POST /api/predict from this process with autocannon (keep-alive connections, one request in
// flight per connection), and prints requests/s, p50/p99 latency, errors, and the server's
// tensor count and memory before and after (they must stay flat).
//
//   npm run bench:serve -- [--model DIR] [--seconds 15] [--connections 4] [--image FILE]
//                          [--backend auto] [--json]

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Command, Option } from 'commander';
import sharp from 'sharp';
import { BACKENDS } from '../src/node/engine/index.js';
import { fmt, formatTable, machineInfo, note, parsePositiveInt } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHIPPED_MODEL = path.join(ROOT, 'models', 'alnum36');

interface ServeBenchOptions {
  model?: string;
  seconds: number;
  connections: number;
  image?: string;
  backend: string;
  json?: boolean;
}

interface Health {
  tensors: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/**
 * What the page sends when the server runs the model: a 400x400 PNG of a drawn "7", black on
 * white, as the canvas exports it.
 */
async function drawingPng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">
    <rect width="400" height="400" fill="white"/>
    <path d="M 120 90 L 285 90 Q 240 180 185 320" stroke="black" stroke-width="18"
      fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Starts `hcr serve --port 0` and resolves with its URL once it listens. */
async function startServer(
  model: string,
  backend: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'src', 'node', 'cli', 'bin.ts'),
      'serve',
      '--model',
      model,
      '--port',
      '0',
      '--rate-limit',
      '0',
      '--backend',
      backend,
      '--json',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`hcr serve exited with code ${code} before listening:\n${stderr}`)),
    );
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function health(url: string): Promise<Health> {
  const response = await fetch(`${url}/healthz`);
  return (await response.json()) as Health;
}

async function main(): Promise<void> {
  const program = new Command('bench:serve')
    .description('requests/s and latency of POST /api/predict on loopback')
    .option('--model <dir>', `model directory (default: ${SHIPPED_MODEL})`)
    .option('--seconds <n>', 'how long to drive the server', parsePositiveInt, 15)
    .option('--connections <n>', 'concurrent keep-alive connections', parsePositiveInt, 4)
    .option('--image <file>', 'image to post (default: a 400x400 PNG of a drawn 7)')
    .addOption(
      new Option('--backend <name>', "the server's tfjs backend")
        .choices(Object.keys(BACKENDS))
        .default('auto'),
    )
    .option('--json', 'print machine-readable JSON on stdout');
  const options = program.parse().opts<ServeBenchOptions>();
  const model = options.model ?? SHIPPED_MODEL;
  if (!existsSync(path.join(model, 'hcr.json'))) {
    note(
      `bench:serve: no model at ${model}: pass --model DIR (a directory written by 'hcr train')`,
    );
    process.exitCode = 2;
    return;
  }
  const body = options.image ? await readFile(options.image) : await drawingPng();
  const type = options.image?.toLowerCase().endsWith('.jpg') ? 'image/jpeg' : 'image/png';
  const machine = machineInfo();

  note(`starting hcr serve --model ${model} ...`);
  const { child, url } = await startServer(model, options.backend);
  try {
    const post = { method: 'POST' as const, headers: { 'content-type': type }, body };
    // Warm-up: the first predictions compile the model's kernels.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/api/predict`, post);
      if (!res.ok) throw new Error(`warm-up request answered ${res.status}: ${await res.text()}`);
    }
    const before = await health(url);
    note(
      `driving POST ${url}/api/predict for ${options.seconds} s with ${options.connections} connections (${fmt(body.length)} byte image) ...`,
    );
    const result = await autocannon({
      url: `${url}/api/predict`,
      ...post,
      connections: options.connections,
      pipelining: 1,
      duration: options.seconds,
    });
    const after = await health(url);
    const mib = (bytes: number) => bytes / 1024 / 1024;
    const summary = {
      url,
      model,
      seconds: result.duration,
      connections: options.connections,
      imageBytes: body.length,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      server: {
        tensorsBefore: before.tensors,
        tensorsAfter: after.tensors,
        rssMiBBefore: mib(before.rssBytes),
        rssMiBAfter: mib(after.rssBytes),
      },
      machine,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    console.log(
      `machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load ${machine.loadAverage.toFixed(2)} at start`,
    );
    console.log(
      formatTable(
        [
          'POST /api/predict',
          'req/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'requests',
          'non-2xx',
          'errors',
        ],
        [
          [
            `${options.connections} connection${options.connections === 1 ? '' : 's'}`,
            fmt(summary.requestsPerSecond, 1),
            fmt(summary.latencyMs.p50, 1),
            fmt(summary.latencyMs.p99, 1),
            fmt(summary.latencyMs.max, 1),
            fmt(summary.requests),
            fmt(summary.non2xx),
            fmt(summary.errors),
          ],
        ],
      ),
    );
    console.log(
      `server: tensors ${before.tensors} -> ${after.tensors}, RSS ${fmt(mib(before.rssBytes), 1)} -> ${fmt(mib(after.rssBytes), 1)} MiB`,
    );
    if (summary.non2xx > 0 || summary.errors > 0 || after.tensors !== before.tensors) {
      process.exitCode = 1;
    }
  } finally {
    await stopServer(child);
  }
}

await main();
