// The work pool's scheduling policy (fair-share.ts): round robin between client addresses, pages
// never shutting out another client's work, heavy clients held to all workers but one.

import { describe, expect, it } from 'vitest';
import { FairShare, HEAVY_JOB_MS, type ScheduledJob } from '../../src/node/server/fair-share.js';

const read = (client: string): ScheduledJob => ({ client, kind: 'read' });
const predict = (client: string): ScheduledJob => ({ client, kind: 'predict' });

describe('FairShare', () => {
  it('serves the client with the fewest jobs running, then the one served least recently', () => {
    const share = new FairShare(4);
    share.started('a');
    share.started('b');
    // a runs one job, b none: b goes first although a's job is older.
    expect(share.next([predict('a'), predict('b')], [predict('a')])).toBe(1);
    // Neither runs anything: a was served before b, so a's turn comes first.
    expect(share.next([predict('b'), predict('a')], [])).toBe(1);
    // A client never served goes before both.
    expect(share.next([predict('b'), predict('a'), predict('c')], [])).toBe(2);
  });

  it('keeps one worker from pages, unless the page is of a client running nothing', () => {
    const share = new FairShare(2);
    // a's page runs: a's next page waits even with a worker free, and a character may take it.
    expect(share.next([read('a')], [read('a')])).toBe(-1);
    expect(share.next([read('a'), predict('a')], [read('a')])).toBe(1);
    // b runs nothing: its page takes the free worker, however many pages a sends.
    expect(share.next([read('a'), read('a'), read('b')], [read('a')])).toBe(2);
    // With one worker, pages run one at a time as everything does.
    expect(new FairShare(1).next([read('a')], [])).toBe(0);
  });

  it('holds a heavy client to all workers but one, and frees it after quick jobs', () => {
    const share = new FairShare(2);
    share.started('a');
    share.finished('a', 10 * HEAVY_JOB_MS);
    expect(share.heavy('a')).toBe(true);
    // a's slow job runs: its next waits, while b's quick one would take the free worker.
    expect(share.next([predict('a')], [predict('a')])).toBe(-1);
    expect(share.next([predict('a'), predict('b')], [predict('a')])).toBe(1);
    // A light client uses every worker.
    expect(share.next([predict('b')], [predict('b')])).toBe(0);
    for (let i = 0; i < 6; i++) share.finished('a', 20);
    expect(share.heavy('a')).toBe(false);
    expect(share.next([predict('a')], [predict('a')])).toBe(0);
  });

  it('forgets clients that have nothing waiting once it remembers too many', () => {
    const share = new FairShare(2);
    share.started('x');
    share.finished('x', 10 * HEAVY_JOB_MS);
    for (let i = 0; i < 1_000; i++) share.started(`10.0.${i >> 8}.${i & 255}`, [predict('y')]);
    expect(share.heavy('x')).toBe(false);
  });
});
