// The language of a LINE user's message, which the answers follow.
import type { Lang } from '../../i18n/messages.ts';

const THAI = /[\u0E00-\u0E7F]/;
const LATIN = /[A-Za-z]/;

/** The language of what a user typed: Thai if it has Thai letters, English if only Latin ones. */
export function languageOf(typed: string, current: Lang): Lang {
  if (THAI.test(typed)) return 'th';
  return LATIN.test(typed) ? 'en' : current;
}
