// Looks for secrets in raw bytes (a database dump, the files of a data folder) in the encodings a
// leak could take: UTF-8, UTF-16LE, base64 and base64url (at each of the three byte alignments),
// hex (as PostgreSQL prints bytea), and for non-ASCII text also \u escapes and percent-encoding.
// Many needles are searched in one pass, so scanning tens of megabytes stays well under a second.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type Secret = { label: string; value: string | Buffer };
export type Needle = { label: string; encoding: string; bytes: Buffer };
export type Hit = { label: string; encoding: string; where: string; offset: number };

/** base64 of `value` as it appears inside a longer base64 text, for each of the 3 alignments. */
function base64Inside(value: Buffer, url: boolean): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), value]).toString(url ? 'base64url' : 'base64');
    // The first group mixes in unknown bytes before the value (when k > 0); the last partial
    // group depends on the bytes after it. Only whole groups made of the value alone are kept.
    const stable = enc.slice(k === 0 ? 0 : 4, Math.floor((k + value.length) / 3) * 4);
    if (stable.length >= 8) out.push(Buffer.from(stable, 'latin1'));
  }
  return out;
}

export function needlesOf(secret: Secret): Needle[] {
  const raw = typeof secret.value === 'string' ? Buffer.from(secret.value, 'utf8') : secret.value;
  const list: { encoding: string; bytes: Buffer }[] = [
    { encoding: typeof secret.value === 'string' ? 'utf8' : 'raw', bytes: raw },
    ...base64Inside(raw, false).map((bytes) => ({ encoding: 'base64', bytes })),
    ...base64Inside(raw, true).map((bytes) => ({ encoding: 'base64url', bytes })),
    { encoding: 'hex', bytes: Buffer.from(raw.toString('hex'), 'latin1') },
    { encoding: 'HEX', bytes: Buffer.from(raw.toString('hex').toUpperCase(), 'latin1') },
  ];
  if (typeof secret.value === 'string') {
    const text = secret.value;
    const utf16 = Buffer.from(text, 'utf16le');
    list.push({ encoding: 'utf16le', bytes: utf16 });
    list.push(...base64Inside(utf16, false).map((bytes) => ({ encoding: 'base64(utf16le)', bytes })));
    if (/[^\x20-\x7e]/.test(text)) {
      const esc = (upper: boolean) =>
        text.replace(/[^\x20-\x7e]/g, (c) => {
          const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
          return `\\u${upper ? hex.toUpperCase() : hex}`;
        });
      const percent = encodeURIComponent(text);
      list.push({ encoding: 'json-escaped', bytes: Buffer.from(esc(false), 'latin1') });
      list.push({ encoding: 'JSON-ESCAPED', bytes: Buffer.from(esc(true), 'latin1') });
      list.push({ encoding: 'percent', bytes: Buffer.from(percent, 'latin1') });
      list.push({
        encoding: 'percent-lower',
        bytes: Buffer.from(
          percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
          'latin1',
        ),
      });
    }
  }
  const seen = new Set<string>();
  const out: Needle[] = [];
  for (const n of list) {
    const key = n.bytes.toString('hex');
    if (n.bytes.length < 3 || seen.has(key)) continue;
    seen.add(key);
    out.push({ label: secret.label, ...n });
  }
  return out;
}

export type Scanner = { needles: Needle[]; scan: (data: Buffer, where: string) => Hit[] };

/** Finds every needle in `data` in one pass: a bitmap of the needles' first three bytes filters. */
export function scanner(secrets: Secret[]): Scanner {
  const needles = secrets.flatMap(needlesOf);
  const bitmap = new Uint8Array(1 << 21);
  const buckets = new Map<number, Needle[]>();
  for (const n of needles) {
    const k = n.bytes[0] | (n.bytes[1] << 8) | (n.bytes[2] << 16);
    bitmap[k >>> 3] |= 1 << (k & 7);
    const b = buckets.get(k);
    if (b) b.push(n);
    else buckets.set(k, [n]);
  }
  return {
    needles,
    scan(data, where) {
      const hits: Hit[] = [];
      const end = data.length - 2;
      for (let i = 0; i < end; i++) {
        const k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16);
        if ((bitmap[k >>> 3] & (1 << (k & 7))) === 0) continue;
        for (const n of buckets.get(k)!) {
          if (
            i + n.bytes.length <= data.length &&
            data.compare(n.bytes, 0, n.bytes.length, i, i + n.bytes.length) === 0
          ) {
            hits.push({ label: n.label, encoding: n.encoding, where, offset: i });
          }
        }
      }
      return hits;
    },
  };
}

/** Every regular file under `dir`, recursively; symbolic links and sockets are not followed. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Reads and scans every file under `dir`; returns the hits and what was read. */
export async function scanFolder(
  s: Scanner,
  dir: string,
): Promise<{ hits: Hit[]; files: number; bytes: number; errors: string[] }> {
  const hits: Hit[] = [];
  const errors: string[] = [];
  let bytes = 0;
  const files = await listFiles(dir);
  for (const f of files) {
    let data: Buffer;
    try {
      data = await readFile(f);
    } catch (e) {
      errors.push(`${path.relative(dir, f)}: ${(e as Error).message}`);
      continue;
    }
    bytes += data.length;
    hits.push(...s.scan(data, path.relative(dir, f)));
  }
  return { hits, files: files.length, bytes, errors };
}
