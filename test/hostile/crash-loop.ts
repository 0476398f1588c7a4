// A kill -9 loop over `hcr train` (issue 13): a training run on a small fixture is killed at
// random instants, again and again, each time continued with `hcr train --resume`, until it
// completes; then `hcr evaluate` reads the model. After every kill, a copy of the run's files
// is checked the way --resume and evaluate see them: a checkpoint (or a model with its training
// state) that loads, or nothing at all before the first save; never a dead end. How much
// training each kill lost is measured on the training clock (train-state.json).
// Used by test/hostile/crash.test.ts (a few kills) and bench/crash.ts (50 or more).

import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../../src/core/random.js';
import { loadModel } from '../../src/node/model/artifact.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCES = join(ROOT, 'test', 'fixtures', 'sources');

/** Options of {@link runCrashLoop}. */
export interface CrashLoopOptions {
  /** How many kills. */
  readonly kills: number;
  /** Seed of the kill instants. Default 1. */
  readonly seed?: number;
  /** Epochs of the run (more epochs: more saves to land in). Default 30. */
  readonly epochs?: number;
  /** `--checkpoint-minutes`. Default 0.01 (0.6 s). */
  readonly checkpointMinutes?: number;
  /** Milliseconds between the two renames of every directory swap (HCR_TEST_SWAP_PAUSE_MS). Default 150. */
  readonly swapPauseMs?: number;
  /** `--workers`. Default 0. */
  readonly workers?: number;
  /** Called after each kill with its figures. */
  readonly onKill?: (kill: KillRecord) => void;
}

/** What one kill left behind and how the run went on. */
export interface KillRecord {
  readonly index: number;
  /** Milliseconds after the start of the killed process. */
  readonly afterMs: number;
  /** The files showed a save in progress (staged or half-written directories next to the run). */
  readonly duringSave: boolean;
  /** The model or checkpoint directory was missing, its complete new version staged beside it. */
  readonly betweenRenames: boolean;
  /** What --resume would continue from. */
  readonly resumeFrom: 'checkpoint' | 'model' | 'fresh';
  /** Training seconds lost: reached by the killed run minus kept in the state resumed from. */
  readonly lostSeconds: number;
}

/** The loop's result. */
export interface CrashLoopResult {
  readonly kills: readonly KillRecord[];
  /** Problems found; empty when every kill ended in a usable state. */
  readonly failures: readonly string[];
  readonly checkpointSeconds: number;
  readonly maxLostSeconds: number;
  /** Exit code of the last, uninterrupted `hcr train --resume`. */
  readonly finalTrainCode: number;
  /** Exit code of `hcr evaluate` on the finished model. */
  readonly evaluateCode: number;
  readonly seconds: number;
}

interface Launched {
  readonly done: Promise<number | null>;
  readonly startedAt: number;
  /** performance.now() when the run printed its `training on` line (the training clock starts). */
  trainingAt: number | null;
  stderr: string;
  kill(): void;
}

function launch(args: readonly string[], env: NodeJS.ProcessEnv): Launched {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/node/cli/bin.ts'), ...args],
    { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const run: Launched = {
    startedAt: performance.now(),
    trainingAt: null,
    stderr: '',
    done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
  };
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
    if (run.trainingAt === null && run.stderr.includes('training on ')) {
      run.trainingAt = performance.now();
    }
  });
  return run;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface Inspection {
  readonly duringSave: boolean;
  readonly betweenRenames: boolean;
}

/** Reads what the kill left, without changing anything. */
async function inspect(runsDir: string, outDir: string): Promise<Inspection> {
  const names = await readdir(runsDir);
  const staged = names.filter((n) => /\.(tmp|new|old)-\d+-[0-9a-f]+$/.test(n));
  const missing = async (dir: string, base: string) =>
    !(await exists(dir)) && staged.some((n) => n.startsWith(`.${base}.new-`));
  return {
    duringSave: staged.length > 0,
    betweenRenames:
      (await missing(outDir, 'run')) || (await missing(`${outDir}.checkpoint`, 'run.checkpoint')),
  };
}

interface ResumePoint {
  readonly from: 'checkpoint' | 'model' | 'fresh';
  readonly elapsedSeconds: number;
}

/**
 * Decides, on a copy of the run (opening a directory repairs it; the real one is left for the
 * next `hcr train --resume` to repair), what --resume continues from, checking that it loads
 * and that the model, if there is one, loads as `hcr evaluate` would.
 */
async function resumePoint(runsDir: string, scratch: string): Promise<ResumePoint> {
  await rm(scratch, { recursive: true, force: true });
  await cp(runsDir, scratch, { recursive: true });
  const outDir = join(scratch, 'run');
  const checkpointDir = `${outDir}.checkpoint`;
  const state = async (dir: string) =>
    JSON.parse(await readFile(join(dir, 'train-state.json'), 'utf8')) as {
      elapsedSeconds: number;
    };
  let point: ResumePoint = { from: 'fresh', elapsedSeconds: 0 };
  const checkpoint = await loadModel(checkpointDir).catch((error: Error) => error);
  if (!(checkpoint instanceof Error)) {
    checkpoint.dispose();
    point = { from: 'checkpoint', elapsedSeconds: (await state(checkpointDir)).elapsedSeconds };
  } else if (await exists(checkpointDir)) {
    throw new Error(`the checkpoint does not load: ${checkpoint.message}`);
  }
  const model = await loadModel(outDir).catch((error: Error) => error);
  if (!(model instanceof Error)) {
    model.dispose();
    if (point.from === 'fresh') {
      point = { from: 'model', elapsedSeconds: (await state(outDir)).elapsedSeconds };
    }
  } else if (await exists(join(outDir, 'hcr.json'))) {
    throw new Error(`the model does not load: ${model.message}`);
  } else if (point.from === 'checkpoint') {
    // Before the first epoch ends there is no model yet; after, a checkpoint without its model
    // is repaired by --resume only when the checkpoint was written at the end of the best epoch.
    const s = JSON.parse(await readFile(join(checkpointDir, 'train-state.json'), 'utf8')) as {
      epoch: number;
      batch: number;
      bestEpoch: number;
    };
    if (s.bestEpoch > 0 && !(s.batch === 0 && s.bestEpoch === s.epoch)) {
      throw new Error(
        `the model of epoch ${s.bestEpoch} is gone and the checkpoint cannot restore it`,
      );
    }
  }
  return point;
}

