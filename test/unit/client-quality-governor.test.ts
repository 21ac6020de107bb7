import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QualityGovernor } from '../../src/client/media/quality-governor.ts';

describe('the receive-side quality governor', () => {
  it('steps the cap down after sustained loss and back up, one step at a time, after a clean stretch', () => {
    const g = new QualityGovernor();
    const caps: string[] = [];
    g.on('cap', (c) => caps.push(c));
    let received = 0;
    let lost = 0;
    const tick = (r: number, l: number) => g.sample((received += r), (lost += l));
    tick(0, 0);
    tick(900, 100); // 10 % loss
    assert.deepEqual(caps, [], 'one lossy sample is not enough');
    tick(900, 100);
    assert.deepEqual(caps, ['medium']);
    tick(900, 100);
    tick(900, 100);
    tick(900, 100);
    assert.deepEqual(caps, ['medium', 'low']);
    tick(900, 100);
    tick(900, 100);
    assert.deepEqual(caps, ['medium', 'low'], 'never below low');
    for (let i = 0; i < 4; i++) tick(1000, 0);
    assert.deepEqual(caps, ['medium', 'low'], 'a short clean stretch is not enough');
    tick(1000, 0);
    assert.deepEqual(caps, ['medium', 'low', 'medium']);
    for (let i = 0; i < 5; i++) tick(1000, 0);
    assert.equal(g.cap, 'high');
  });

  it('undoes a raise the link cannot carry at the first lossy sample, and waits twice as long before the next', () => {
    const g = new QualityGovernor('medium');
    const caps: string[] = [];
    g.on('cap', (c) => caps.push(c));
    let received = 0;
    let lost = 0;
    const tick = (r: number, l: number) => g.sample((received += r), (lost += l));
    const clean = (n: number) => {
      for (let i = 0; i < n; i++) tick(1000, 0);
    };
    tick(0, 0);
    tick(700, 300);
    tick(700, 300);
    assert.deepEqual(caps, ['low'], 'the first step down lowers what is received (medium), not an unused high cap');
    clean(5);
    assert.deepEqual(caps, ['low', 'medium'], 'a clean stretch raises the cap: a probe');
    tick(600, 400);
    assert.deepEqual(caps, ['low', 'medium', 'low'], 'one lossy sample right after the raise undoes it');
    clean(9);
    assert.deepEqual(caps, ['low', 'medium', 'low'], 'after a failed probe, ten clean samples are needed, not five');
    clean(1);
    assert.deepEqual(caps, ['low', 'medium', 'low', 'medium']);
    tick(600, 400);
    clean(19);
    assert.deepEqual(caps, ['low', 'medium', 'low', 'medium', 'low'], 'each failed probe doubles the wait');
    clean(1);
    assert.equal(g.cap, 'medium');
    clean(3);
    tick(600, 400);
    assert.equal(g.cap, 'medium', 'a raise that held through its trial is judged as usual: one lossy sample is not enough');
    tick(600, 400);
    assert.equal(g.cap, 'low');
    clean(5);
    assert.equal(g.cap, 'medium', 'and the wait is back to five clean samples');
  });

  it('ignores samples with too few packets to judge, and counters that restarted', () => {
    const g = new QualityGovernor();
    const caps: string[] = [];
    g.on('cap', (c) => caps.push(c));
    g.sample(0, 0);
    g.sample(10, 10);
    g.sample(20, 20);
    g.sample(0, 0); // a new peer connection
    g.sample(5, 5);
    assert.deepEqual(caps, []);
  });
});
