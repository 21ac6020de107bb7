import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerialQueue } from '../../src/events/serial-queue.ts';

/** A promise the test settles by hand, to hold a task in the middle of its run. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('SerialQueue', () => {
  it('runs tasks one at a time, in the order they were given, even when an earlier one is slower', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const slow = gate();
    const a = queue.run(async () => {
      log.push('a starts');
      await slow.promise;
      log.push('a ends');
    });
    const b = queue.run(() => {
      log.push('b runs');
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['a starts'], 'b must not start while a is running');
    slow.open();
    await Promise.all([a, b]);
    assert.deepEqual(log, ['a starts', 'a ends', 'b runs']);
  });

  it('resolves each caller with the result of its own task, synchronous or not', async () => {
    const queue = new SerialQueue();
    const [n, s] = await Promise.all([queue.run(() => 42), queue.run(async () => 'text')]);
    assert.equal(n, 42);
    assert.equal(s, 'text');
  });

  it('rejects only the caller whose task failed, and runs the next task as if nothing happened', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('first task fails');
    });
    const thrown = queue.run(() => {
      throw new TypeError('second task throws synchronously');
    });
    const next = queue.run(() => 'third task runs');
    await assert.rejects(failed, /first task fails/);
    await assert.rejects(thrown, TypeError);
    assert.equal(await next, 'third task runs');
  });

  it('starts a task asynchronously even on an idle queue', async () => {
    const queue = new SerialQueue();
    let ran = false;
    const done = queue.run(() => {
      ran = true;
    });
    assert.equal(ran, false);
    await done;
    assert.equal(ran, true);
  });

  it('reports idle once every task given so far has settled, failed ones included, and counts what is pending', async () => {
    const queue = new SerialQueue();
    assert.equal(queue.pending, 0);
    await queue.whenIdle(); // an idle queue is idle at once
    const hold = gate();
    const settled: string[] = [];
    queue.run(() => hold.promise).then(() => settled.push('held'));
    queue.run(() => Promise.reject(new Error('fails'))).catch(() => settled.push('failed'));
    assert.equal(queue.pending, 2);
    let idle = false;
    const whenIdle = queue.whenIdle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(idle, false, 'idle while a task is still held');
    hold.open();
    await whenIdle;
    assert.equal(queue.pending, 0);
    assert.deepEqual(settled.sort(), ['failed', 'held']);
  });

  it('does not wait, when asked for idle, for tasks given after the question', async () => {
    const queue = new SerialQueue();
    await queue.run(() => undefined);
    const idle = queue.whenIdle();
    const later = gate();
    const held = queue.run(() => later.promise);
    await idle; // would hang if it waited for the held task
    assert.equal(queue.pending, 1);
    later.open();
    await held;
  });
});
