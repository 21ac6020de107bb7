/**
 * The message catalogue (src/web/i18n): Hindi has English's placeholders and plural forms, plurals and
 * numbers follow the language, the browser's languages choose the page's, every key is used somewhere, and
 * no English text is written straight into the page by src/web (it must come from the catalogue).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { catalogues, languageFromBrowser, t, tNodes, useLanguage, type MessageKey } from '../../src/web/i18n/index.ts';
import { en } from '../../src/web/i18n/en.ts';
import type { Message } from '../../src/web/i18n/types.ts';

const WEB = join(import.meta.dirname, '../../src/web');
const I18N = join(WEB, 'i18n');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path === I18N ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The code without comments (a `//` after a colon or inside quotes is an address, not a comment). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function placeholders(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : [message.one, message.other];
  return [...new Set(texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();
}

const keys = Object.keys(en) as MessageKey[];

/**
 * Where src/web puts text on the page: element text, accessible names, titles, placeholders, toasts,
 * dialogs, confirmations, and tables of sentences (`key: 'Sentence with words'`). Each pattern captures the
 * quote and the literal.
 */
const TEXT_SINKS: RegExp[] = [
  /\b(?:text|title|placeholder|label|'aria-label'|'aria-description'|'aria-valuetext')\s*:\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  /\.(?:textContent|innerText|title|placeholder)\s*=\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  /setAttribute\(\s*'(?:aria-label|aria-description|title|placeholder|aria-valuetext)'\s*,\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  /\b(?:show|confirm|alert|onError|showWithActions|announce)\(\s*\[?\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  // A sentence as an argument of h(…) or append(…) after an element, e.g. `icon('lock'), 'Locked')`.
  /[,(]\s*(['"`])([A-Z][a-z]+(?:[ ,.…:;!?][^'"`]*)?)\1\s*[,)]/g,
  // A table of sentences: a capitalised word followed by more words.
  /:\s*(['"`])([A-Z][a-z]+ [^'"`]*)\1/g,
];

/** Literals in those places that are not English for people: key names, error names, codes. */
const NOT_ENGLISH = new Set(['Escape', 'Enter', 'Tab', 'Shift', 'Space', 'NotAllowedError', 'NotFoundError', 'NotReadableError', 'OverconstrainedError', 'AbortError', 'TLS', 'TCP', 'UDP']);

function englishLiterals(file: string): string[] {
  const code = withoutComments(readFileSync(file, 'utf8'));
  const found: string[] = [];
  for (const pattern of TEXT_SINKS) {
    for (const match of code.matchAll(pattern)) {
      const literal = match[2]!;
      // A catalogue key (a table of keys), or a template literal cut short by one nested in it: not text.
      if (literal in en || NOT_ENGLISH.has(literal) || /\$\{[^}]*$/.test(literal)) continue;
      const words = literal.replace(/\$\{[^}]*\}/g, ' ').replace(/\\u[0-9a-fA-F]{4}/g, ' ');
      if (!/[A-Za-z]{2,}/.test(words)) continue;
      const line = code.slice(0, match.index).split('\n').length;
      found.push(`${relative(WEB, file)}:${line}: ${literal}`);
    }
  }
  return found;
}

describe('the message catalogue', () => {
  it('gives every Hindi message the placeholders of its English one, and plural forms where English has them', () => {
    const wrong: string[] = [];
    for (const key of keys) {
      const english = en[key] as Message;
      const hindi = catalogues.hi[key] as Message;
      if (typeof english !== typeof hindi) wrong.push(`${key}: plural in one language only`);
      else if (placeholders(english).join() !== placeholders(hindi).join()) wrong.push(`${key}: {${placeholders(english)}} vs {${placeholders(hindi)}}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('has no Hindi message that is still the English text', () => {
    // Messages that are the same on purpose: numbers and units only.
    const same = keys.filter((key) => typeof en[key] === 'string' && en[key] === catalogues.hi[key] && /[A-Za-z]{3,}/.test((en[key] as string).replace(/\{\w+\}/g, '')));
    assert.deepEqual(same, []);
  });

  it('chooses the plural form by the count, with the numbers written for the language', () => {
    useLanguage('en');
    assert.equal(t('people.waiting', { count: 1 }), '1 person waiting to join');
    assert.equal(t('people.waiting', { count: 3 }), '3 people waiting to join');
    assert.equal(t('waiting-toast.many', { count: 1200 }), '1,200 people are waiting to join');
    assert.equal(t('layout.page-of', { page: 2, pages: 4 }), 'Page 2 of 4');
    useLanguage('hi');
    assert.equal(t('people.waiting', { count: 1 }), '1 व्यक्ति शामिल होने की प्रतीक्षा में');
    assert.equal(t('people.waiting', { count: 3 }), '3 लोग शामिल होने की प्रतीक्षा में');
    // Indian grouping of digits: 1,00,000.
    assert.equal(t('waiting-toast.many', { count: 100_000 }), '1,00,000 लोग शामिल होने की प्रतीक्षा कर रहे हैं');
    assert.equal(t('layout.page-of', { page: 2, pages: 4 }), '4 में से पृष्ठ 2');
    useLanguage('en');
  });

  it('puts elements where the language puts the placeholder', () => {
    const name = { nodeName: 'BDI' } as unknown as Node;
    useLanguage('en');
    assert.deepEqual(tNodes('waiting-toast.one', { name }), [name, ' is waiting to join']);
    useLanguage('hi');
    assert.deepEqual(tNodes('verify.title', { name }), [name, ' को सत्यापित करें']);
    useLanguage('en');
    assert.deepEqual(tNodes('verify.title', { name }), ['Verify ', name]);
  });

  it('takes the first of the browser’s languages that Sabha speaks, else English', () => {
    assert.equal(languageFromBrowser(['hi-IN', 'en-US']), 'hi');
    assert.equal(languageFromBrowser(['HI']), 'hi');
    assert.equal(languageFromBrowser(['en-IN', 'hi']), 'en');
    assert.equal(languageFromBrowser(['ta-IN', 'hi-IN']), 'hi');
    assert.equal(languageFromBrowser(['ta-IN', 'fr']), 'en');
    assert.equal(languageFromBrowser([]), 'en');
  });

  it('uses every key somewhere in src/web', () => {
    const code = sourceFiles(WEB).map((f) => withoutComments(readFileSync(f, 'utf8'))).join('\n') + readFileSync(join(I18N, 'language-menu.ts'), 'utf8');
    const unused = keys.filter((key) => !code.includes(`'${key}'`));
    assert.deepEqual(unused, []);
  });

  it('finds no English text written into the page outside the catalogue', () => {
    assert.deepEqual(sourceFiles(WEB).flatMap(englishLiterals), []);
  });

  it('would notice English text written into the page', () => {
    // The scan itself must be able to fail: each of these is a way English has reached the page before.
    const samples = [
      "h('p', { class: 'muted', text: 'No one is waiting.' })",
      "button.setAttribute('aria-label', `Mute ${name}`)",
      "this.toaster.show('Meeting link copied')",
      "if (!confirm(`Remove ${name}?`)) return;",
      "h('span', { class: 'pill' }, icon('lock', 'icon small'), 'Locked')",
      "const TEXT = { verified: 'Not verified' };",
      "el.textContent = 'Camera is off';",
    ];
    for (const sample of samples) {
      const hits = TEXT_SINKS.some((pattern) => [...withoutComments(sample).matchAll(pattern)].some((m) => /[A-Za-z]{2,}/.test(m[2]!.replace(/\$\{[^}]*\}/g, ' '))));
      assert.ok(hits, `not noticed: ${sample}`);
    }
    for (const fine of ["h('span', { class: 'tile-name' })", "attrs: { 'data-testid': 'chat-send' }", "text: t('chat.send')", "if (event.key === 'Escape')"]) {
      const hits = TEXT_SINKS.some((pattern) => [...fine.matchAll(pattern)].some((m) => /[A-Za-z]{2,}/.test(m[2]!) && !NOT_ENGLISH.has(m[2]!)));
      assert.ok(!hits, `wrongly noticed: ${fine}`);
    }
  });
});
