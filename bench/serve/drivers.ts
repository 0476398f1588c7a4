// bench:serve's drivers: the requests it sends (good, hostile, heavy, large uploads) and the
// loops that send them and time the answers.

import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import {
  blurSvg,
  gridOfBarsPng,
  malformedMultipart,
  pngBomb,
  truncatedJpeg,
} from '../../test/hostile/inputs.js';
import { loopDelayMaxMs, type Server } from './server.js';

/** One request the mixed driver sends. */
export interface MixRequest {
  readonly kind: string;
  readonly path: string;
  readonly type: string;
  readonly body: Buffer | string;
}

/** What the mixed driver measured. */
export interface MixResult {
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
export async function hostileRequests(): Promise<MixRequest[]> {
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
export async function runMix(
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

/**
 * What the page sends when the server runs the model: a 400x400 PNG of a drawn "7", black on
 * white, as the canvas exports it.
 */
export async function drawingPng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">
    <rect width="400" height="400" fill="white"/>
    <path d="M 120 90 L 285 90 Q 240 180 185 320" stroke="black" stroke-width="18"
      fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A POST from the loopback address `from` (127.0.0.x, so that the server sees one client each). */
export function postFrom(
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
export interface HeavyMixResult {
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
export const HOSTILE_PATTERN = '[\u0001-\uffff]{1,2}'.repeat(6);

/**
 * One heavy client (127.0.0.2: pages of bars and the pathological pattern, two at a time)
 * among `fairClients` fair ones (127.0.0.10...: a drawing read, one after the other), for
 * `seconds`, with /healthz polled every 50 ms.
 */
export async function runHeavyMix(
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
export async function photoJpeg(): Promise<Buffer> {
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
export async function runLargeUploads(
  url: string,
  rounds: number,
): Promise<Record<string, number>> {
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
