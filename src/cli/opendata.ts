// `opendata release [YYYY-MM]`: releases every dataset not yet released for the month (default:
// the last complete month); `opendata verify`: checks every release against its ledger entry.
import type { Db } from '../db/connection.ts';
import { releaseMonth, verifyReleases } from '../opendata/release.ts';

export const usage = 'opendata release [YYYY-MM] | opendata verify';

export async function openDataRelease(db: Db, args: string[]): Promise<string> {
  const released = await releaseMonth({ db, month: args[0] });
  return released.length === 0
    ? 'nothing to release: every dataset is released for that month'
    : `released: ${released.join(', ')}`;
}

export async function openDataVerify(db: Db): Promise<string> {
  const checks = await verifyReleases(db);
  return `${checks.length} releases match their ledger entries (${checks.filter((c) => c.inLog).length} sequenced into the log)`;
}
