// Load benchmark of `hcr serve`: starts the server as a child process on loopback, drives
// POST /api/predict from this process with autocannon (keep-alive connections, one request in
// flight per connection), and prints requests/s, p50/p99 latency, errors, and the server's
// tensor count and memory before and after (they must stay flat). Then the same good requests
// twice more from a driver that times each one: alone (clean), and with every third request a
// hostile one of issue 13 (a 4800x4800 grid of bars to /api/read, an SVG with a huge blur,
// truncated JPEGs with lying headers alone and 64 in a batch, a decompression bomb, malformed
// multipart); it prints the good requests' p50/p99 in both runs, the hostile answers' codes,
// and the slowest /healthz. Last, one heavy client among fair ones (issue 22): one address
// sends pages of bars and pathological patterns two at a time while 8 other addresses each read
// a drawing, one request after the other; it prints the fair clients' p50/p99 and share of 503,
// /healthz's p99, and the server's longest event-loop delay (perf_hooks' monitorEventLoopDelay,
// run inside the server), against the issue's targets. The server is started as a user starts
// it, without glibc's allocator settings in its environment (`hcr serve` relaunches itself with
// them, src/node/cli/relaunch.ts); its memory is read idle (after both routes' workers started),
// and, after the runs above and a fixed burst of large uploads (photos, a batch of photos, pages
// of bars: the same work however loaded the machine), once at once and once --settle-seconds
// later, against the issue's target of 1.5x idle 60 s after a burst (--no-relaunch, passed on to `hcr serve`, measures it
// without them).
//
//   npm run bench:serve -- [--model DIR] [--seconds 15] [--connections 4] [--image FILE]
//                          [--backend auto] [--burst-rounds 2] [--settle-seconds 60]
//                          [--no-relaunch]
//                          [--no-hostile] [--json]

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Command, Option } from 'commander';
import sharp from 'sharp';
import { BACKENDS } from '../src/node/engine/index.js';
import {
  blurSvg,
  gridOfBarsPng,
  malformedMultipart,
  pngBomb,
  truncatedJpeg,
} from '../test/hostile/inputs.js';
import { fmt, formatTable, machineInfo, note, parsePositiveInt, percentile } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHIPPED_MODEL = path.join(ROOT, 'models', 'alnum36');

interface ServeBenchOptions {
  model?: string;
  seconds: number;
  connections: number;
  image?: string;
  backend: string;
  settleSeconds: number;
  burstRounds: number;
  relaunch: boolean;
  hostile: boolean;
  json?: boolean;
}

/** One request the mixed driver sends. */
interface MixRequest {
  readonly kind: string;
  readonly path: string;
  readonly type: string;
  readonly body: Buffer | string;
}

/** What the mixed driver measured. */
interface MixResult {
  /** Latencies of the good requests, in ms, ascending. */
  readonly good: number[];
  /** Good requests that did not answer 200. */
  readonly goodFailed: number;
  /** Per hostile kind: how many, and the statuses answered. */
  readonly hostile: Record<
    string,
    { count: number; statuses: Record<string, number>; maxMs: number }
  >;
  /** Slowest /healthz answer during the run, in ms. */
  readonly healthMaxMs: number;
}

/** The hostile requests of issue 13, sent in turn as every third request of the mix. */
async function hostileRequests(): Promise<MixRequest[]> {
  const jpeg = await truncatedJpeg(4800, 2400, true);
  const form = malformedMultipart()[2]!;
  return [
    {
      kind: 'grid 4800x4800 /api/read',
      path: '/api/read',
      type: 'image/png',
      body: await gridOfBarsPng(4800),
    },
    { kind: 'SVG blur 500', path: '/api/read', type: 'image/svg+xml', body: blurSvg(4800) },
    { kind: 'truncated JPEG', path: '/api/predict', type: 'image/jpeg', body: jpeg },
    {
      kind: '64 truncated JPEGs (JSON)',
      path: '/api/predict',
      type: 'application/json',
      body: JSON.stringify({ images: Array.from({ length: 64 }, () => jpeg.toString('base64')) }),
    },
    {
      kind: 'PNG bomb 20000x20000',
      path: '/api/predict',
      type: 'image/png',
      body: pngBomb(20000),
    },
    {
      kind: 'unterminated multipart',
      path: '/api/predict',
      type: form.headers['content-type']!,
      body: form.payload,
    },
  ];
}

