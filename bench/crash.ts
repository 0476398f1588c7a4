// `npm run bench:crash`: the kill -9 loop of issue 13 at full size. Trains a tiny model on the
// fixture, kills it at random instants (at least 50 times, many during saves), resumes after
// each kill, and prints how many kills landed in a save, what each resumed from and the most
// training time one kill lost, next to the checkpoint interval. Exits 1 if any kill left a
// state that --resume or evaluate could not use.
//
//   npm run bench:crash -- [--kills 50] [--seed 1] [--workers 0]

import { runCrashLoop } from '../test/hostile/crash-loop.js';
import { initEngine } from '../src/node/engine/index.js';
import { parseBenchArgs } from './args.js';

const options = parseBenchArgs(
  'bench:crash',
  'The kill -9 loop: kills, resumes, and what each kill lost.',
  {
    kills: { flags: '--kills <n>', description: 'how many kill -9', parse: 'integer', default: 50 },
    seed: {
      flags: '--seed <n>',
      description: 'seed of the kill instants',
      parse: 'integer',
      default: 1,
    },
    workers: {
      flags: '--workers <n>',
      description: 'worker replicas of the killed runs',
      parse: 'integer',
      default: 0,
    },
  },
);

await initEngine({ backend: 'wasm' });
const result = await runCrashLoop({
  kills: options.kills,
  seed: options.seed,
  workers: options.workers,
  onKill: (k) =>
    process.stderr.write(
      `kill ${k.index}: ${k.afterMs} ms after launch${k.duringSave ? ', during a save' : ''}${k.betweenRenames ? ' (between the renames)' : ''}; resume from ${k.resumeFrom}, lost ${k.lostSeconds.toFixed(2)} s\n`,
    ),
});
const count = (f: (k: (typeof result.kills)[number]) => boolean) => result.kills.filter(f).length;
process.stdout.write(
  `${JSON.stringify(
    {
      kills: result.kills.length,
      duringSave: count((k) => k.duringSave),
      betweenRenames: count((k) => k.betweenRenames),
      resumeFrom: {
        checkpoint: count((k) => k.resumeFrom === 'checkpoint'),
        model: count((k) => k.resumeFrom === 'model'),
        fresh: count((k) => k.resumeFrom === 'fresh'),
      },
      checkpointSeconds: result.checkpointSeconds,
      maxLostSeconds: Number(result.maxLostSeconds.toFixed(2)),
      finalTrainCode: result.finalTrainCode,
      evaluateCode: result.evaluateCode,
      failures: result.failures,
      seconds: Math.round(result.seconds),
    },
    null,
    2,
  )}\n`,
);
process.exitCode = result.failures.length === 0 ? 0 : 1;
