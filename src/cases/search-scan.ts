// One batch of a search: opens each case's keys, decrypts its texts and matches them. CPU only, no
// database, run in the search workers (search-worker.ts). The plaintext exists only in this
// function's memory; only the snippets of matching cases leave it.
import type { KeyObject } from 'node:crypto';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { openSealed, type KeyPair } from '../crypto/sealed-box.ts';
import { contentAad, messageAad } from '../intake/case-keys.ts';
import { matchTexts, snippetAt } from './search-text.ts';

/**
 * A case as fetched: ciphertexts and the actor's sealed keys (`teamKey` opens the internal notes),
 * and `labels`, its category's names in Thai and English (metadata: searched after the texts).
 */
export type ScanCase = {
  id: string;
  labels: string;
  content: Uint8Array;
  sealedKey: Uint8Array;
  teamKey: Uint8Array | null;
  messages: { id: string; isNote: boolean; body: Uint8Array }[];
};
export type ScanTask = { words: string[]; keys: { publicKey: Uint8Array; privateKey: Uint8Array }; cases: ScanCase[] };
/** `index` into the task's cases. */
export type ScanMatch = { index: number; hits: number; snippet: string };
export type ScanResult = { matches: ScanMatch[]; scanned: number; unreadable: number };

// Structured cloning (worker messages) turns Buffers into plain Uint8Arrays: view them as Buffers again.
const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Opens a sealed 32-byte key as an AEAD key object, wiping the raw bytes at once. */
function openKey(keys: KeyPair, sealed: Uint8Array): KeyObject {
  const raw = openSealed(keys, buf(sealed));
  try {
    return aeadKey(raw);
  } finally {
    raw.fill(0);
  }
}

/** The report (what, when, where, who), the reporter thread, the internal notes, then the category's names. */
function caseTexts(keys: KeyPair, c: ScanCase): string[] {
  const key = openKey(keys, c.sealedKey);
  const content = openJson<{ what: string; when: string; where: string; who: string }>(
    key,
    buf(c.content),
    contentAad(c.id),
  );
  const texts = [content.what, content.when, content.where, content.who];
  const notes = c.messages.filter((m) => m.isNote);
  // One message that does not open (damaged, or planted with another key) is skipped, not the case.
  const push = (k: KeyObject, m: ScanCase['messages'][number]) => {
    try {
      texts.push(openJson<{ text: string }>(k, buf(m.body), messageAad(c.id, m.id)).text);
    } catch {
      /* the case page shows it as unreadable and records it */
    }
  };
  for (const m of c.messages) if (!m.isNote) push(key, m);
  // The team key is opened only when there are notes to read: one X25519 operation saved per case.
  if (notes.length > 0 && c.teamKey) {
    const team = openKey(keys, c.teamKey);
    for (const m of notes) push(team, m);
  }
  texts.push(c.labels);
  return texts;
}

/**
 * Opens, reads and matches every case of the task. A case whose keys or texts do not open
 * (damaged, or sealed to someone else) is counted as unreadable, never thrown. Wipes the task's
 * copy of the private key before returning.
 */
export function scanCases(task: ScanTask): ScanResult {
  const keys: KeyPair = { publicKey: buf(task.keys.publicKey), privateKey: buf(task.keys.privateKey) };
  const matches: ScanMatch[] = [];
  let scanned = 0;
  let unreadable = 0;
  try {
    task.cases.forEach((c, index) => {
      let texts: string[];
      try {
        texts = caseTexts(keys, c);
      } catch {
        unreadable++;
        return;
      }
      scanned++;
      const m = matchTexts(task.words, texts);
      if (m) matches.push({ index, hits: m.hits, snippet: snippetAt(texts, m.first) });
    });
  } finally {
    keys.privateKey.fill(0);
  }
  return { matches, scanned, unreadable };
}
