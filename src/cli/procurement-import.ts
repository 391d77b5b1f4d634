// `procurement import`: an agency's procurement data (OCDS JSON lines or an e-GP CSV) imported and
// its red flags computed and stored (src/procurement/store.ts), audited with no staff actor.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Db } from '../db/connection.ts';
import { invalidInput } from '../procurement/invalid.ts';
import { importProcurement, type Source } from '../procurement/store.ts';
import { MAX_SETTINGS_FILE } from '../procurement/settings.ts';
import { describeReport } from './redflags.ts';

export const usage =
  'procurement import --agency CODE --input FILE.jsonl|FILE.csv [--settings FILE.ini] (a .csv input is e-GP open data)';

export async function procurementImport(db: Db, args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: { agency: { type: 'string' }, input: { type: 'string' }, settings: { type: 'string' } },
  });
  if (!values.agency || !values.input) throw invalidInput(`usage: ${usage}`);
  const agency = await db
    .selectFrom('agency')
    .select('id')
    .where('code', '=', values.agency.toUpperCase())
    .executeTakeFirst();
  if (!agency) throw invalidInput(`no agency ${values.agency}`);
  let settingsText: string | undefined;
  if (values.settings) {
    const bytes = readFileSync(values.settings);
    if (bytes.length > MAX_SETTINGS_FILE) throw invalidInput(`settings: over ${MAX_SETTINGS_FILE} bytes`);
    settingsText = bytes.toString('utf8');
  }
  const source: Source = values.input.toLowerCase().endsWith('.csv') ? 'egp' : 'ocds';
  const r = await importProcurement({
    db,
    actorUserId: null,
    agencyId: agency.id,
    file: values.input,
    source,
    settingsText,
  });
  return `${describeReport({ report: r.report, otherCurrency: r.otherCurrency, ignored: 0 })}\nimport ${r.importId}: ${r.flagged} processes flagged`;
}
