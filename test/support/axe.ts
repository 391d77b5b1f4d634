// axe-core (WCAG 2.2 A/AA) on every page a browser journey visits. The journeys browse with
// JavaScript off, as reporters and the staff console do, and axe needs JavaScript: so the HTML of
// each page the journey loads is kept as it arrives, and checked on a copy in a JavaScript-enabled
// page of the same origin (its stylesheets load, so colour contrast is measured for real).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page, Response } from 'playwright-core';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** The violations axe finds on `html`, set into `axePage` at `origin`: "rule (impact): help — targets". */
export async function axeViolations(axePage: Page, origin: string, html: string): Promise<string[]> {
  if (!axePage.url().startsWith(origin)) await axePage.goto(`${origin}/privacy`);
  await axePage.setContent(html, { waitUntil: 'load' });
  const axe = await new AxeBuilder({ page: axePage }).withTags(WCAG_TAGS).analyze();
  assert.ok(axe.passes.length > 0, 'axe ran');
  return axe.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** The same page twice differs only in its one-time values (CSRF tokens, codes): those are not markup. */
const markupOf = (html: string) => html.replace(/value="[^"]*"/g, 'value=""').replace(/\d{4}(?:[ -]\d{4}){3}/g, '');

/**
 * Watches `contexts` from now on: every HTML page of `origin` any of their pages loads (a
 * navigation's final answer, errors included) is kept. `check()` runs axe once on each distinct page
 * seen since the last check and fails listing every violation with the path it was on.
 */
export function watchAxe(axePage: Page, origin: string, ...contexts: BrowserContext[]) {
  const seen = new Set<string>();
  let pending: Promise<{ path: string; html: string } | null>[] = [];
  const onResponse = (r: Response) => {
    const req = r.request();
    if (!req.isNavigationRequest() || r.status() === 301 || r.status() === 302 || r.status() === 303) return;
    if (!r.url().startsWith(origin) || !(r.headers()['content-type'] ?? '').startsWith('text/html')) return;
    const u = new URL(r.url());
    pending.push(
      r.text().then(
        (html) => ({ path: `${req.method()} ${u.pathname} ${r.status()}`, html }),
        () => null,
      ),
    );
  };
  for (const c of contexts) c.on('response', onResponse);
  return {
    /** How many distinct pages axe has looked at so far. */
    get checked() {
      return seen.size;
    },
    watch(context: BrowserContext) {
      context.on('response', onResponse);
    },
    async check(): Promise<void> {
      const pages = (await Promise.all(pending)).filter((p) => p !== null);
      pending = [];
      const found: string[] = [];
      for (const p of pages) {
        const key = createHash('sha256').update(p.path).update(markupOf(p.html)).digest('hex');
        if (seen.has(key)) continue;
        seen.add(key);
        for (const v of await axeViolations(axePage, origin, p.html)) found.push(`${p.path}: ${v}`);
      }
      assert.deepEqual(found, [], 'axe (WCAG 2.2 A/AA) on the pages visited');
    },
  };
}
