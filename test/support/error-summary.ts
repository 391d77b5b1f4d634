// The one error pattern of every form (issue 13, B.8), as a browser sees it: a summary
// (#error-summary, role alert) whose links each lead to a field of the page that is marked invalid
// and described by its own message (_error-summary.eta, _field-error.eta).
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { clickAndLoad } from './journey.ts';

/**
 * Checks the error summary of the page and every link in it; returns the ids it links to, in
 * order. A radio group is marked on its fieldset, the link going to its first choice.
 */
export async function errorSummaryTargets(page: Page): Promise<string[]> {
  const summary = page.locator('#error-summary[role="alert"]');
  assert.equal(await summary.count(), 1, 'one error summary');
  const hrefs = await summary.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  assert.ok(hrefs.length > 0, 'the summary links to the fields at fault');
  const ids: string[] = [];
  for (const href of hrefs) {
    assert.match(href, /^#./, 'a link within the page');
    const id = decodeURIComponent(href.slice(1));
    const field = page.locator(`[id="${id}"]`);
    assert.equal(await field.count(), 1, `one element has the id ${id}`);
    const marked =
      (await field.getAttribute('type')) === 'radio' ? field.locator('xpath=ancestor::fieldset[1]') : field;
    assert.equal(await marked.getAttribute('aria-invalid'), 'true', `${id} is marked invalid`);
    const described = ((await marked.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    const messages: string[] = [];
    for (const d of described) {
      const message = page.locator(`[id="${d}"].field-error`);
      if ((await message.count()) === 1) messages.push(((await message.textContent()) ?? '').trim());
    }
    assert.equal(messages.length, 1, `${id} is described by its own message (${described.join(' ')})`);
    assert.ok(messages[0].length > 0, `${id}'s message says something`);
    ids.push(id);
  }
  return ids;
}

/** Sends a form (clicks `button`), expects it refused with `status`, and checks its error summary; returns the ids it links to. */
export async function refusedForm(page: Page, button: Locator, status = 400): Promise<string[]> {
  const res = await clickAndLoad(page, button);
  assert.equal(res.status(), status, await res.text());
  return errorSummaryTargets(page);
}
