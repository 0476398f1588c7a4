// Listening on a real socket and shutting down on a signal: requests in flight finish, new
// connections are refused, a second signal cuts what is left.

import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { serveUntilSignal } from '../../src/node/server/listen.js';

let app: FastifyInstance | undefined;

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
});
