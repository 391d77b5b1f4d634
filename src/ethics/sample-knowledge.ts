// The shipped sample knowledge base (sample-knowledge/th.json): official Thai texts on public
// ethics, each passage with where its wording was found and whether it was checked against the
// official publication. An agency's ethics officer loads it into the agency's knowledge base.
import { readFileSync } from 'node:fs';

export type SamplePassage = { key: string; label: string; text: string; foundAt: string; confirmed: boolean };
export type SampleDocument = {
  key: string;
  kind: KnowledgeKind;
  title: string;
  citation: string;
  url: string;
  passages: SamplePassage[];
};

/** What a document of the knowledge base is. */
export const KNOWLEDGE_KINDS = ['code', 'regulation', 'guidance', 'faq'] as const;
export type KnowledgeKind = (typeof KNOWLEDGE_KINDS)[number];

let cached: SampleDocument[] | null = null;

/** The sample's documents, read once. */
export function sampleDocuments(): SampleDocument[] {
  cached ??= (
    JSON.parse(readFileSync(new URL('./sample-knowledge/th.json', import.meta.url), 'utf8')) as {
      documents: SampleDocument[];
    }
  ).documents;
  return cached;
}
