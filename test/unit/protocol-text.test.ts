/** The typed-text rule itself (src/protocol/text.ts), and that every field people type uses it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTypedTextAllowed, typedText } from '../../src/protocol/text.ts';
import { chatText, displayName, meetingTitle } from '../../src/protocol/primitives.ts';

const REFUSED_EVERYWHERE = [
  ...['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'],
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\n'),
  ...Array.from({ length: 33 }, (_, i) => String.fromCharCode(0x7f + i)),
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
];
const ALLOWED = ['Ada Lovelace', 'דנה כהן', 'مرحبا', '\u200fRLM', '\u200eLRM', 'ALM\u061c', '\u{1f44d} emoji', 'Zoë — “quoted”', '\u00a0no-break space'];

describe('typed text', () => {
  test('refuses every bidi embedding, override and isolate, C0 and C1 control, separator and lone surrogate', () => {
    for (const c of REFUSED_EVERYWHERE) {
      const hex = c.charCodeAt(0).toString(16);
      assert.equal(isTypedTextAllowed(`a${c}b`), false, `U+${hex} in one line`);
      assert.equal(isTypedTextAllowed(`a${c}b`, { allowNewline: true }), false, `U+${hex} in several lines`);
    }
    assert.equal(isTypedTextAllowed('a\nb'), false, 'a line feed in one line');
    assert.equal(isTypedTextAllowed('a\nb', { allowNewline: true }), true, 'a line feed where lines are allowed');
  });

  test('allows every script, the LRM, RLM and ALM marks, emoji and typographic punctuation', () => {
    for (const text of ALLOWED) assert.equal(isTypedTextAllowed(text), true, text);
  });

  test('names, titles and chat text all follow the rule', () => {
    for (const schema of [displayName, meetingTitle, chatText]) {
      assert.equal(schema.safeParse('Board \u202eteem').success, false);
      assert.equal(schema.safeParse('\u001b[2Jwiped').success, false);
      assert.equal(schema.safeParse('Board meeting \u200f').success, true);
    }
    assert.equal(displayName.safeParse('two\nlines').success, false);
    assert.equal(meetingTitle.safeParse('two\nlines').success, false);
    assert.equal(chatText.safeParse('two\nlines').success, true);
  });

  test('trims before measuring when asked, and bounds the length', () => {
    const schema = typedText({ min: 1, max: 5, trim: true });
    assert.equal(schema.parse('  abc  '), 'abc');
    assert.equal(schema.safeParse('   ').success, false);
    assert.equal(schema.safeParse('abcdef').success, false);
    assert.equal(typedText({ max: 5 }).parse(' ab '), ' ab ', 'untrimmed unless asked');
  });
});
