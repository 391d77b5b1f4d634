// One batch of a search: opens each case's keys, decrypts its texts and matches them. CPU only, no
// database, run in the search workers (search-worker.ts). The plaintext exists only in this
// function's memory; only the snippets of matching cases leave it, with the ring entries
// (key-ring.ts: ciphertext) of the keys it had to open from their sealed boxes.
import { openRaw } from '../crypto/aead.ts';
import { openSealed, type KeyPair } from '../crypto/sealed-box.ts';
import { contentAad, messageAad } from '../intake/case-keys.ts';
import { openFromRing, ringKeyOf, wrapForRing, type RingSlot } from './key-ring.ts';
import { type FirstHit, matchTexts, snippetAt } from './search-text.ts';

/**
 * A case as fetched: ciphertexts and the actor's sealed keys (`teamKey` opens the internal notes)
 * with their ring entries when written, and `labels`, its category's names in Thai and English
 * (metadata: searched after the texts).
 */
export type ScanCase = {
  id: string;
  /** Its place among cases with as many hits: 0 is shown first (newest). */
  rank: number;
  labels: string;
  content: Uint8Array;
  sealedKey: Uint8Array;
  ring: Uint8Array | null;
  teamKey: Uint8Array | null;
  teamRing: Uint8Array | null;
  messages: { id: string; isNote: boolean; body: Uint8Array }[];
};
export type ScanTask = {
  words: string[];
  /** How many cases the search shows: only the batch's best this many get a snippet. */
  shown: number;
  userId: number;
  keys: { publicKey: Uint8Array; privateKey: Uint8Array };
  cases: ScanCase[];
};
/** `index` into the task's cases; `snippet` only for the batch's best `shown` matches. */
export type ScanMatch = { index: number; hits: number; snippet: string | null };
/** A ring entry to store for the key of case `index` (its box had to be opened). */
export type ScanRing = { index: number; purpose: 'content' | 'team'; ring: Uint8Array };
export type ScanResult = { matches: ScanMatch[]; scanned: number; unreadable: number; rings: ScanRing[] };

/**
 * A batch as it travels to a worker: every byte of its cases in one buffer, located by (start,
 * length) pairs, -1 for none; five pairs a case (content, sealed key, its ring, team key, its
 * ring), one a message. Flat arrays clone fast: a view object for each of ~10,000 values cost more
 * than the copy itself. All its buffers are transferred, not copied; `keys` is public ‖ private.
 */
export type PackedTask = {
  words: string[];
  shown: number;
  userId: number;
  keys: Uint8Array;
  data: Uint8Array;
  ids: string[];
  ranks: Int32Array;
  labels: string[];
  spans: Int32Array;
  messageCounts: Int32Array;
  messageIds: string[];
  messageNotes: Uint8Array;
  messageSpans: Int32Array;
};

/** Packs cases for a worker (see PackedTask); returns the buffers to transfer with it. */
export function packTask(
  words: string[],
  shown: number,
  userId: number,
  keys: KeyPair,
  cases: ScanCase[],
): { task: PackedTask; transfer: ArrayBuffer[] } {
  let size = 0;
  let messages = 0;
  for (const c of cases) {
    size += c.content.length + c.sealedKey.length + (c.ring?.length ?? 0);
    size += (c.teamKey?.length ?? 0) + (c.teamRing?.length ?? 0);
    for (const m of c.messages) size += m.body.length;
    messages += c.messages.length;
  }
  const data = new Uint8Array(size);
  const spans = new Int32Array(cases.length * 10);
  const messageSpans = new Int32Array(messages * 2);
  let at = 0;
  const put = (into: Int32Array, i: number, b: Uint8Array | null) => {
    into[2 * i] = b ? at : -1;
    into[2 * i + 1] = b ? b.length : -1;
    if (!b) return;
    data.set(b, at);
    at += b.length;
  };
  const task: PackedTask = {
    words,
    shown,
    userId,
    keys: new Uint8Array(64),
    data,
    ids: [],
    ranks: new Int32Array(cases.length),
    labels: [],
    spans,
    messageCounts: new Int32Array(cases.length),
    messageIds: [],
    messageNotes: new Uint8Array(messages),
    messageSpans,
  };
  task.keys.set(keys.publicKey, 0);
  task.keys.set(keys.privateKey, 32);
  let m = 0;
  cases.forEach((c, i) => {
    task.ids.push(c.id);
    task.ranks[i] = c.rank;
    task.labels.push(c.labels);
    [c.content, c.sealedKey, c.ring, c.teamKey, c.teamRing].forEach((b, k) => {
      put(spans, 5 * i + k, b);
    });
    task.messageCounts[i] = c.messages.length;
    for (const msg of c.messages) {
      task.messageIds.push(msg.id);
      task.messageNotes[m] = msg.isNote ? 1 : 0;
      put(messageSpans, m++, msg.body);
    }
  });
  const transfer = [data, spans, task.ranks, task.messageCounts, task.messageNotes, messageSpans, task.keys].map(
    (a) => a.buffer as ArrayBuffer,
  );
  return { task, transfer };
}

