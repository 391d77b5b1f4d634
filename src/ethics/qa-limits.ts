// Every length of the ethics question service, used by the forms' attributes and the validation.
export const QA_LIMITS = {
  question: 500,
  answer: 4000,
  title: 300,
  source: 1000,
  url: 1000,
  /** A document's whole text, before it is split into passages. */
  text: 100_000,
  passage: 8000,
  passages: 500,
  /** The anonymous asker's code: 16 digits, typed with spaces or dashes. */
  code: 40,
} as const;

/**
 * The confidence (qa-index.ts: the share of the question's idf mass the best passage holds) at or
 * above which the service answers. Calibrated on test/fixtures/ethics-qa-eval.json with the sample
 * knowledge base: with its 42 passages the out-of-scope questions' best confidences reach 0.303
 * (0.284 with the first 28); 0.31 sits just above every out-of-scope question, so a doubt goes to
 * the ethics officer rather than to a wrong quote, and no in-scope question lies between 0.30 and
 * 0.31. See docs/ethics-qa.md.
 */
export const CONFIDENCE_THRESHOLD = 0.31;
