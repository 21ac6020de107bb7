/**
 * The DOM-free parts of the meeting layout: which simulcast layer a tile asks for,
 * how many tiles a grid page holds and how pages are cut, and how a tile's connection
 * quality is judged from two statistics samples.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessQuality, layerName, levelOf } from '../../src/web/meeting/layout/connection-stats.ts';
import { bestGrid, MIN_TILE_WIDTH_PX, paginate, tilesThatFit } from '../../src/web/meeting/layout/geometry.ts';
import { QUALITY_WIDTH_THRESHOLDS, qualityForWidth } from '../../src/web/meeting/layout/video-quality.ts';

describe('tile quality', () => {
  it('asks for the low layer below about 400 px, medium up to about 900 px and high above', () => {
    assert.equal(qualityForWidth(160), 'low');
    assert.equal(qualityForWidth(QUALITY_WIDTH_THRESHOLDS.mediumFromPx - 1), 'low');
    assert.equal(qualityForWidth(QUALITY_WIDTH_THRESHOLDS.mediumFromPx), 'medium');
    assert.equal(qualityForWidth(QUALITY_WIDTH_THRESHOLDS.highFromPx - 1), 'medium');
    assert.equal(qualityForWidth(1400), 'high');
  });
});

describe('grid geometry and paging', () => {
  it('chooses the column count that makes 16:9 tiles largest, within the area', () => {
    const fit = bestGrid(4, 1200, 700);
    assert.equal(fit.cols, 2);
    assert.ok(fit.width * fit.cols + 12 * (fit.cols - 1) <= 1200);
    assert.ok(fit.height * fit.rows + 12 * (fit.rows - 1) <= 700);
    assert.equal(bestGrid(1, 1600, 450).width, 800, 'one tile is limited by the height');
  });

  it('holds 25 tiles a page on a large screen and fewer on a phone, never tiles narrower than the minimum', () => {
    assert.equal(tilesThatFit(1880, 900, 25), 25);
    const phone = tilesThatFit(366, 600, 25);
    assert.ok(phone >= 1 && phone < 25, `phone page: ${phone}`);
    assert.ok(bestGrid(phone, 366, 600).width >= MIN_TILE_WIDTH_PX);
    assert.equal(tilesThatFit(100, 60, 25), 1, 'a tiny area still shows one tile');
    assert.equal(tilesThatFit(1880, 900, 4), 4, 'a smaller configured page is respected');
  });

  it('cuts pages without a remainder tile and clamps the page to those that exist', () => {
    assert.deepEqual(paginate(10, 4, 0), { perPage: 4, pageCount: 3, page: 0, start: 0, end: 4 });
    assert.deepEqual(paginate(10, 4, 2), { perPage: 4, pageCount: 3, page: 2, start: 8, end: 10 });
    assert.equal(paginate(10, 4, 7).page, 2, 'a page beyond the last shows the last');
    assert.equal(paginate(3, 4, 1).page, 0, 'when people leave, the grid falls back to a page that exists');
    assert.equal(paginate(0, 25, 0).pageCount, 1);
  });
});

describe('connection quality', () => {
  it('is good with no loss and a short round trip, and tells the layer from the height', () => {
    const q = assessQuality({ packetsReceived: 1000, packetsLost: 0 }, { packetsReceived: 1200, packetsLost: 0, frameWidth: 320, frameHeight: 180, framesPerSecond: 30, jitter: 0.004 }, 0.02);
    assert.equal(q.level, 'good');
    assert.equal(q.lossPercent, 0);
    assert.equal(q.roundTripMs, 20);
    assert.equal(q.jitterMs, 4);
    assert.equal(layerName(q.height), 'low');
    assert.equal(layerName(360), 'medium');
    assert.equal(layerName(720), 'high');
  });

  it('turns fair at a few percent loss or a long round trip, and poor at heavy loss or when nothing arrives', () => {
    assert.equal(assessQuality({ packetsReceived: 0, packetsLost: 0 }, { packetsReceived: 96, packetsLost: 4 }, 0.05).level, 'fair');
    assert.equal(assessQuality({ packetsReceived: 0, packetsLost: 0 }, { packetsReceived: 80, packetsLost: 20 }, 0.05).level, 'poor');
    assert.equal(levelOf(0, 350), 'fair');
    assert.equal(levelOf(0, 900), 'poor');
    const stalled = assessQuality({ packetsReceived: 500, packetsLost: 0 }, { packetsReceived: 500, packetsLost: 0 }, 0.02);
    assert.equal(stalled.stalled, true);
    assert.equal(stalled.level, 'poor');
  });

  it('judges only from the interval, not from losses before it', () => {
    const q = assessQuality({ packetsReceived: 1000, packetsLost: 300 }, { packetsReceived: 1100, packetsLost: 300 }, null);
    assert.equal(q.lossPercent, 0);
    assert.equal(q.level, 'good');
    assert.equal(assessQuality(null, { packetsReceived: 10, packetsLost: 5 }, null).lossPercent, null, 'one sample is not enough to judge loss');
  });
});