/**
 * Drives the server from `connections` loops for `seconds`; in each loop every third request is
 * the next hostile one when `hostile` is given, the others the good one. /healthz is polled
 * every 50 ms alongside.
 */
async function runMix(
  url: string,
  good: MixRequest,
  hostile: readonly MixRequest[],
  options: { seconds: number; connections: number },
): Promise<MixResult> {
  const end = performance.now() + options.seconds * 1000;
  const result: MixResult = { good: [], goodFailed: 0, hostile: {}, healthMaxMs: 0 };
  let nextHostile = 0;
  const post = async (request: MixRequest) => {
    const start = performance.now();
    const res = await fetch(`${url}${request.path}`, {
      method: 'POST',
      headers: { 'content-type': request.type },
      body: request.body,
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - start };
  };
  const loop = async (connection: number) => {
    for (let i = connection; performance.now() < end; i++) {
      if (hostile.length > 0 && i % 3 === 2) {
        const request = hostile[nextHostile++ % hostile.length]!;
        const { status, ms } = await post(request);
        const entry = (result.hostile[request.kind] ??= { count: 0, statuses: {}, maxMs: 0 });
        entry.count++;
        entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
        entry.maxMs = Math.max(entry.maxMs, ms);
      } else {
        const { status, ms } = await post(good);
        if (status === 200) result.good.push(ms);
        else (result as { goodFailed: number }).goodFailed++;
      }
    }
  };
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const start = performance.now();
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      (result as { healthMaxMs: number }).healthMaxMs = Math.max(
        result.healthMaxMs,
        performance.now() - start,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await Promise.all(Array.from({ length: options.connections }, (_, c) => loop(c)));
  polling = false;
  await poll;
  result.good.sort((a, b) => a - b);
  return result;
}

interface Health {
  tensors: number;
  rssBytes: number;
  heapUsedBytes: number;
  workers?: { busy: number; starting: number; queued: number; restarts: number };
}

/**
 * Waits until the server's workers are idle and none is starting (autocannon's last requests,
 * cut when it stops, and hostile work make the pool replace workers), at most 60 s.
 */
async function untilIdle(url: string): Promise<Health> {
  const end = performance.now() + 60_000;
  for (;;) {
    const h = await health(url);
    const w = h.workers;
    if (!w || (w.busy === 0 && w.starting === 0 && w.queued === 0) || performance.now() > end) {
      return h;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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

/**
 * Loaded into the server's process: the event loop's delay, measured by perf_hooks, written to
 * stderr as one JSON line (and the histogram reset) on each SIGUSR2.
 */
const LOOP_DELAY_MONITOR = `data:text/javascript,${encodeURIComponent(
  [
    "import { monitorEventLoopDelay } from 'node:perf_hooks';",
    'const h = monitorEventLoopDelay({ resolution: 10 });',
    'h.enable();',
    "process.on('SIGUSR2', () => {",
    "  process.stderr.write(JSON.stringify({ loopDelayMaxMs: h.max / 1e6 }) + '\\n');",
    '  h.reset();',
    '});',
  ].join('\n'),
)}`;

/** Asks the server for its longest event-loop delay since the last ask, in ms. */
async function loopDelayMaxMs(server: Server): Promise<number> {
  const answer = new Promise<number>((resolve) => {
    const onLine = (line: string) => {
      if (!line.startsWith('{"loopDelayMaxMs"')) return;
      server.lines.off('line', onLine);
      resolve((JSON.parse(line) as { loopDelayMaxMs: number }).loopDelayMaxMs);
    };
    server.lines.on('line', onLine);
  });
  process.kill(server.pid, 'SIGUSR2');
  return answer;
}

interface Server {
  /** The process started: `hcr serve`'s launcher, or the server itself with --no-relaunch. */
  readonly child: ChildProcess;
  /** The process that serves (from the `--json` line); the monitor answers there. */
  readonly pid: number;
  readonly url: string;
  /** The server's stderr, line by line. */
  readonly lines: ReturnType<typeof createInterface>;
}

/**
 * Starts `hcr serve --port 0` and resolves with its URL once it listens; `relaunch: false`
 * passes --no-relaunch.
 */
async function startServer(model: string, backend: string, relaunch: boolean): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      LOOP_DELAY_MONITOR,
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
      ...(relaunch ? [] : ['--no-relaunch']),
    ],
    // This environment as it is: `hcr serve` adds glibc's allocator settings itself.
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`hcr serve exited with code ${code} before listening:\n${stderr}`)),
    );
    lines.once('line', (line) => resolve(JSON.parse(line) as { url: string; pid: number }));
  });
  return { child, pid, url, lines: createInterface({ input: child.stderr! }) };
}

