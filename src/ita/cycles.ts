// Assessment cycles: one per agency and fiscal year. Only the agency's own administrators and ITA
// assessors see a cycle; for anyone else it does not exist (not_found, like a case of another agency).
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit/record-audit.ts';
import { currentFiscalYear } from '../cases/figures.ts';
import { parseDay } from '../cases/permit-dates.ts';
import type { Db } from '../db/connection.ts';
import type { StaffRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { listFrameworks, loadShippedFramework } from './framework.ts';
import type { Framework, Text } from './types.ts';

/** Who works on the ITA of their agency. */
export const ITA_ROLES = ['agency_admin', 'ita_assessor'] as const satisfies readonly StaffRole[];
/** The most staff a cycle may be opened for (the largest Thai agencies have a few hundred thousand). */
export const MAX_STAFF_COUNT = 1_000_000;

export type Cycle = {
  id: number;
  agencyId: number;
  fiscalYear: number;
  frameworkName: string;
  framework: Framework;
  publicCode: string;
  staffCount: number;
  linksIssued: number;
  iitResponses: number;
  eitResponses: number;
  state: 'open' | 'closed';
  oitDueOn: string | null;
  openedAt: Date;
  closedAt: Date | null;
  /** When the results were last published on /ita; null: not public. */
  publishedAt: Date | null;
};

type Row = {
  id: number;
  agency_id: number;
  fiscal_year: number;
  framework_name: string;
  framework: unknown;
  public_code: string;
  staff_count: number;
  links_issued: number;
  iit_responses: number;
  eit_responses: number;
  state: 'open' | 'closed';
  oit_due_on: string | null;
  opened_at: Date;
  closed_at: Date | null;
  published_at: Date | null;
};

/** A row of ita_cycle as the domain's Cycle. */
export function cycleOf(r: Row): Cycle {
  return {
    id: r.id,
    agencyId: r.agency_id,
    fiscalYear: r.fiscal_year,
    frameworkName: r.framework_name,
    framework: r.framework as Framework,
    publicCode: r.public_code,
    staffCount: r.staff_count,
    linksIssued: r.links_issued,
    iitResponses: r.iit_responses,
    eitResponses: r.eit_responses,
    state: r.state,
    oitDueOn: r.oit_due_on,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    publishedAt: r.published_at,
  };
}

/** The actor's agency, when they hold one of `roles` in it; forbidden otherwise. */
export function itaAgencyOf(actor: StaffActor, roles: readonly StaffRole[] = ITA_ROLES): number {
  if (actor.agencyId === null || !hasRole(actor, ...roles))
    throw new AppError('forbidden', `needs one of: ${roles.join(', ')} in an agency`, 'error.forbidden');
  return actor.agencyId;
}

/** The cycles of the actor's agency, newest fiscal year first. */
export async function listCycles({ db, actor }: { db: Db; actor: StaffActor }): Promise<Cycle[]> {
  const agencyId = itaAgencyOf(actor);
  const rows = await db
    .selectFrom('ita_cycle')
    .selectAll()
    .where('agency_id', '=', agencyId)
    .orderBy('fiscal_year', 'desc')
    .execute();
  return rows.map(cycleOf);
}

/** A shipped framework as the opening form offers it. */
export type FrameworkChoice = { name: string; fiscalYear: number; title: Text };

/** The shipped frameworks, newest file first. */
export function frameworkChoices(): FrameworkChoice[] {
  return listFrameworks().map((name) => {
    const f = loadShippedFramework(name);
    return { name, fiscalYear: f.fiscalYear, title: f.title };
  });
}

/**
 * What the opening form proposes: the current fiscal year with its framework, when a framework for
 * that year ships and the agency has no cycle of it yet. Otherwise no year (null: the person types
 * one; a year no framework is for is never proposed) and the newest framework.
 */
export function proposedCycle(
  frameworks: readonly FrameworkChoice[],
  cycles: readonly Pick<Cycle, 'fiscalYear'>[],
  currentYear: number,
): { fiscalYear: number | null; framework: string } {
  const current = frameworks.find((f) => f.fiscalYear === currentYear);
  if (current && !cycles.some((c) => c.fiscalYear === currentYear))
    return { fiscalYear: currentYear, framework: current.name };
  return { fiscalYear: null, framework: current?.name ?? frameworks[0]?.name ?? '' };
}

/** The agency's cycles, newest first, with the frameworks the opening form offers and what it proposes. */
export async function cyclesOverview({ db, actor, now = new Date() }: { db: Db; actor: StaffActor; now?: Date }) {
  const cycles = await listCycles({ db, actor });
  const frameworks = frameworkChoices();
  return { cycles, frameworks, proposed: proposedCycle(frameworks, cycles, currentFiscalYear(now)) };
}

/** Refuses an action whose confirmation box was left unticked (`isConfirmed` false; undefined: no box asked). */
export function requireConfirmed(isConfirmed: boolean | undefined, field: string, message: string): void {
  if (isConfirmed === false) throw new AppError('invalid_input', 'not confirmed', 'error.form', { [field]: message });
}

/**
 * A cycle of the actor's agency. MUST answer not_found for a cycle of another agency or an id that
 * does not exist (the same answer, so ids of other agencies cannot be probed); forbidden when the
 * actor holds none of `roles`.
 */
export async function loadCycle({
  db,
  actor,
  cycleId,
  roles = ITA_ROLES,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  roles?: readonly StaffRole[];
}): Promise<Cycle> {
  const agencyId = itaAgencyOf(actor, roles);
  const row =
    Number.isSafeInteger(cycleId) && cycleId > 0
      ? await db
          .selectFrom('ita_cycle')
          .selectAll()
          .where('id', '=', cycleId)
          .where('agency_id', '=', agencyId)
          .executeTakeFirst()
      : undefined;
  if (!row) throw new AppError('not_found', 'no such assessment cycle', 'error.not_found');
  return cycleOf(row);
}

/** An open cycle's state check for actions that change it. */
export function requireOpen(cycle: Cycle): void {
  if (cycle.state !== 'open') throw new AppError('conflict', 'the assessment cycle is closed', 'ita.error.closed');
}

/** The settings a cycle keeps that may change while it is open. */
export type CycleSettings = { staffCount: number; oitDueOn: string | null };

/** Field errors of `settings` (empty when valid): the staff count 1..MAX_STAFF_COUNT, the due date a real YYYY-MM-DD or null. */
function settingsErrors({ staffCount, oitDueOn }: CycleSettings): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Number.isSafeInteger(staffCount) || staffCount < 1 || staffCount > MAX_STAFF_COUNT)
    fields.staffCount = 'ita.error.staff_count';
  if (oitDueOn !== null && parseDay(oitDueOn) !== oitDueOn) fields.oitDueOn = 'ita.error.oit_due_on';
  return fields;
}

