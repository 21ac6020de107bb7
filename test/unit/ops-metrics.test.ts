/**
 * The metrics registry renders the Prometheus text format from names and numbers only, and refuses what
 * would make a scrape wrong (a bad name, a counter going down, two metrics of one name).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../src/server/ops/metrics.ts';
import { Readiness } from '../../src/server/ops/health.ts';

describe('the metrics registry', () => {
  it('renders each metric with its help, its type and its current value, in registration order', () => {
    const registry = new MetricsRegistry();
    const joins = registry.counter('sabha_joins_total', 'Joins since start.');
    const level = registry.gauge('sabha_level', 'A level.');
    let people = 7;
    registry.gauge('sabha_people', 'People now.', () => people);
    joins.inc();
    joins.inc(2);
    level.set(-1.5);
    people = 9;
    assert.equal(
      registry.render(),
      [
        '# HELP sabha_joins_total Joins since start.',
        '# TYPE sabha_joins_total counter',
        'sabha_joins_total 3',
        '# HELP sabha_level A level.',
        '# TYPE sabha_level gauge',
        'sabha_level -1.5',
        '# HELP sabha_people People now.',
        '# TYPE sabha_people gauge',
        'sabha_people 9',
        '',
      ].join('\n'),
    );
  });

  it('reads a collected counter at scrape time and refuses to increment it by hand', () => {
    const registry = new MetricsRegistry();
    let created = 4;
    const counter = registry.counter('sabha_created_total', 'Created.', () => created);
    created = 5;
    assert.match(registry.render(), /^sabha_created_total 5$/m);
    assert.equal(counter.value, 5);
    assert.throws(() => counter.inc());
  });

  it('refuses a counter that would go down or by a non-finite amount', () => {
    const counter = new MetricsRegistry().counter('c_total', 'c');
    assert.throws(() => counter.inc(-1), RangeError);
    assert.throws(() => counter.inc(Number.NaN), RangeError);
    assert.throws(() => counter.inc(Infinity), RangeError);
    assert.equal(counter.value, 0);
  });

  it('refuses names outside the Prometheus name syntax and a second metric of the same name', () => {
    const registry = new MetricsRegistry();
    for (const bad of ['', '1abc', 'with space', 'quote"d', 'label{a="b"}', 'new\nline']) {
      assert.throws(() => registry.gauge(bad, 'x'), TypeError, JSON.stringify(bad));
    }
    registry.gauge('ok_name:sub', 'x');
    assert.throws(() => registry.counter('ok_name:sub', 'y'), TypeError);
  });

  it('escapes help text so that a newline cannot start a forged sample line', () => {
    const registry = new MetricsRegistry();
    registry.gauge('g', 'first line\nsabha_fake 1 \\ end');
    const lines = registry.render().split('\n');
    assert.equal(lines[0], '# HELP g first line\\nsabha_fake 1 \\\\ end');
    assert.ok(!lines.some((l) => l.startsWith('sabha_fake')));
  });

  it('shows NaN for a collector that throws, and still renders the other metrics', () => {
    const registry = new MetricsRegistry();
    registry.gauge('broken', 'b', () => {
      throw new Error('no');
    });
    registry.gauge('fine', 'f', () => 1);
    const text = registry.render();
    assert.match(text, /^broken NaN$/m);
    assert.match(text, /^fine 1$/m);
  });

  it('renders infinities the way Prometheus spells them', () => {
    const registry = new MetricsRegistry();
    registry.gauge('up', 'u', () => Infinity);
    registry.gauge('down', 'd', () => -Infinity);
    assert.match(registry.render(), /^up \+Inf$/m);
    assert.match(registry.render(), /^down -Inf$/m);
  });
});

describe('readiness', () => {
  it('is ready only when every dependency is, and never again once shutting down', () => {
    const readiness = new Readiness();
    let media = true;
    let turn = false;
    readiness.add('media', { ready: () => media });
    readiness.add('turn', { ready: () => turn });
    assert.deepEqual(readiness.report(), { ready: false, checks: { media: true, turn: false }, shuttingDown: false });
    turn = true;
    assert.equal(readiness.report().ready, true);
    media = false;
    assert.equal(readiness.report().ready, false);
    media = true;
    readiness.shuttingDown();
    assert.deepEqual(readiness.report(), { ready: false, checks: { media: true, turn: true }, shuttingDown: true });
  });

  it('counts a dependency whose check throws as not ready', () => {
    const readiness = new Readiness();
    readiness.add('media', {
      ready: () => {
        throw new Error('boom');
      },
    });
    assert.deepEqual(readiness.report().checks, { media: false });
  });
});
