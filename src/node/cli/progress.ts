// Draws training progress for a person: a bar per epoch on a terminal (cli-progress), plain
// log lines otherwise (CI logs, pipes), nothing with --json. The library only emits events.

import cliProgress from 'cli-progress';
import type { PlanProgress } from '../data/plan.js';
import type { TrainEvent } from '../train/trainer.js';
import { clock, pct } from '../../core/format.js';

/** Where progress goes: a stream, whether it is a terminal, and the clock for throttling. */
export interface ProgressSink {
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly now?: () => number;
}

/** A training-event handler that renders progress to `sink`. Call `stop()` when done. */
export function trainProgressRenderer(sink: ProgressSink): {
  onEvent: (event: TrainEvent) => void;
  stop: () => void;
} {
  const now = sink.now ?? (() => Date.now());
  const tty = Boolean(sink.stream.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let epochs = 0;
  let lastLog = 0;
  const line = (text: string) => {
    sink.stream.write(`${text}\n`);
  };
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  const onEvent = (event: TrainEvent) => {
    switch (event.phase) {
      case 'start':
        epochs = event.epochs;
        for (const repair of event.repaired ?? []) line(`repaired ${repair}`);
        line(
          `training on ${event.trainImages.toLocaleString('en')} images, validating on ${event.validationImages.toLocaleString('en')}; ` +
            `${event.batchesPerEpoch} batches per epoch` +
            (event.resumedAt
              ? `; resuming at epoch ${event.resumedAt.epoch + 1}, batch ${event.resumedAt.batch}` +
                (event.resumedFrom === 'model'
                  ? ' from the saved model (no checkpoint: the optimizer starts afresh)'
                  : '')
              : ''),
        );
        break;
      case 'batch':
        if (tty) {
          if (!bar) {
            bar = new cliProgress.SingleBar(
              {
                format: `epoch ${event.epoch + 1}/${epochs} {bar} {value}/{total} | loss {loss} acc {acc} | {speed} img/s | ETA {eta_h}`,
                hideCursor: true,
                clearOnComplete: false,
                stream: sink.stream,
              },
              cliProgress.Presets.shades_classic,
            );
            bar.start(event.batches, event.batch - 1, {});
          }
          bar.update(event.batch, {
            loss: event.loss.toFixed(4),
            acc: pct(event.accuracy),
            speed: Math.round(event.imagesPerSecond),
            eta_h: clock(event.etaSeconds),
          });
        } else if (now() - lastLog >= 10_000 || event.batch === event.batches) {
          lastLog = now();
          line(
            `epoch ${event.epoch + 1}/${epochs} batch ${event.batch}/${event.batches} loss ${event.loss.toFixed(4)} ` +
              `acc ${pct(event.accuracy)} ${Math.round(event.imagesPerSecond)} img/s lr ${event.learningRate.toExponential(2)} ETA ${clock(event.etaSeconds)}`,
          );
        }
        break;
      case 'validation':
        stopBar();
        break;
      case 'epoch':
        stopBar();
        line(
          `epoch ${event.epoch}/${epochs}: loss ${event.loss.toFixed(4)} acc ${pct(event.accuracy)} | ` +
            `val_loss ${event.valLoss.toFixed(4)} val_acc ${pct(event.valAccuracy)} | ${clock(event.seconds)}` +
            (event.improved ? ' | best so far' : ''),
        );
        break;
      case 'saved':
        line(`saved best model to ${event.dir}`);
        break;
      case 'checkpoint':
        break;
      case 'stopped':
        stopBar();
        line(`stopped: ${event.reason}`);
        break;
    }
  };
  return { onEvent, stop: stopBar };
}

/**
 * A data-plan progress handler: one line per source as it loads, for byte-counted work (CSV
 * parsing) a throttled line with MB and MB/s, and every warning (`warning: ...`).
 */
export function dataProgressRenderer(sink: ProgressSink): (event: PlanProgress) => void {
  const now = sink.now ?? (() => Date.now());
  const started = new Map<string, number>();
  let lastLog = 0;
  return (event) => {
    if (event.phase === 'warning') {
      sink.stream.write(`warning: ${event.message ?? ''}\n`);
      return;
    }
    if (event.phase !== 'load') return;
    if (!started.has(event.source)) {
      started.set(event.source, now());
      sink.stream.write(`loading ${event.source}\n`);
    }
    if (event.unit === 'bytes' && event.done !== undefined && now() - lastLog >= 2000) {
      lastLog = now();
      const seconds = Math.max((now() - started.get(event.source)!) / 1000, 1e-3);
      const total = event.total ? ` of ${(event.total / 1e6).toFixed(0)}` : '';
      sink.stream.write(
        `  ${event.source}: ${(event.done / 1e6).toFixed(0)}${total} MB, ${(event.done / 1e6 / seconds).toFixed(0)} MB/s\n`,
      );
    }
  };
}
