// The page's choice of model, in Node: the list GET /api/models gives, which model the page
// starts with, the switch's labels, and what it asks people to write for a model's classes.

import { describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import {
  chooseModel,
  fetchModels,
  switchLabels,
  writingWords,
  type ServedModelEntry,
} from '../../src/web/models.js';

const entry = (name: string, title: string, isDefault = false): ServedModelEntry => ({
  name,
  default: isDefault,
  title,
  description: title,
  labelSet: { name, classes: [] },
  info: `/api/model?model=${name}`,
});

const MODELS = [
  entry('alnum36', 'digits and capitals', true),
  entry('byclass62', 'all characters'),
];

describe('the page’s model choice', () => {
  it('starts with the model chosen last time while the server serves it, else the default', () => {
    expect(chooseModel(MODELS, 'byclass62')?.name).toBe('byclass62');
    expect(chooseModel(MODELS, null)?.name).toBe('alnum36');
    expect(chooseModel(MODELS, 'gone')?.name).toBe('alnum36');
    expect(chooseModel([], 'alnum36')).toBeUndefined();
  });

  it('labels the switch by title, adding the name when two titles are alike', () => {
    expect(switchLabels(MODELS)).toEqual(['digits and capitals', 'all characters']);
    expect(switchLabels([...MODELS, entry('mine', 'digits and capitals')])).toEqual([
      'digits and capitals (alnum36)',
      'all characters',
      'digits and capitals (mine)',
    ]);
  });

  it('asks for what the model reads', () => {
    expect(writingWords(LABEL_SETS.alnum36.classes)).toEqual({
      one: 'a digit or a capital letter',
      many: 'digits or capitals',
    });
    expect(writingWords(LABEL_SETS.byclass62.classes).one).toBe(
      'a digit or a letter, capital or small',
    );
    expect(writingWords(LABEL_SETS.digits.classes).many).toBe('digits');
    expect(writingWords(LABEL_SETS.letters.classes).one).toBe('a capital letter');
  });

  it('lists the served models default first, and none from a server without the route', async () => {
    const answer = (status: number, body: unknown) =>
      (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;
    const listed = await fetchModels(answer(200, { models: [...MODELS].reverse() }));
    expect(listed?.map((m) => m.name)).toEqual(['alnum36', 'byclass62']);
    expect(await fetchModels(answer(404, { code: 'NOT_FOUND' }))).toBeUndefined();
    await expect(fetchModels(answer(503, {}))).rejects.toThrow(/answered 503/);
  });
});