/** The cases of a packed batch, as views into its buffer (nothing copied). */
export function unpackTask(p: PackedTask): ScanTask {
  const view = (spans: Int32Array, i: number) =>
    spans[2 * i] < 0 ? null : p.data.subarray(spans[2 * i], spans[2 * i] + spans[2 * i + 1]);
  let m = 0;
  const cases = p.ids.map((id, i): ScanCase => {
    const messages: ScanCase['messages'] = [];
    for (let k = 0; k < p.messageCounts[i]; k++, m++)
      messages.push({
        id: p.messageIds[m],
        isNote: p.messageNotes[m] === 1,
        body: view(p.messageSpans, m) as Uint8Array,
      });
    return {
      id,
      rank: p.ranks[i],
      labels: p.labels[i],
      content: view(p.spans, 5 * i) as Uint8Array,
      sealedKey: view(p.spans, 5 * i + 1) as Uint8Array,
      ring: view(p.spans, 5 * i + 2),
      teamKey: view(p.spans, 5 * i + 3),
      teamRing: view(p.spans, 5 * i + 4),
      messages,
    };
  });
  return {
    words: p.words,
    shown: p.shown,
    userId: p.userId,
    keys: { publicKey: p.keys.subarray(0, 32), privateKey: p.keys.subarray(32) },
    cases,
  };
}

// Structured cloning (worker messages) turns Buffers into plain Uint8Arrays: view them as Buffers again.
const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

type Opener = { keys: KeyPair; ringKey: Buffer; userId: number; rings: ScanRing[] };

/** A case key from the ring, else from its sealed box (then a ring entry is made for it). Raw: the caller wipes it. */
function openKey(o: Opener, index: number, c: ScanCase, purpose: 'content' | 'team'): Buffer {
  const sealedKey = (purpose === 'content' ? c.sealedKey : c.teamKey) as Uint8Array;
  const ring = purpose === 'content' ? c.ring : c.teamRing;
  const slot: RingSlot = { caseId: c.id, userId: o.userId, purpose, sealedKey };
  const fromRing = ring ? openFromRing(o.ringKey, slot, ring) : null;
  if (fromRing) return fromRing;
  const key = openSealed(o.keys, buf(sealedKey));
  if (key.length !== 32) throw new Error('a case key is 32 bytes');
  o.rings.push({ index, purpose, ring: wrapForRing(o.ringKey, slot, key) });
  return key;
}

const text = (key: Buffer, sealed: Uint8Array, aad: string) => openRaw(key, sealed, aad).toString('utf8');

/** The report (what, when, where, who), the reporter thread, the internal notes, then the category's names. */
function caseTexts(o: Opener, index: number, c: ScanCase): string[] {
  const opened: Buffer[] = [];
  try {
    const key = openKey(o, index, c, 'content');
    opened.push(key);
    const content = JSON.parse(text(key, c.content, contentAad(c.id))) as {
      what: string;
      when: string;
      where: string;
      who: string;
    };
    const texts = [content.what, content.when, content.where, content.who];
    const notes = c.messages.filter((m) => m.isNote);
    // One message that does not open (damaged, or planted with another key) is skipped, not the case.
    const push = (k: Buffer, m: ScanCase['messages'][number]) => {
      try {
        texts.push((JSON.parse(text(k, m.body, messageAad(c.id, m.id))) as { text: string }).text);
      } catch {
        /* the case page shows it as unreadable and records it */
      }
    };
    for (const m of c.messages) if (!m.isNote) push(key, m);
    // The team key is opened only when there are notes to read: one key opening saved per case.
    if (notes.length > 0 && c.teamKey) {
      const team = openKey(o, index, c, 'team');
      opened.push(team);
      for (const m of notes) push(team, m);
    }
    texts.push(c.labels);
    return texts;
  } finally {
    for (const k of opened) k.fill(0);
  }
}

type Candidate = { index: number; hits: number; rank: number; texts: string[]; first: FirstHit };

/**
 * Opens, reads and matches every case of the task. A case whose keys or texts do not open
 * (damaged, or sealed to someone else) is counted as unreadable, never thrown. Snippets are cut
 * only for the batch's best `shown` matches (most hits, then rank): the search shows no other, and
 * the texts of the others are let go as soon as they fall out of that list. Wipes the task's copy
 * of the private key, and the ring key, before returning.
 */
export function scanCases(task: ScanTask): ScanResult {
  const keys: KeyPair = { publicKey: buf(task.keys.publicKey), privateKey: buf(task.keys.privateKey) };
  const o: Opener = { keys, ringKey: ringKeyOf(keys.privateKey), userId: task.userId, rings: [] };
  const best: Candidate[] = []; // best first, at most task.shown
  const others: ScanMatch[] = [];
  let scanned = 0;
  let unreadable = 0;
  try {
    task.cases.forEach((c, index) => {
      let texts: string[];
      try {
        texts = caseTexts(o, index, c);
      } catch {
        unreadable++;
        return;
      }
      scanned++;
      const m = matchTexts(task.words, texts);
      if (!m) return;
      const at = best.findIndex((b) => m.hits > b.hits || (m.hits === b.hits && c.rank < b.rank));
      best.splice(at === -1 ? best.length : at, 0, { index, hits: m.hits, rank: c.rank, texts, first: m.first });
      const out = best.length > task.shown ? best.pop() : undefined;
      if (out) others.push({ index: out.index, hits: out.hits, snippet: null });
    });
  } finally {
    keys.privateKey.fill(0);
    o.ringKey.fill(0);
  }
  const matches = best.map((b) => ({ index: b.index, hits: b.hits, snippet: snippetAt(b.texts, b.first) }));
  return { matches: [...matches, ...others], scanned, unreadable, rings: o.rings };
}
