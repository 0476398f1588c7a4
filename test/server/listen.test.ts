// Listening on a real socket and shutting down on a signal: requests in flight finish, new
// connections are refused, a second signal cuts what is left; a stalled upload times out.

import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import type { ErrorBody } from '../../src/node/server/errors.js';
import { serveUntilSignal } from '../../src/node/server/listen.js';
import { saveFixtureModel } from './helpers.js';

let app: FastifyInstance | undefined;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An app with one route that answers after `ms` milliseconds. */
function slowApp(ms: number): FastifyInstance {
  const instance = Fastify({ forceCloseConnections: 'idle' });
  instance.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { done: true };
  });
  return instance;
}

/** GET url; resolves with the status and body, or rejects on a connection error. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveUntilSignal', () => {
  it('finishes requests in flight on SIGTERM, then refuses connections', async () => {
    app = slowApp(300);
    const signals = new EventEmitter();
    const shutdowns: string[] = [];
    const running = await serveUntilSignal(app, {
      port: 0,
      signalSource: signals,
      onShutdown: (cause) => shutdowns.push(cause),
    });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.port).toBeGreaterThan(0);
    const inFlight = get(`${running.url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 80));
    signals.emit('SIGTERM');
    expect(await inFlight).toEqual({ status: 200, body: '{"done":true}' });
    expect(await running.closed).toEqual({ cause: 'SIGTERM', forced: false });
    expect(shutdowns).toEqual(['SIGTERM']);
    await expect(get(`${running.url}/slow`)).rejects.toThrow(/ECONNREFUSED/);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('cuts the remaining requests on a second signal', async () => {
    app = slowApp(20_000);
    const signals = new EventEmitter();
    const running = await serveUntilSignal(app, { port: 0, signalSource: signals });
    const inFlight = get(`${running.url}/slow`).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const started = Date.now();
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(await running.closed).toEqual({ cause: 'SIGINT', forced: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await inFlight).toBeInstanceOf(Error);
  });

  it('cuts the remaining requests after the shutdown time limit', async () => {
    app = slowApp(20_000);
    const running = await serveUntilSignal(app, {
      port: 0,
      signalSource: new EventEmitter(),
      shutdownTimeoutMs: 100,
    });
    const inFlight = get(`${running.url}/slow`).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await running.close()).toEqual({ cause: 'close', forced: true });
    expect(await inFlight).toBeInstanceOf(Error);
  });

  it('says which port is in use and how to choose another', async () => {
    app = slowApp(1);
    const running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
    const second = slowApp(1);
    try {
      await expect(
        serveUntilSignal(second, { port: running.port, signalSource: new EventEmitter() }),
      ).rejects.toThrow(
        new RegExp(
          `cannot listen on 127\\.0\\.0\\.1:${running.port}: the port is in use.*--port 0`,
        ),
      );
    } finally {
      await second.close();
    }
  });

  it('answers a request that stalls with a 408 JSON error, and keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcr-timeout-'));
    const loaded = await loadModel(await saveFixtureModel(join(dir, 'model')));
    try {
      app = await buildServer({ model: loaded, webRoot: dir, requestTimeoutMs: 300 });
      const running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(running.port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        // Without a timeout answer, give up after 5 s (the expectation below then fails).
        setTimeout(() => socket.destroy(), 5_000).unref();
        // Headers promise 1000 bytes of image; only 10 arrive.
        socket.write(
          'POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n0123456789',
        );
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as ErrorBody;
      expect(body).toEqual({
        code: 'TIMEOUT',
        message: 'request: expected the whole request within 0.3 s, it arrived too slowly',
      });
      const after = await fetch(`${running.url}/healthz`);
      expect(after.status).toBe(200);
    } finally {
      await app?.close();
      app = undefined;
      loaded.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
