/**
 * Accessibility checks in the browser tests (issue 24 §4): axe-core, run in the page, against the
 * WCAG 2.0/2.1/2.2 A and AA rules. A serious or critical violation fails the test and is listed
 * (rule, impact, the elements, what to do); lesser ones are returned for the caller to report.
 * `@axe-core/playwright` needs Node ≥ 22.12, so axe's own script is evaluated in the page (an
 * evaluation, not a script tag: the UI's Content-Security-Policy forbids inline scripts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ElementContext, ImpactValue, Result, RunOptions } from 'axe-core';
import type * as Axe from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** WCAG 2 levels A and AA, in each of the versions axe knows. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** The above and axe's best practices (landmarks, headings, dialog names…). */
export const WITH_BEST_PRACTICES = [...WCAG_AA_TAGS, 'best-practice'];

type AxeApi = typeof Axe;

const FAILING: readonly ImpactValue[] = ['serious', 'critical'];

/**
 * A violation per paragraph: `rule-id (impact) help — helpUrl`, then each element's selector
 * with axe's reason (for contrast: both colours and the ratio).
 */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => {
        const why = [...n.any, ...n.all, ...n.none][0]?.message ?? '';
        return `    ${n.target.join(' ')}: ${why}`;
      });
      return [`  ${v.id} (${v.impact ?? 'unknown'}) ${v.help} — ${v.helpUrl}`, ...nodes].join('\n');
    })
    .join('\n');
}

/** Runs axe on the page as it is now (axe is added to the page when it is not there yet). */
export async function runAxe(page: Page, options?: RunOptions): Promise<AxeResults> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const run: RunOptions = {
    runOnly: { type: 'tag', values: WCAG_AA_TAGS },
    resultTypes: ['violations'],
    ...options,
  };
  // Runs in the page: `window` and `document` are the page's (this tsconfig has no DOM types).
  return page.evaluate((opts) => {
    const win = globalThis as unknown as { axe: AxeApi; document: ElementContext };
    return win.axe.run(win.document, opts);
  }, run);
}

/**
 * Fails, naming `label` (the screen and its state, e.g. "local: scheduler, job dialog"), when
 * the page has a serious or critical violation of the rules with these `tags` (WCAG 2 A/AA by
 * default); returns the lesser ones.
 */
export async function expectAccessible(
  page: Page,
  label: string,
  tags: readonly string[] = WCAG_AA_TAGS,
): Promise<Result[]> {
  const { violations } = await runAxe(page, { runOnly: { type: 'tag', values: [...tags] } });
  const failing = violations.filter((v) => v.impact && FAILING.includes(v.impact));
  if (failing.length > 0)
    assert.fail(
      `${label}: ${failing.length} serious/critical accessibility violation(s)\n${describeViolations(failing)}`,
    );
  return violations.filter((v) => !failing.includes(v));
}
