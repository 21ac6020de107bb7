/**
 * axe-core in a real browser page, for the browser suites of the account and schedule pages: the npm package's
 * script is injected through the test driver (the page's strict CSP stays as it is), and each violation comes
 * back as one line "rule (impact): help — elements".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { waitFor } from '../browser/browser.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html}`).slice(0, 3).join(', ')}`);
}

/** Scans the page in English and in Hindi (switched with the header's menu, as a person would), then back to English. */
export async function axeBothLanguages(page: Page, label: string, found: Record<string, string[]>): Promise<void> {
  for (const lang of ['en', 'hi'] as const) {
    await page.getByTestId('language-select').selectOption(lang);
    await waitFor(() => page.evaluate(() => document.documentElement.lang), (l) => l === lang, 5000);
    found[`${label} (${lang})`] = await axeViolations(page);
  }
  await page.getByTestId('language-select').selectOption('en');
}
