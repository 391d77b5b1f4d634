// Form controls too small to tap (WCAG 2.2 2.5.8: 24 × 24 CSS px at least). A radio button or a box
// inside its label is tapped through the label, so the label's box counts. Text links inside a
// sentence are exempt by the criterion and not looked at.
import type { Page } from 'playwright-core';

const SMALL = `(() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button')]
  .map((e) => {
    const label = (e.type === 'radio' || e.type === 'checkbox') && e.closest('label');
    const r = (label || e).getBoundingClientRect();
    return { e, r };
  })
  .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
  .map(({ e, r }) => e.tagName.toLowerCase() + '[name=' + (e.getAttribute('name') || '') + '] ' + Math.round(r.width) + '×' + Math.round(r.height)))()`;

/** The controls of the page's main part smaller than 24 × 24 px, as "input[name=ref] 13×13". */
export function smallTapTargets(page: Page): Promise<string[]> {
  return page.evaluate(SMALL);
}
