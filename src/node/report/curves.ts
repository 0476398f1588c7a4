// Training curves: accuracy and loss per epoch, training and validation, from the history the
// trainer saves (history.json), with the best epoch (the saved model) marked. With several
// models the curves share the axes, one colour per model.

import type { TopLevelSpec } from 'vega-lite';
import { HcrError } from '../../core/errors.js';
import type { EpochRecord } from '../model/history.js';
import { PLOT_CONFIG } from './render.js';

/** One model's history for {@link trainingCurvesSpec}. */
export interface CurveSeries {
  /** Name shown in the legend when several models are drawn. */
  readonly model: string;
  readonly history: readonly EpochRecord[];
  /** The epoch whose weights were saved (lowest validation loss), or null when unknown. */
  readonly bestEpoch: number | null;
}

const SPLIT_ORDER = ['training', 'validation'];

/**
 * Two panels side by side, accuracy and loss against the epoch, each with a training and a
 * validation line and a dotted rule at the best epoch. Throws BAD_DATA when a history is empty.
 *
 * @example
 * trainingCurvesSpec([{ model: 'default-lr2', history, bestEpoch: 7 }]);
 */
export function trainingCurvesSpec(
  series: readonly CurveSeries[],
  options: {
    /** The epoch budget of a run in progress: the epoch axis runs to it. Default: the last epoch. */
    epochs?: number;
  } = {},
): TopLevelSpec {
  for (const s of series) {
    if (s.history.length === 0) {
      throw new HcrError('BAD_DATA', `training curves of ${s.model}: history has no epochs`);
    }
  }
  const several = series.length > 1;
  const points = series.flatMap((s) =>
    s.history.flatMap((r) => [
      { model: s.model, epoch: r.epoch, split: 'training', accuracy: r.accuracy, loss: r.loss },
      {
        model: s.model,
        epoch: r.epoch,
        split: 'validation',
        accuracy: r.valAccuracy,
        loss: r.valLoss,
      },
    ]),
  );
  const best = series.flatMap((s) => {
    const record = s.history.find((r) => r.epoch === s.bestEpoch);
    if (!record) return [];
    return [
      {
        model: s.model,
        epoch: record.epoch,
        label: several ? `${s.model}: best epoch ${record.epoch}` : `best epoch ${record.epoch}`,
        accuracy: record.valAccuracy,
        loss: record.valLoss,
      },
    ];
  });
  const firstEpoch = Math.min(...points.map((p) => p.epoch));
  const maxEpoch = Math.max(firstEpoch + 1, options.epochs ?? 0, ...points.map((p) => p.epoch));
  const epochAxis = {
    field: 'epoch',
    type: 'quantitative',
    title: 'Epoch',
    scale: { domain: [firstEpoch, maxEpoch] },
    axis: { tickMinStep: 1, format: 'd' },
  };
  const colour = several
    ? { field: 'model', type: 'nominal', title: 'Model' }
    : {
        field: 'split',
        type: 'nominal',
        title: 'Measured on',
        scale: { domain: SPLIT_ORDER, range: ['#1f77b4', '#ff7f0e'] },
      };
  const PANEL_HEIGHT = 260;
  const panel = (measure: 'accuracy' | 'loss') => {
    const title = measure === 'accuracy' ? 'Accuracy' : 'Loss (cross-entropy)';
    const y = {
      field: measure,
      type: 'quantitative',
      title,
      scale: { zero: false },
      ...(measure === 'accuracy' ? { axis: { format: '.1%' } } : {}),
    };
    const description = {
      field: 'description',
      type: 'nominal',
    };
    return {
      width: 380,
      height: PANEL_HEIGHT,
      title: { text: title, fontSize: 14 },
      layer: [
        {
          data: { values: points },
          transform: [
            {
              calculate: `(${several ? "datum.model + ', ' + " : ''}datum.split) + ', epoch ' + datum.epoch + ': ${measure} ' + format(datum.${measure}, '${measure === 'accuracy' ? '.2%' : '.4f'}')`,
              as: 'description',
            },
          ],
          encoding: { x: epochAxis, y, color: colour },
          // The line carries no hover text; each point says what it measures.
          layer: [
            {
              mark: { type: 'line', strokeWidth: 2, aria: false },
              encoding: several
                ? {
                    strokeDash: {
                      field: 'split',
                      type: 'nominal',
                      title: 'Measured on',
                      scale: {
                        domain: SPLIT_ORDER,
                        range: [
                          [1, 0],
                          [6, 3],
                        ],
                      },
                      legend: {
                        symbolType: 'stroke',
                        symbolStrokeColor: '#444',
                        symbolStrokeWidth: 2,
                        symbolSize: 400,
                      },
                    },
                  }
                : {},
            },
            {
              mark: { type: 'point', filled: true, size: 40, opacity: 1 },
              encoding: { description },
            },
          ],
        },
        {
          data: { values: best },
          mark: { type: 'rule', strokeDash: [2, 3], strokeWidth: 1.5, aria: false },
          encoding: {
            x: { field: 'epoch', type: 'quantitative' },
            color: several ? { field: 'model', type: 'nominal' } : { value: '#2ca02c' },
          },
        },
        // One label layer per model, stacked so that labels never overlap, on the side the
        // curves leave free: the bottom for accuracy (it climbs), the top for loss (it falls).
        // Right of the rule in the first half of the run, left of it in the second.
        ...best.map((b, i) => ({
          data: { values: [b] },
          mark: {
            type: 'text',
            align: b.epoch > (firstEpoch + maxEpoch) / 2 ? 'right' : 'left',
            baseline: measure === 'accuracy' ? 'bottom' : 'top',
            dx: b.epoch > (firstEpoch + maxEpoch) / 2 ? -4 : 4,
            fontWeight: 'bold',
            aria: false,
          },
          encoding: {
            x: { field: 'epoch', type: 'quantitative' },
            y: { value: measure === 'accuracy' ? PANEL_HEIGHT - 4 - 16 * i : 4 + 16 * i },
            text: { field: 'label', type: 'nominal' },
            color: several ? { field: 'model', type: 'nominal' } : { value: '#2ca02c' },
          },
        })),
      ],
    };
  };
  const bestText = several
    ? 'Dotted lines: each model’s best epoch (lowest validation loss), whose weights were saved.'
    : 'Dotted line: the best epoch (lowest validation loss), whose weights were saved.';
  return {
    config: PLOT_CONFIG,
    title: {
      text: several ? 'Training curves, compared' : 'Training curves',
      subtitle: [
        'Accuracy and loss per epoch. Training: averaged over the epoch while the model learns (with augmentation',
        'and dropout, so usually below validation). Validation: held-out images, measured after each epoch.',
        bestText,
      ],
    },
    hconcat: [panel('accuracy'), panel('loss')],
    resolve: { scale: { color: 'shared' } },
  } as unknown as TopLevelSpec;
}
