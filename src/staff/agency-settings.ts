// An agency administrator's settings of their agency: the deadline policy (the default and per
// category of every kind; it applies to cases filed from then on) and whether reporters are told of
// a disclosure of their identity. Every change is audited with before and after.
import { checkPolicy } from '../agencies/deadlines.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { AgencySettings, Database, DeadlinePolicy } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { ALL_CATEGORIES } from '../intake/limits.ts';
import { type AdminActor, ownAgency } from './admin.ts';

export type AgencySettingsView = { code: string; nameTh: string; nameEn: string; settings: AgencySettings };

/** The settings of the actor's agency (agency administrator). */
export async function readAgencySettings({ db, actor }: { db: Db; actor: AdminActor }): Promise<AgencySettingsView> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const a = await db
    .selectFrom('agency')
    .select(['code', 'name_th', 'name_en', 'settings'])
    .where('id', '=', agencyId)
    .executeTakeFirstOrThrow();
  return { code: a.code, nameTh: a.name_th, nameEn: a.name_en, settings: a.settings ?? {} };
}

/**
 * What an administrator types: the default policy, overrides per category of every kind (tips,
 * complaints, late permits; blank = default), the disclosure notice.
 */
export type SettingsInput = {
  deadlines: Record<string, unknown>;
  categoryDeadlines: Record<string, Record<string, unknown>>;
  notifyReporterOfDisclosure: boolean;
};

/**
 * Saves the deadline policy (validated by checkPolicy; it applies to cases filed from now on) and
 * whether reporters are told of an identity disclosure. Other keys of agency.settings are kept.
 * Audited: 'deadlines_changed' and/or 'agency_settings_changed' with before and after.
 */
export async function saveAgencySettings({
  db,
  actor,
  input,
}: {
  db: Db;
  actor: AdminActor;
  input: SettingsInput;
}): Promise<AgencySettings> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const deadlines = checkPolicy(input.deadlines);
  const categoryDeadlines: Record<string, Partial<DeadlinePolicy>> = {};
  for (const category of ALL_CATEGORIES) {
    const raw = input.categoryDeadlines[category];
    if (!raw) continue;
    try {
      const p = checkPolicy(raw);
      if (Object.keys(p).length > 0) categoryDeadlines[category] = p;
    } catch (e) {
      // Name the field of this category, so the form marks the right input.
      if (e instanceof AppError)
        throw new AppError(
          e.code,
          `${category}: ${e.message}`,
          e.userMessage,
          Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [`${category}.${k}`, v])),
        );
      throw e;
    }
  }
  return db.transaction().execute(async (trx) => {
    const { before, next } = await rewriteSettings(trx, agencyId, (was) => ({
      ...was,
      deadlines,
      categoryDeadlines,
      notifyReporterOfDisclosure: input.notifyReporterOfDisclosure,
    }));
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (!same(before.deadlines, next.deadlines) || !same(before.categoryDeadlines, next.categoryDeadlines)) {
      await recordAudit(trx, {
        actorUserId: actor.id,
        action: 'deadlines_changed',
        detail: {
          agency: agencyId,
          before: { deadlines: before.deadlines ?? {}, categoryDeadlines: before.categoryDeadlines ?? {} },
          after: { deadlines, categoryDeadlines },
        },
      });
    }
    if ((before.notifyReporterOfDisclosure ?? true) !== next.notifyReporterOfDisclosure) {
      await recordAudit(trx, {
        actorUserId: actor.id,
        action: 'agency_settings_changed',
        detail: { agency: agencyId, notifyReporterOfDisclosure: next.notifyReporterOfDisclosure },
      });
    }
    return next;
  });
}

/**
 * Rewrites one agency's settings in `trx` under a lock on its row: `change` gets what is stored and
 * returns what to store. Both are returned, for the caller's audit record in the same transaction.
 */
export async function rewriteSettings(
  trx: Transaction<Database>,
  agencyId: number,
  change: (before: AgencySettings) => AgencySettings,
): Promise<{ before: AgencySettings; next: AgencySettings }> {
  const row = await trx
    .selectFrom('agency')
    .select('settings')
    .where('id', '=', agencyId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const before: AgencySettings = row.settings ?? {};
  const next = change(before);
  await trx
    .updateTable('agency')
    .set({ settings: JSON.stringify(next) })
    .where('id', '=', agencyId)
    .execute();
  return { before, next };
}
