// A tip filed in process as the web form files it (sealed to the agency's intake officers), for
// tests that need a real case with keys without a reporter's browser.
import type { Db } from '../../src/db/connection.ts';
import { newDraft, submitReport, type Submitted } from '../../src/intake/submit-report.ts';
import { validateReport } from '../../src/intake/validate-report.ts';
import { CHEAP_KDF } from './app.ts';

/** Files a bribery tip to `agency` saying `what`. */
export function fileTip(db: Db, receiptSalt: Buffer, agency: string, what: string): Promise<Submitted> {
  return submitReport({
    db,
    kdf: CHEAP_KDF,
    receiptSalt,
    draft: newDraft(),
    input: validateReport({ agency, category: 'bribery', what }),
    files: [],
    channel: 'web',
  });
}
