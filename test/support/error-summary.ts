// The one error pattern of every form (src/web/views/_error-summary.eta, _field-error.eta), checked
// as a person meets it: a summary announced as an alert, each item a link to the field at fault;
// the field (or its group) marked invalid and described by its own message, the item's message.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { clickAndLoad } from './journey.ts';

const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * Checks the page's error summary and returns the ids its items link to, in order. `expected`: the
 * ids of the fields that must be among them (every one of them, and no other), when given.
 */
export async function checkErrorSummary(page: Page, expected?: readonly string[]): Promise<string[]> {
  const summary = page.locator('#error-summary');
  await summary.waitFor();
  assert.equal(await summary.getAttribute('role'), 'alert', 'the summary is announced');
  const links = summary.getByRole('link');
  const ids: string[] = [];
  for (let i = 0; i < (await links.count()); i++) {
    const link = links.nth(i);
    const href = (await link.getAttribute('href')) ?? '';
    assert.match(href, /^#./, `a link to a field: ${href}`);
    const id = decodeURIComponent(href.slice(1));
    ids.push(id);
    const field = page.locator(`[id="${id}"]`);
    assert.equal(await field.count(), 1, `the link ${href} leads to one element`);
    // The field, or the group it opens (a fieldset of checkboxes), is marked and described.
    const marked =
      (await field.getAttribute('aria-invalid')) === 'true' ? field : field.locator('xpath=ancestor::fieldset[1]');
    assert.equal(await marked.getAttribute('aria-invalid'), 'true', `${id} is marked invalid`);
    const described = (await marked.getAttribute('aria-describedby')) ?? '';
    const messages = await Promise.all(
      described
        .split(/\s+/)
        .filter(Boolean)
        .map(async (d) => {
          const el = page.locator(`[id="${d}"]`);
          assert.equal(await el.count(), 1, `${id}: aria-describedby names ${d}, which exists`);
          return {
            isError: ((await el.getAttribute('class')) ?? '').includes('field-error'),
            text: norm(await el.textContent()),
          };
        }),
    );
    const own = messages.find((m) => m.isError);
    assert.ok(own && own.text.length > 0, `${id} is described by its own message`);
    assert.ok(norm(await link.textContent()).endsWith(own.text), `the summary says what the field says: ${own.text}`);
  }
  assert.ok(ids.length > 0, 'the summary links to the fields at fault');
  if (expected) assert.deepEqual([...ids].sort(), [...expected].sort(), 'the fields at fault');
  return ids;
}

/** The ids the page's error summary links to, each checked as checkErrorSummary does. */
export const errorSummaryTargets = (page: Page): Promise<string[]> => checkErrorSummary(page);

/** Sends a form (clicks `button`), expects it refused with `status`, and checks its error summary; returns the ids it links to. */
export async function refusedForm(page: Page, button: Locator, status = 400): Promise<string[]> {
  const res = await clickAndLoad(page, button);
  assert.equal(res.status(), status, await res.text());
  return checkErrorSummary(page);
}
