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