/**
 * Opens the cycle of `fiscalYear` for the actor's agency (agency administrators only) with a
 * shipped framework, copied into the cycle. `oitDueOn`: YYYY-MM-DD or null. conflict when the agency
 * already has that year.
 */
export async function openCycle({
  db,
  actor,
  fiscalYear,
  frameworkName,
  staffCount,
  oitDueOn = null,
}: {
  db: Db;
  actor: StaffActor;
  fiscalYear: number;
  frameworkName: string;
  staffCount: number;
  oitDueOn?: string | null;
}): Promise<Cycle> {
  const agencyId = itaAgencyOf(actor, ['agency_admin']);
  const fields = settingsErrors({ staffCount, oitDueOn });
  if (!Number.isSafeInteger(fiscalYear) || fiscalYear < 2500 || fiscalYear > 2800)
    fields.fiscalYear = 'ita.error.fiscal_year';
  if (!listFrameworks().includes(frameworkName)) fields.framework = 'ita.error.framework';
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid cycle', 'error.form', fields);
  const framework = loadShippedFramework(frameworkName);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('ita_cycle')
      .values({
        agency_id: agencyId,
        fiscal_year: fiscalYear,
        framework_name: frameworkName,
        framework: JSON.stringify(framework),
        public_code: randomBytes(12).toString('base64url'),
        staff_count: staffCount,
        oit_due_on: oitDueOn,
        opened_by: actor.id,
      })
      .onConflict((oc) => oc.columns(['agency_id', 'fiscal_year']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row)
      throw new AppError('conflict', 'the agency already has a cycle for this fiscal year', 'error.form', {
        fiscalYear: 'ita.error.year_taken',
      });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_cycle_opened',
      detail: { cycleId: row.id, fiscalYear, framework: frameworkName },
    });
    return cycleOf(row);
  });
}

/**
 * Closes a cycle (agency administrators): the surveys stop taking answers; results stay.
 * `isConfirmed`: the form's confirmation box, checked after the access checks (so a stranger
 * learns nothing from a missing box) and before the cycle's state.
 */
export async function closeCycle({
  db,
  actor,
  cycleId,
  isConfirmed,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  isConfirmed?: boolean;
}): Promise<void> {
  const cycle = await loadCycle({ db, actor, cycleId, roles: ['agency_admin'] });
  requireConfirmed(isConfirmed, 'confirm', 'ita.error.confirm');
  requireOpen(cycle);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('ita_cycle')
      .set({ state: 'closed', closed_at: new Date() })
      .where('id', '=', cycle.id)
      .execute();
    // Unused links are of no more use; dropping them leaves nothing that says who did not answer.
    await trx.deleteFrom('ita_link').where('cycle_id', '=', cycle.id).execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'ita_cycle_closed', detail: { cycleId: cycle.id } });
  });
}

/**
 * Changes an open cycle's staff count (the IIT minimum sample and the link limit follow it) and OIT
 * due date (the reminders follow it), agency administrators only, validated as in openCycle.
 * not_found across agencies, conflict on a closed cycle, invalid_input with field errors. Links
 * already issued stay valid even when the new count allows fewer. Audited ita_cycle_changed with
 * the values before and after, in the same transaction; nothing changed, nothing recorded.
 */
export async function changeCycle({
  db,
  actor,
  cycleId,
  settings,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  settings: CycleSettings;
}): Promise<Cycle> {
  const cycle = await loadCycle({ db, actor, cycleId, roles: ['agency_admin'] });
  requireOpen(cycle);
  const fields = settingsErrors(settings);
  if (Object.keys(fields).length > 0)
    throw new AppError('invalid_input', 'invalid cycle settings', 'error.form', fields);
  const before: CycleSettings = { staffCount: cycle.staffCount, oitDueOn: cycle.oitDueOn };
  if (before.staffCount === settings.staffCount && before.oitDueOn === settings.oitDueOn) return cycle;
  return db.transaction().execute(async (trx) => {
    // `state = 'open'` again here: a close committed since loadCycle must win over this change.
    const row = await trx
      .updateTable('ita_cycle')
      .set({ staff_count: settings.staffCount, oit_due_on: settings.oitDueOn })
      .where('id', '=', cycle.id)
      .where('state', '=', 'open')
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AppError('conflict', 'the assessment cycle is closed', 'ita.error.closed');
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_cycle_changed',
      detail: { cycleId: cycle.id, before, after: { staffCount: settings.staffCount, oitDueOn: settings.oitDueOn } },
    });
    return cycleOf(row);
  });
}