/**
 * Runs the kill -9 loop and returns its figures; `failures` lists every state that was not
 * usable and every run that failed on its own.
 *
 * @example
 * const result = await runCrashLoop({ kills: 50 });
 */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const started = performance.now();
  const rand = createRandom(options.seed ?? 1);
  const checkpointMinutes = options.checkpointMinutes ?? 0.01;
  const work = await mkdtemp(join(tmpdir(), 'hcr-crash-'));
  const runsDir = join(work, 'runs');
  const outDir = join(runsDir, 'run');
  const scratch = join(work, 'scratch');
  const env = { ...process.env, HCR_TEST_SWAP_PAUSE_MS: String(options.swapPauseMs ?? 150) };
  const common = [
    '--data-dir',
    SOURCES,
    '--cache-dir',
    join(work, 'cache'),
    '--backend',
    'wasm',
    '--workers',
    String(options.workers ?? 0),
  ];
  const trainArgs = (resume: boolean) => [
    'train',
    '--arch',
    'tiny',
    '--label-set',
    'digits',
    '--sources',
    'mnist',
    '--epochs',
    String(options.epochs ?? 30),
    '--patience',
    '0',
    '--batch-size',
    '2',
    '--lr',
    '0.005',
    '--checkpoint-minutes',
    String(checkpointMinutes),
    '--out',
    outDir,
    ...(resume ? ['--resume'] : []),
    ...common,
  ];
  const kills: KillRecord[] = [];
  const failures: string[] = [];
  let point: ResumePoint = { from: 'fresh', elapsedSeconds: 0 };
  // How long a whole run takes from launch, learned from the runs so far (kills spread over it).
  let runMs = 6000;
  try {
    while (kills.length < options.kills) {
      const run = launch(trainArgs(point.from !== 'fresh'), env);
      let exited = false;
      const code = run.done.then((c) => {
        exited = true;
        return c;
      });
      const sleep = async (ms: number) => {
        const until = performance.now() + ms;
        while (!exited && performance.now() < until) {
          await new Promise((r) => setTimeout(r, Math.min(5, until - performance.now())));
        }
      };
      // A quarter of the kills anywhere from launch (start-up, repair), the rest in training.
      let killedAt: number | null = null;
      if (rand() < 0.25) {
        await sleep(rand() * runMs);
      } else {
        while (!exited && run.trainingAt === null) await sleep(5);
        await sleep(rand() * Math.max(runMs - 2500, 500));
      }
      if (!exited) {
        killedAt = performance.now();
        run.kill();
      }
      const exitCode = await code;
      if (killedAt === null || exitCode !== null) {
        // The run ended before the kill: it must have succeeded; then start over.
        if (exitCode !== 0) {
          failures.push(
            `run after kill ${kills.length} exited with ${exitCode} on its own: ${run.stderr.slice(-600)}`,
          );
          break;
        }
        runMs = Math.max(runMs, performance.now() - run.startedAt);
        await rm(runsDir, { recursive: true, force: true });
        point = { from: 'fresh', elapsedSeconds: 0 };
        continue;
      }
      const reached =
        run.trainingAt === null
          ? point.elapsedSeconds
          : point.elapsedSeconds + (killedAt - run.trainingAt) / 1000;
      const seen = (await exists(runsDir))
        ? await inspect(runsDir, outDir)
        : { duringSave: false, betweenRenames: false };
      try {
        point = (await exists(runsDir))
          ? await resumePoint(runsDir, scratch)
          : { from: 'fresh', elapsedSeconds: 0 };
      } catch (error) {
        failures.push(`kill ${kills.length + 1}: ${(error as Error).message}`);
        break;
      }
      const record: KillRecord = {
        index: kills.length + 1,
        afterMs: Math.round(killedAt - run.startedAt),
        ...seen,
        resumeFrom: point.from,
        lostSeconds: Math.max(0, reached - point.elapsedSeconds),
      };
      kills.push(record);
      options.onKill?.(record);
    }
    let finalTrainCode = -1;
    let evaluateCode = -1;
    if (failures.length === 0) {
      const last = launch(trainArgs(point.from !== 'fresh'), env);
      finalTrainCode = (await last.done) ?? -1;
      if (finalTrainCode !== 0)
        failures.push(`final --resume exited ${finalTrainCode}: ${last.stderr.slice(-800)}`);
      const evaluate = launch(['evaluate', '--model', outDir, '--no-save', ...common], env);
      evaluateCode = (await evaluate.done) ?? -1;
      if (evaluateCode !== 0)
        failures.push(`evaluate exited ${evaluateCode}: ${evaluate.stderr.slice(-800)}`);
    }
    const leftovers = (await exists(runsDir))
      ? (await readdir(runsDir)).filter((n) => n.startsWith('.'))
      : [];
    if (leftovers.length > 0)
      failures.push(`temporaries left after the final run: ${leftovers.join(', ')}`);
    return {
      kills,
      failures,
      checkpointSeconds: checkpointMinutes * 60,
      maxLostSeconds: Math.max(0, ...kills.map((k) => k.lostSeconds)),
      finalTrainCode,
      evaluateCode,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
