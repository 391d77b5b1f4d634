// An agency administrator's retention rules (agency.settings.retention): months after closure
// before a case is shredded, by kind and outcome, and before a sealed identity is erased, by kind.
// Only for the administrator's own agency; every change is audited with before and after.
import { checkRetention, ruleTable, type RuleTable } from '../agencies/retention-rules.ts';
import { canonicalJson, recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import type { AgencySettings, RetentionSettings } from '../db/schema.ts';
import { type AdminActor, ownAgency } from './admin.ts';
import { rewriteSettings } from './agency-settings.ts';

export type RetentionView = { code: string; nameTh: string; nameEn: string; own: RetentionSettings; table: RuleTable };

/** The rules of the actor's agency (agency administrator): what it set and every rule in force. */
export async function readRetention({ db, actor }: { db: Db; actor: AdminActor }): Promise<RetentionView> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const a = await db
    .selectFrom('agency')
    .select(['code', 'name_th', 'name_en', 'settings'])
    .where('id', '=', agencyId)
    .executeTakeFirstOrThrow();
  const settings: AgencySettings = a.settings ?? {};
  return {
    code: a.code,
    nameTh: a.name_th,
    nameEn: a.name_en,
    own: settings.retention ?? {},
    table: ruleTable(settings),
  };
}

/**
 * Saves the rules typed (checkRetention: blank = the platform's default; 1 to 600 months; every
 * faulty field refused at once, nothing saved). They apply at the next run of the retention job,
 * to every closed case of the agency. Audited as 'retention_changed' when anything changed.
 */
export async function saveRetention({
  db,
  actor,
  input,
}: {
  db: Db;
  actor: AdminActor;
  input: Record<string, unknown>;
}): Promise<RetentionSettings> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const retention = checkRetention(input);
  return db.transaction().execute(async (trx) => {
    const { before } = await rewriteSettings(trx, agencyId, (was) => ({ ...was, retention }));
    if (canonicalJson(before.retention ?? {}) !== canonicalJson(retention))
      await recordAudit(trx, {
        actorUserId: actor.id,
        action: 'retention_changed',
        detail: { agency: agencyId, before: before.retention ?? {}, after: retention },
      });
    return retention;
  });
}
