// A server for the hostile tests in a process of its own, so that its memory is measured alone:
// `node --import tsx test/hostile/serve.ts MODEL_DIR '{"workTimeoutMs": 6000}'` prints
// `{"url": ...}` once it listens, and one JSON line per internal error on stderr.

import { initEngine } from '../../src/node/engine/index.js';
import { loadModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';

const [modelDir, options = '{}'] = process.argv.slice(2);
if (!modelDir) throw new Error('usage: serve.ts MODEL_DIR [OPTIONS_JSON]');
await initEngine({ backend: 'wasm' });
const loaded = await loadModel(modelDir);
const app = await buildServer({
  model: loaded,
  webRoot: `${modelDir}/no-web`,
  ...(JSON.parse(options) as object),
  onEvent: (event) => {
    if (event.type === 'error') {
      process.stderr.write(`${JSON.stringify({ url: event.url, error: String(event.error) })}\n`);
    }
  },
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