/** The resident memory of process `pid` in MiB (Linux), or NaN when it cannot be read. */
function rssMiBOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** A POST from the loopback address `from` (127.0.0.x, so that the server sees one client each). */
function postFrom(
  url: string,
  from: string,
  request: MixRequest,
): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${request.path}`, {
      method: 'POST',
      localAddress: from,
      agent: false,
      headers: { 'content-type': request.type, 'content-length': Buffer.byteLength(request.body) },
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
    });
    req.end(request.body);
  });
}

/** What the heavy-client mix measured. */
interface HeavyMixResult {
  readonly fairClients: number;
  /** The fair clients' answered reads (200), in ms, ascending. */
  readonly fair: number[];
  readonly fairRequests: number;
  readonly fair503: number;
  readonly fairOther: number;
  /** The heavy client's answers by status. */
  readonly heavy: Record<string, number>;
  /** /healthz latencies, ascending. */
  readonly health: number[];
  readonly loopDelayMaxMs: number;
}

/** The issue 22 pattern: six slots of any of 65,535 characters, once or twice. */
const HOSTILE_PATTERN = '[\u0001-\uffff]{1,2}'.repeat(6);

/**
 * One heavy client (127.0.0.2: pages of bars and the pathological pattern, two at a time)
 * among `fairClients` fair ones (127.0.0.10...: a drawing read, one after the other), for
 * `seconds`, with /healthz polled every 50 ms.
 */
async function runHeavyMix(
  server: Server,
  fairRead: MixRequest,
  options: { seconds: number; fairClients: number },
): Promise<HeavyMixResult> {
  const { url } = server;
  const heavyRequests: MixRequest[] = [
    { kind: 'grid', path: '/api/read', type: 'image/png', body: await gridOfBarsPng(4800) },
    {
      kind: 'pattern',
      path: `/api/read?pattern=${encodeURIComponent(HOSTILE_PATTERN)}`,
      type: fairRead.type,
      body: fairRead.body,
    },
  ];
  await loopDelayMaxMs(server);
  const end = performance.now() + options.seconds * 1000;
  const fair: number[] = [];
  const counts = { fairRequests: 0, fair503: 0, fairOther: 0 };
  const heavy: Record<string, number> = {};
  const health: number[] = [];
  const heavyLoop = async (offset: number) => {
    for (let i = offset; performance.now() < end; i++) {
      const request = heavyRequests[i % heavyRequests.length]!;
      const { status } = await postFrom(url, '127.0.0.2', request);
      heavy[`${request.kind} ${status}`] = (heavy[`${request.kind} ${status}`] ?? 0) + 1;
    }
  };
  const fairLoop = async (client: number) => {
    while (performance.now() < end) {
      const { status, ms } = await postFrom(url, `127.0.0.${10 + client}`, fairRead);
      counts.fairRequests++;
      if (status === 200) fair.push(ms);
      else if (status === 503) counts.fair503++;
      else counts.fairOther++;
    }
  };
  const poll = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      health.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all([
    heavyLoop(0),
    heavyLoop(1),
    ...Array.from({ length: options.fairClients }, (_, c) => fairLoop(c)),
    poll(),
  ]);
  fair.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  return {
    fairClients: options.fairClients,
    fair,
    ...counts,
    heavy,
    health,
    loopDelayMaxMs: await loopDelayMaxMs(server),
  };
}

/** A 3000x3000 JPEG of smooth noise, the size of a phone photo (9 Mpx to decode). */
async function photoJpeg(): Promise<Buffer> {
  const side = 256;
  const noise = Buffer.alloc(side * side * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width: side, height: side, channels: 3 } })
    .resize(3000, 3000)
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * The burst that the server's memory is measured after: a fixed list of large uploads (photos
 * to /api/predict and /api/read, four in one JSON batch, 36 Mpx to decode, a page of
 * bars, a drawing) sent `rounds` times by each of 2 addresses (as many as the workers, so that
 * none waits out its turn), one request after the other, so that the same work is done however
 * loaded the machine is (the timed runs do less on a busy machine). Answers the statuses.
 */
async function runLargeUploads(url: string, rounds: number): Promise<Record<string, number>> {
  const photo = await photoJpeg();
  const batch = JSON.stringify({
    images: Array.from({ length: 4 }, () => photo.toString('base64')),
  });
  const list: MixRequest[] = [
    { kind: 'photo /api/predict', path: '/api/predict', type: 'image/jpeg', body: photo },
    { kind: 'photo /api/read', path: '/api/read', type: 'image/jpeg', body: photo },
    { kind: '4 photos /api/predict', path: '/api/predict', type: 'application/json', body: batch },
    {
      kind: 'grid /api/read',
      path: '/api/read',
      type: 'image/png',
      body: await gridOfBarsPng(4800),
    },
    { kind: 'drawing /api/read', path: '/api/read', type: 'image/png', body: await drawingPng() },
  ];
  const statuses: Record<string, number> = {};
  await Promise.all(
    [0, 1].map(async (client) => {
      for (let round = 0; round < rounds; round++) {
        for (const request of list) {
          const { status } = await postFrom(url, `127.0.0.${30 + client}`, request);
          const key = `${request.kind} ${status}`;
          statuses[key] = (statuses[key] ?? 0) + 1;
        }
      }
    }),
  );
  return statuses;
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
    .option(
      '--burst-rounds <n>',
      'rounds of large uploads (photos, a batch of photos, a page of bars) before the memory is read',
      parsePositiveInt,
      2,
    )
    .option(
      '--settle-seconds <n>',
      "how long after the burst the server's memory is read again",
      parsePositiveInt,
      60,
    )
    .addOption(
      new Option('--backend <name>', "the server's tfjs backend")
        .choices(Object.keys(BACKENDS))
        .default('auto'),
    )
    .option(
      '--no-relaunch',
      "pass --no-relaunch to hcr serve: serve without glibc's allocator settings, for comparison",
    )
    .option('--no-hostile', 'skip the runs with a third of hostile requests')
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
  const server = await startServer(model, options.backend, options.relaunch);
  const { child, url } = server;
  try {
    const post = { method: 'POST' as const, headers: { 'content-type': type }, body };
    // Warm-up: the first predictions compile the model's kernels; the reads start the workers
    // of /api/read, so that the idle memory is that of a server whose workers all run.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/api/${i % 4 === 3 ? 'read' : 'predict'}`, post);
      if (!res.ok) throw new Error(`warm-up request answered ${res.status}: ${await res.text()}`);
    }
    const before = await untilIdle(url);
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
    let after = await health(url);
    const mib = (bytes: number) => bytes / 1024 / 1024;
    let mix: { clean: MixResult; hostile: MixResult; rssMiBAfter: number } | undefined;
    let heavyMix: HeavyMixResult | undefined;
    let settled: Health | undefined;
    let burst: Record<string, number> | undefined;
    if (options.hostile) {
      const good: MixRequest = { kind: 'good', path: '/api/predict', type, body };
      const bad = await hostileRequests();
      await untilIdle(url);
      note(`mixed driver, clean: ${options.seconds} s, ${options.connections} connections ...`);
      const clean = await runMix(url, good, [], options);
      await untilIdle(url);
      note(`mixed driver, every third request hostile: ${options.seconds} s ...`);
      const hostile = await runMix(url, good, bad, options);
      // Workers that ran hostile work are replaced: memory is measured once they are back.
      after = await untilIdle(url);
      mix = { clean, hostile, rssMiBAfter: mib(after.rssBytes) };
      note(`one heavy client among 8 fair ones: ${options.seconds} s ...`);
      heavyMix = await runHeavyMix(
        server,
        { kind: 'fair', path: '/api/read', type, body },
        { seconds: options.seconds, fairClients: 8 },
      );
      note(`large uploads from 2 addresses, ${options.burstRounds} round(s) ...`);
      burst = await runLargeUploads(url, options.burstRounds);
      after = await untilIdle(url);
      note(`the server's memory ${options.settleSeconds} s after the burst ...`);
      await new Promise((resolve) => setTimeout(resolve, options.settleSeconds * 1000));
      settled = await health(url);
    }
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
        pid: server.pid,
        relaunched: server.pid !== child.pid,
        tensorsBefore: before.tensors,
        tensorsAfter: after.tensors,
        rssMiBBefore: mib(before.rssBytes),
        rssMiBAfter: mib(after.rssBytes),
        ...(settled
          ? {
              largeUploads: burst,
              settleSeconds: options.settleSeconds,
              rssMiBSettled: mib(settled.rssBytes),
              rssSettledToIdle: settled.rssBytes / before.rssBytes,
            }
          : {}),
        // `hcr serve`'s launcher, which waits for the server (none with --no-relaunch).
        ...(server.pid !== child.pid ? { launcherRssMiB: rssMiBOf(child.pid) } : {}),
      },
      ...(mix
        ? {
            mix: {
              goodP50Ms: {
                clean: percentile(mix.clean.good, 0.5),
                hostile: percentile(mix.hostile.good, 0.5),
              },
              goodP99Ms: {
                clean: percentile(mix.clean.good, 0.99),
                hostile: percentile(mix.hostile.good, 0.99),
              },
              goodRequests: { clean: mix.clean.good.length, hostile: mix.hostile.good.length },
              goodFailed: { clean: mix.clean.goodFailed, hostile: mix.hostile.goodFailed },
              hostile: mix.hostile.hostile,
              healthzMaxMs: { clean: mix.clean.healthMaxMs, hostile: mix.hostile.healthMaxMs },
            },
          }
        : {}),
      ...(heavyMix
        ? {
            heavyMix: {
              fairClients: heavyMix.fairClients,
              fairRequests: heavyMix.fairRequests,
              fairP50Ms: percentile(heavyMix.fair, 0.5),
              fairP99Ms: percentile(heavyMix.fair, 0.99),
              fair503Share: heavyMix.fair503 / Math.max(1, heavyMix.fairRequests),
              fairOtherFailures: heavyMix.fairOther,
              healthzP99Ms: percentile(heavyMix.health, 0.99),
              loopDelayMaxMs: heavyMix.loopDelayMaxMs,
              heavy: heavyMix.heavy,
            },
          }
        : {}),
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
    const s = summary.server;
    console.log(
      `server: tensors ${before.tensors} -> ${after.tensors}, RSS ${fmt(s.rssMiBBefore, 1)} MiB idle -> ${fmt(s.rssMiBAfter, 1)} MiB after the ${settled ? 'burst' : 'run'}${s.launcherRssMiB === undefined ? ' (not relaunched: no allocator settings)' : `; launcher ${fmt(s.launcherRssMiB, 1)} MiB`}`,
    );
    if (summary.mix) {
      const m = summary.mix;
      console.log(
        formatTable(
          ['good POST /api/predict', 'requests', 'p50 ms', 'p99 ms', 'not 200', 'max /healthz ms'],
          (['clean', 'hostile'] as const).map((run) => [
            run === 'clean' ? 'clean run' : 'a third hostile',
            fmt(m.goodRequests[run]),
            fmt(m.goodP50Ms[run], 1),
            fmt(m.goodP99Ms[run], 1),
            fmt(m.goodFailed[run]),
            fmt(m.healthzMaxMs[run], 1),
          ]),
        ),
      );
      console.log(
        formatTable(
          ['hostile request', 'sent', 'answers', 'max ms'],
          Object.entries(m.hostile).map(([kind, h]) => [
            kind,
            fmt(h.count),
            Object.entries(h.statuses)
              .map(([status, n]) => `${n}x ${status}`)
              .join(', '),
            fmt(h.maxMs, 0),
          ]),
        ),
      );
    }
    if (summary.heavyMix) {
      const h = summary.heavyMix;
      const target = (ok: boolean) => (ok ? 'ok' : 'MISSED');
      console.log(
        formatTable(
          ['one heavy client among 8 fair ones', 'measured', 'target', ''],
          [
            ['fair reads p50 ms', fmt(h.fairP50Ms, 1), '', ''],
            ['fair reads p99 ms', fmt(h.fairP99Ms, 1), '<= 1500', target(h.fairP99Ms <= 1500)],
            [
              'fair reads answered 503',
              `${fmt(100 * h.fair503Share, 1)}% of ${fmt(h.fairRequests)}`,
              '0',
              target(h.fair503Share === 0),
            ],
            ['/healthz p99 ms', fmt(h.healthzP99Ms, 1), '<= 100', target(h.healthzP99Ms <= 100)],
            [
              'longest event-loop delay ms',
              fmt(h.loopDelayMaxMs, 1),
              '<= 50',
              target(h.loopDelayMaxMs <= 50),
            ],
            ...(s.rssSettledToIdle === undefined
              ? []
              : [
                  [
                    `server RSS ${s.settleSeconds} s after, x idle`,
                    `${fmt(s.rssSettledToIdle, 2)} (${fmt(s.rssMiBSettled ?? NaN, 0)} MiB)`,
                    '<= 1.5 (60 s)',
                    target(s.rssSettledToIdle <= 1.5),
                  ],
                ]),
          ],
        ),
      );
      if (s.largeUploads) {
        console.log(
          `large uploads' answers: ${Object.entries(s.largeUploads)
            .map(([kind, n]) => `${n}x ${kind}`)
            .join(', ')}`,
        );
      }
      console.log(
        `heavy client's answers: ${Object.entries(h.heavy)
          .map(([kind, n]) => `${n}x ${kind}`)
          .join(', ')}`,
      );
    }
    if (
      summary.non2xx > 0 ||
      summary.errors > 0 ||
      after.tensors !== before.tensors ||
      (summary.mix &&
        (summary.mix.goodFailed.clean > 0 ||
          Object.values(summary.mix.hostile).some((h) => h.statuses['200'] || h.statuses['500'])))
    ) {
      process.exitCode = 1;
    }
  } finally {
    await stopServer(child);
  }
}

await main();
