/** Meeting links: which paths are meeting links, and the host secret kept per tab and per meeting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepHostSecret, keptHostSecret, meetingIdFromPath, parseMeetingInput, readFragment } from '../../src/web/links.ts';

/** sessionStorage as the browser gives it, in memory. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
}

describe('meeting links', () => {
  it('takes only /m/<id> (with or without a trailing slash) as a meeting link', () => {
    assert.equal(meetingIdFromPath('/m/abcdefghijklmnop'), 'abcdefghijklmnop');
    assert.equal(meetingIdFromPath('/m/abcdefghijklmnop/'), 'abcdefghijklmnop');
    for (const path of ['/m/abcdefghijklmnop/extra', '/m/abcdefghijklmno', '/m/ABCDEFGHIJKLMNOP', '/m/', '/', '/x/abcdefghijklmnop']) {
      assert.equal(meetingIdFromPath(path), null, path);
    }
  });

  it('reads the passcode and the host secret from the fragment', () => {
    assert.deepEqual(readFragment('#pc=abc&host=secret'), { passcode: 'abc', hostSecret: 'secret', invitation: null });
    assert.deepEqual(readFragment(''), { passcode: null, hostSecret: null, invitation: null });
    assert.deepEqual(readFragment('#inv=tok_en-1'), { passcode: null, hostSecret: null, invitation: 'tok_en-1' });
    assert.deepEqual(parseMeetingInput('https://sabha.example/m/abcdefghijklmnop#pc=abc&host=secret'), { meetingId: 'abcdefghijklmnop', passcode: 'abc' });
  });

  it('keeps a host secret per meeting in the given storage, and forgets it on request', () => {
    const storage = new MemoryStorage();
    keepHostSecret('abcdefghijklmnop', 'secret-a', storage);
    keepHostSecret('bcdefghijklmnopq', 'secret-b', storage);
    assert.equal(keptHostSecret('abcdefghijklmnop', storage), 'secret-a');
    assert.equal(keptHostSecret('bcdefghijklmnopq', storage), 'secret-b');
    keepHostSecret('abcdefghijklmnop', null, storage);
    assert.equal(keptHostSecret('abcdefghijklmnop', storage), null);
    assert.equal(storage.length, 1);
  });

  it('works without storage: nothing is kept and nothing throws', () => {
    const broken = new MemoryStorage();
    broken.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    keepHostSecret('abcdefghijklmnop', 'secret', broken);
    assert.equal(keptHostSecret('abcdefghijklmnop', broken), null);
    keepHostSecret('abcdefghijklmnop', 'secret', null);
    assert.equal(keptHostSecret('abcdefghijklmnop', null), null);
  });
});
