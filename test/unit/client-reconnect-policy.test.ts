import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReconnectPolicy, resumePolicy, SERVER_RESUME_GRACE_MS, type AttemptResult, type Clock } from '../../src/client/reconnect-policy.ts';
import { loadConfig } from '../../src/server/config.ts';

/** A clock that moves only when told; its timers fire in time order as it passes them. */
class FakeClock implements Clock {
  #now = 0;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers and letting the code they wake run. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const due = [...this.#timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

const noJitter = () => 0.5;

describe('the reconnect policy', () => {
  test('waits 0.5 s before the first attempt, doubling to at most 8 s, each delay spread by a quarter either way', () => {
    const exact = new ReconnectPolicy({ random: noJitter });
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => exact.delayMs(n)), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
    const low = new ReconnectPolicy({ random: () => 0 });
    const high = new ReconnectPolicy({ random: () => 0.999_999 });
    assert.deepEqual([low.delayMs(0), high.delayMs(0)], [375, 625]);
    assert.deepEqual([low.delayMs(9), high.delayMs(9)], [6000, 10_000]);
  });

  test('retries until an attempt succeeds, each attempt starting on schedule', async () => {
    const clock = new FakeClock();
    const policy = new ReconnectPolicy({ clock, random: noJitter });
    const startedAt: number[] = [];
    const outcome = policy.run(async () => {
      startedAt.push(clock.now());
      return startedAt.length === 4 ? 'done' : 'retry';
    }, new AbortController().signal);
    await clock.advance(60_000);
    assert.equal(await outcome, 'done');
    assert.deepEqual(startedAt, [500, 1500, 3500, 7500]);
  });

  test('makes a last attempt exactly at the give-up deadline, then gives up', async () => {
    const clock = new FakeClock();
    const policy = resumePolicy({ clock, random: noJitter });
    const startedAt: number[] = [];
    const outcome = policy.run(async () => {
      startedAt.push(clock.now());
      return 'retry';
    }, new AbortController().signal);
    await clock.advance(120_000);
    assert.equal(await outcome, 'gave-up');
    assert.deepEqual(startedAt, [500, 1500, 3500, 7500, 15_500, 23_500, 30_000]);
    assert.equal(clock.pendingTimers, 0);
  });

  test('counts the time an attempt takes against the deadline', async () => {
    const clock = new FakeClock();
    const policy = new ReconnectPolicy({ clock, random: noJitter, giveUpAfterMs: 10_000 });
    const startedAt: number[] = [];
    const outcome = policy.run(async () => {
      startedAt.push(clock.now());
      // Each attempt hangs for 4 s (a connect timing out), on the same clock.
      await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 4_000));
      return 'retry';
    }, new AbortController().signal);
    await clock.advance(60_000);
    assert.equal(await outcome, 'gave-up');
    // 500 + 4000 + 1000 (delay) = 5500; 5500 + 4000 = 9500, so the 2 s delay is cut to the deadline.
    assert.deepEqual(startedAt, [500, 5500, 10_000]);
  });

  test('stops at once when an attempt says trying again is pointless', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const outcome = new ReconnectPolicy({ clock }).run(async () => {
      attempts++;
      return 'stop';
    }, new AbortController().signal);
    await clock.advance(60_000);
    assert.equal(await outcome, 'stopped');
    assert.equal(attempts, 1);
  });

  test('gives up after the most attempts it allows', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const outcome = new ReconnectPolicy({ clock, maxAttempts: 6 }).run(async () => {
      attempts++;
      return 'retry';
    }, new AbortController().signal);
    await clock.advance(600_000);
    assert.equal(await outcome, 'gave-up');
    assert.equal(attempts, 6);
  });

  test('cancels a pending retry the moment the signal aborts, without waiting for its timer or attempting', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    let attempts = 0;
    let settledWith: string | null = null;
    const outcome = new ReconnectPolicy({ clock, random: noJitter }).run(async () => {
      attempts++;
      return 'retry';
    }, abort.signal);
    void outcome.then((o) => (settledWith = o));
    await clock.advance(1_000); // attempt 0 at 500 ms; attempt 1 is due at 1500 ms
    assert.equal(attempts, 1);
    abort.abort();
    await settle(); // no clock movement at all
    assert.equal(settledWith, 'aborted');
    assert.equal(clock.pendingTimers, 0, 'the retry timer was cleared');
    await clock.advance(60_000);
    assert.equal(attempts, 1);
  });

  test('reports an abort that came during an attempt, whatever the attempt then says', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const outcome = new ReconnectPolicy({ clock }).run(async (): Promise<AttemptResult> => {
      abort.abort();
      return 'done';
    }, abort.signal);
    await clock.advance(10_000);
    assert.equal(await outcome, 'aborted');
  });

  test('tries to resume for exactly as long as the server keeps a dropped participant\'s place by default', () => {
    const config = loadConfig({ env: {} });
    assert.equal(SERVER_RESUME_GRACE_MS, config.limits.resumeGraceSeconds * 1000);
  });

  test('refuses settings that make no schedule', () => {
    assert.throws(() => new ReconnectPolicy({ firstDelayMs: 5_000, maxDelayMs: 1_000 }), TypeError);
    assert.throws(() => new ReconnectPolicy({ jitter: 1 }), TypeError);
    assert.throws(() => new ReconnectPolicy({ maxAttempts: 0 }), TypeError);
  });
});
