// The shipped sample knowledge base (sample-knowledge/th.json): texts on public ethics (Thai, and an
// English press summary of the NACC's gift criteria), each passage with where its wording was found
// and whether it was checked against the official publication (none yet: docs/ethics-qa.md). An
// agency's ethics officer loads it into the agency's knowledge base.
import { readFileSync } from 'node:fs';
import { QA_LIMITS } from './qa-limits.ts';

/**
 * One passage as shipped. `foundAt`: where its wording was read (a URL, or a description when the
 * page has none). `confirmed` only when the wording was compared word by word with the official
 * publication named by `confirmedAt` (a URL of an issuing body, see OFFICIAL_HOSTS). `alsoSeenAt`:
 * other secondary pages carrying the same wording; `note`: what was compared and what stays doubtful.
 */
export type SamplePassage = {
  key: string;
  label: string;
  text: string;
  foundAt: string;
  confirmed: boolean;
  confirmedAt?: string;
  alsoSeenAt?: string[];
  note?: string;
};
export type SampleDocument = {
  key: string;
  kind: KnowledgeKind;
  title: string;
  citation: string;
  url: string;
  /** Where the citation itself (e.g. the Gazette volume) was read, when not on the official page. */
  citationSeenAt?: string;
  passages: SamplePassage[];
};

/** Issuing bodies whose own publication can confirm a passage (the Royal Gazette, the Council of State, OCSC, NACC, the Ombudsman). */
export const OFFICIAL_HOSTS = [
  'ratchakitcha.soc.go.th',
  'krisdika.go.th',
  'ocs.go.th',
  'ocsc.go.th',
  'nacc.go.th',
  'ombudsman.go.th',
] as const;

/** What a document of the knowledge base is. */
export const KNOWLEDGE_KINDS = ['code', 'regulation', 'guidance', 'faq'] as const;
export type KnowledgeKind = (typeof KNOWLEDGE_KINDS)[number];

let cached: SampleDocument[] | null = null;

/** The sample's documents, read once and checked (sampleProblems): a broken sample stops the loading. */
export function sampleDocuments(): SampleDocument[] {
  if (cached) return cached;
  const docs = (
    JSON.parse(readFileSync(new URL('./sample-knowledge/th.json', import.meta.url), 'utf8')) as {
      documents: SampleDocument[];
    }
  ).documents;
  const problems = sampleProblems(docs);
  if (problems.length > 0) throw new Error(`sample knowledge base: ${problems.join('; ')}`);
  cached = docs;
  return cached;
}

const isWebAddress = (s: string) => /^https?:\/\/[^\s]+$/.test(s);

/** True for an https address on an issuing body's own site (the host or a subdomain of it). */
export function isOfficialAddress(s: string): boolean {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  return url.protocol === 'https:' && OFFICIAL_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}

function passageProblems(p: SamplePassage): string[] {
  const out: string[] = [];
  if (!p.key || !p.text) out.push(`${p.key || '?'}: no key or no text`);
  if (p.text.length > QA_LIMITS.passage) out.push(`${p.key}: text over ${QA_LIMITS.passage} characters`);
  if (!p.foundAt) out.push(`${p.key}: no foundAt`);
  if (p.label.length > QA_LIMITS.title || p.foundAt.length > QA_LIMITS.url)
    out.push(`${p.key}: label or foundAt over the limits`);
  if (p.confirmed !== (p.confirmedAt !== undefined))
    out.push(`${p.key}: confirmed without confirmedAt, or the reverse`);
  if (p.confirmedAt !== undefined && !isOfficialAddress(p.confirmedAt))
    out.push(`${p.key}: confirmedAt is not an issuing body's https address`);
  for (const a of p.alsoSeenAt ?? []) if (!isWebAddress(a)) out.push(`${p.key}: alsoSeenAt ${a} is not an address`);
  return out;
}

/**
 * What is wrong with a sample, empty when nothing: unique keys, a known kind, lengths within the
 * service's limits, a place where each wording was read, and "confirmed" only with the issuing
 * body's address it was compared against (a secondary page cannot confirm).
 */
export function sampleProblems(docs: readonly SampleDocument[]): string[] {
  const out: string[] = [];
  const keys = new Set<string>();
  const seen = (k: string) => {
    if (keys.has(k)) out.push(`${k}: duplicate key`);
    keys.add(k);
  };
  for (const d of docs) {
    seen(d.key);
    if (!(KNOWLEDGE_KINDS as readonly string[]).includes(d.kind)) out.push(`${d.key}: unknown kind ${d.kind}`);
    if (d.title.length > QA_LIMITS.title || d.citation.length > QA_LIMITS.source || d.url.length > QA_LIMITS.url)
      out.push(`${d.key}: title, citation or url over the limits`);
    if (d.passages.length === 0 || d.passages.length > QA_LIMITS.passages) out.push(`${d.key}: passage count`);
    for (const p of d.passages) {
      seen(p.key);
      out.push(...passageProblems(p));
    }
  }
  return out;
}
