// Platform secrets kept in the data folder (mode 0600), never in the database: the receipt salt
// and the reporter-cookie key. With DATABASE_URL, a copy of the database alone cannot even start
// guessing receipts; with the embedded database the salt sits beside it, and a stolen folder still
// costs one Argon2id derivation per guess over 10^16 receipts.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';

export type PlatformSecrets = Readonly<{ receiptSalt: Buffer; cookieKey: Buffer }>;

/** Loads `<dataDir>/secrets.json`, creating it atomically on first use. */
export async function loadSecrets(dataDir: string): Promise<PlatformSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    await mkdir(dataDir, { recursive: true, mode: 0o711 });
    const fresh = { version: 1, receiptSalt: randomBytes(16).toString('base64'), cookieKey: randomBytes(32).toString('base64') };
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    // A concurrent first start may have won the race; rename keeps one complete file either way.
    if (!existsSync(file)) await rename(tmp, file);
  }
  const raw = JSON.parse(await readFile(file, 'utf8')) as { version: number; receiptSalt: string; cookieKey: string };
  if (raw.version !== 1) throw new Error(`${file}: unknown version ${raw.version}`);
  return Object.freeze({ receiptSalt: Buffer.from(raw.receiptSalt, 'base64'), cookieKey: Buffer.from(raw.cookieKey, 'base64') });
}
