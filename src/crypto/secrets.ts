// Platform secrets kept in the data folder (mode 0600), never in the database: the receipt salt,
// the reporter-cookie key and the channel key (it seals what arrives on LINE before it is stored). With DATABASE_URL, a copy of the database alone cannot even start
// guessing receipts; with the embedded database the salt sits beside it, and a stolen folder still
// costs one Argon2id derivation per guess over 10^16 receipts.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export type PlatformSecrets = Readonly<{ receiptSalt: Buffer; cookieKey: Buffer; channelKey: Buffer }>;

type Stored = { version: number; receiptSalt: string; cookieKey: string; channelKey?: string };

async function writeAtomically(file: string, value: Stored, replace: boolean): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  // A concurrent first start may have won the race; rename keeps one complete file either way.
  if (replace || !existsSync(file)) await rename(tmp, file);
  else await unlink(tmp);
}

/** Loads `<dataDir>/secrets.json`, creating it atomically on first use. */
export async function loadSecrets(dataDir: string): Promise<PlatformSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    await mkdir(dataDir, { recursive: true, mode: 0o711 });
    await writeAtomically(
      file,
      {
        version: 1,
        receiptSalt: randomBytes(16).toString('base64'),
        cookieKey: randomBytes(32).toString('base64'),
        channelKey: randomBytes(32).toString('base64'),
      },
      false,
    );
  }
  let raw = JSON.parse(await readFile(file, 'utf8')) as Stored;
  if (raw.version !== 1) throw new Error(`${file}: unknown version ${raw.version}`);
  if (!raw.channelKey) {
    // A data folder from before the LINE channel: the new key is added, the others kept.
    // (Two processes upgrading at the same instant could each write one; start one first.)
    await writeAtomically(file, { ...raw, channelKey: randomBytes(32).toString('base64') }, true);
    raw = JSON.parse(await readFile(file, 'utf8')) as Stored;
  }
  return Object.freeze({
    receiptSalt: Buffer.from(raw.receiptSalt, 'base64'),
    cookieKey: Buffer.from(raw.cookieKey, 'base64'),
    channelKey: Buffer.from(raw.channelKey!, 'base64'),
  });
}
