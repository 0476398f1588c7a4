// Options the page takes from its address, for a slow machine or a test's tiny model: the
// character model's adaptation (`?adapt-epochs=1&adapt-repeats=4&adapt-lr=0.001`) and the line
// model's (`?line-adapt-steps=20&line-adapt-lr=0.003`). A parameter that is absent, or not a
// positive number, keeps the recipe's default.

import type { LineAdaptOptions } from '../core/line/adapt.js';
import type { AdaptOptions } from './adapt-protocol.js';

/** The positive numbers among the address's parameters `names`, by the option each sets. */
function positiveParams<K extends string>(
  search: string,
  names: Readonly<Record<K, string>>,
): Partial<Record<K, number>> {
  const query = new URLSearchParams(search);
  const options: Partial<Record<K, number>> = {};
  for (const [option, name] of Object.entries(names) as [K, string][]) {
    const value = Number(query.get(name));
    if (Number.isFinite(value) && value > 0) options[option] = value;
  }
  return options;
}

/**
 * The character model's adaptation options from the page's address. Absent ones keep the
 * page's recipe (PAGE_TUNE).
 *
 * @param search - the address's query. Default: `location.search`
 * @example
 * adaptOptionsFromUrl('?adapt-lr=0.01&adapt-epochs=10'); // { epochs: 10, learningRate: 0.01 }
 */
export function adaptOptionsFromUrl(search: string = location.search): AdaptOptions {
  return positiveParams(search, {
    epochs: 'adapt-epochs',
    repeats: 'adapt-repeats',
    learningRate: 'adapt-lr',
  });
}

/**
 * The line model's adaptation options from the page's address. Absent ones keep core's recipe
 * (LINE_ADAPT_DEFAULTS).
 *
 * @param search - the address's query. Default: `location.search`
 * @example
 * lineAdaptOptionsFromUrl('?line-adapt-steps=80'); // { steps: 80 }
 */
export function lineAdaptOptionsFromUrl(search: string = location.search): LineAdaptOptions {
  return positiveParams(search, { steps: 'line-adapt-steps', learningRate: 'line-adapt-lr' });
}
