/** The name a recording is saved under (src/web/meeting/recording/file-name.ts): unique, dated, safe on any disk. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomSuffix, recordingFileName, safeTitle } from '../../src/web/meeting/recording/file-name.ts';

const AT = new Date(2026, 10, 28, 9, 5, 7);

describe('recording file names', () => {
  it('joins the title, the local date and time and the suffix', () => {
    assert.equal(recordingFileName('Weekly review', AT, 'k3x9qa'), 'Weekly-review_2026-11-28_09-05-07_k3x9qa.webm');
  });

  it('keeps letters of any script and turns separators, dots and control characters into single hyphens', () => {
    assert.equal(safeTitle('कक्षा 7 / गणित'), 'कक्षा-7-गणित');
    assert.equal(safeTitle('../../etc/passwd'), 'etc-passwd');
    assert.equal(safeTitle('a\\b:c*d?e"f<g>h|i'), 'a-b-c-d-e-f-g-h-i');
    assert.equal(safeTitle('line\nbreak\u202eevil'), 'line-break-evil');
    assert.equal(safeTitle('  ...  '), 'meeting', 'nothing left: a neutral word');
    assert.equal(safeTitle(''), 'meeting');
  });

  it('cuts a long title short without leaving a hyphen at the end', () => {
    const name = safeTitle(`${'a'.repeat(59)} bcd`);
    assert.equal(name, 'a'.repeat(59));
    assert.ok([...safeTitle('क'.repeat(200))].length <= 60);
  });

  it('gives two recordings of one meeting at the same second different names', () => {
    const names = new Set(Array.from({ length: 200 }, () => recordingFileName('Class', AT)));
    assert.equal(names.size, 200);
    assert.match(randomSuffix(), /^[a-z2-9]{6}$/);
  });
});
