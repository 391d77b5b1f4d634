// An agency's units (issues 16 and 18): divisions and offices, with one level of nesting, that staff
// belong to and cases concern. The agency administrator keeps them: adds, renames, moves under
// another unit, deactivates and brings back; a unit is never deleted, so the staff and cases that
// name it keep it. Each change is audited in its transaction. A unit is metadata (code and names in
// the clear, like a category); another agency's unit is not found, exactly like no unit.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { type AdminActor, ownAgency } from './admin.ts';

/** The longest name (Thai or English) a unit may have. */
export const MAX_UNIT_NAME = 200;
/** A unit's short code: 1 to 16 capitals, digits, - or _, starting with a capital or a digit. */
export const UNIT_CODE = /^[A-Z0-9][A-Z0-9_-]{0,15}$/;

export type Unit = {
  id: number;
  code: string;
  nameTh: string;
  nameEn: string;
  parentId: number | null;
  isActive: boolean;
};

/** A unit with how many staff and cases name it (the administrator's list). */
export type UnitUse = Unit & { staff: number; cases: number };

export const notFound = (id: unknown) => new AppError('not_found', `no unit ${String(id)}`, 'error.not_found');

const toUnit = (r: {
  id: number;
  code: string;
  name_th: string;
  name_en: string;
  parent_id: number | null;
  is_active: boolean;
}): Unit => ({
  id: r.id,
  code: r.code,
  nameTh: r.name_th,
  nameEn: r.name_en,
  parentId: r.parent_id,
  isActive: r.is_active,
});

const COLUMNS = ['id', 'code', 'name_th', 'name_en', 'parent_id', 'is_active'] as const;

/**
 * The units of an agency, a parent followed by its sub-units, each group by code; `activeOnly`: the
 * ones that may be chosen now. No access check: callers check that the agency is the actor's.
 */
export async function unitsOf(db: Db, agencyId: number, { activeOnly = false } = {}): Promise<Unit[]> {
  const rows = await db
    .selectFrom('agency_unit')
    .select(COLUMNS)
    .where('agency_id', '=', agencyId)
    .$if(activeOnly, (q) => q.where('is_active', '=', true))
    .execute();
  return inTreeOrder(rows.map(toUnit));
}

/** Units ordered as a tree of one level: each top unit by code, its sub-units right after it. */
export function inTreeOrder<U extends Unit>(units: readonly U[]): U[] {
  const byCode = (a: U, b: U) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  const ids = new Set(units.map((u) => u.id));
  const tops = units.filter((u) => u.parentId === null || !ids.has(u.parentId)).sort(byCode);
  return tops.flatMap((top) => [top, ...units.filter((u) => u.parentId === top.id).sort(byCode)]);
}

/** The units of the administrator's agency, with the staff and cases that name each. */
export async function listUnits({ db, actor }: { db: Db; actor: AdminActor }): Promise<UnitUse[]> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const rows = await db
    .selectFrom('agency_unit as u')
    .select(COLUMNS.map((c) => `u.${c}` as const))
    .select([
      sql<number>`(select count(*) from staff_user s where s.unit_id = u.id and s.is_active)::int`.as('staff'),
      sql<number>`(select count(*) from report_case c where c.unit_id = u.id)::int`.as('cases'),
    ])
    .where('u.agency_id', '=', agencyId)
    .execute();
  return inTreeOrder(rows.map((r) => ({ ...toUnit(r), staff: r.staff, cases: r.cases })));
}

/** One unit of the administrator's agency (another agency's: not_found). */
export async function getUnit({ db, actor, unitId }: { db: Db; actor: AdminActor; unitId: number }): Promise<Unit> {
  const agencyId = ownAgency(actor, 'agency_admin');
  return unitOfAgency(db, agencyId, unitId);
}

/** A unit of `agencyId` by id, or not_found (also for an id that is no id at all). */
export async function unitOfAgency(db: Db, agencyId: number, unitId: number, forUpdate = false): Promise<Unit> {
  const row = Number.isSafeInteger(unitId)
    ? await db
        .selectFrom('agency_unit')
        .select(COLUMNS)
        .where('id', '=', unitId)
        .where('agency_id', '=', agencyId)
        .$if(forUpdate, (q) => q.forUpdate())
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound(unitId);
  return toUnit(row);
}

/**
 * A unit chosen in a form (`field`): '' is none, else the id of an active unit of `agencyId`. Any
 * other value (another agency's unit, a deactivated one, garbage) is the field's fault.
 */
export async function chosenUnit(
  db: Db,
  agencyId: number,
  raw: string,
  field = 'unit',
  forUpdate = false,
): Promise<Unit | null> {
  const text = raw.trim();
  if (text === '') return null;
  const id = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  const unit = await unitOfAgency(db, agencyId, id, forUpdate).catch(() => null);
  if (!unit?.isActive)
    throw new AppError('invalid_input', `no active unit ${text} in agency ${agencyId}`, 'error.form', {
      [field]: 'units.error.choose',
    });
  return unit;
}

export type UnitNames = { nameTh: string; nameEn: string };

/** The names as given (trimmed), each 1 to MAX_UNIT_NAME characters and no control character; every field at fault at once. */
function checkNames(input: UnitNames, errors: Record<string, string>): UnitNames {
  const out = { nameTh: input.nameTh.trim(), nameEn: input.nameEn.trim() };
  for (const k of ['nameTh', 'nameEn'] as const) {
    if (out[k] === '') errors[k] = 'error.field.required';
    else if (out[k].length > MAX_UNIT_NAME) errors[k] = 'units.error.name_long';
    else if (/[\u0000-\u001f\u007f]/.test(out[k])) errors[k] = 'units.error.name_chars';
  }
  return out;
}

/** The field messages of the invalid input `check` throws ({} when it passes; anything else is thrown on). */
async function fieldsAtFault(check: () => Promise<unknown>): Promise<Record<string, string>> {
  try {
    await check();
    return {};
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_input') return { ...e.fields };
    throw e;
  }
}

function refuseIf(errors: Record<string, string>): void {
  if (Object.keys(errors).length > 0)
    throw new AppError('invalid_input', `unit refused: ${Object.keys(errors).join(', ')}`, 'error.form', errors);
}

/**
 * The parent chosen (`raw` '' for none): an active top unit of the agency, never the unit itself;
 * a unit that has sub-units stays a top unit (one level of nesting). In a transaction (`lock`) the
 * parent's row is locked, so that two changes at once cannot nest two levels.
 */
async function checkParent(
  db: Db,
  agencyId: number,
  raw: string,
  unitId: number | null,
  lock = false,
): Promise<number | null> {
  const parent = await chosenUnit(db, agencyId, raw, 'parent', lock);
  if (!parent) return null;
  const refuse = (key: string) => {
    throw new AppError('invalid_input', `parent ${parent.id} refused: ${key}`, 'error.form', { parent: key });
  };
  if (parent.id === unitId || parent.parentId !== null) refuse('units.error.parent_level');
  if (unitId !== null) {
    const child = await db.selectFrom('agency_unit').select('id').where('parent_id', '=', unitId).executeTakeFirst();
    if (child) refuse('units.error.has_children');
  }
  return parent.id;
}

/** Adds a unit to the administrator's agency, audited. The code is unique in the agency. */
export async function addUnit({
  db,
  actor,
  code: typed,
  nameTh,
  nameEn,
  parent,
}: {
  db: Db;
  actor: AdminActor;
  code: string;
  nameTh: string;
  nameEn: string;
  /** the parent unit's id as posted, '' for none */
  parent: string;
}): Promise<Unit> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const errors: Record<string, string> = {};
  const code = typed.trim().toUpperCase();
  if (!UNIT_CODE.test(code)) errors.code = code ? 'units.error.code_format' : 'error.field.required';
  const names = checkNames({ nameTh, nameEn }, errors);
  // the parent checked with the other fields, so the form marks every field at fault at once
  Object.assign(errors, await fieldsAtFault(() => checkParent(db, agencyId, parent, null)));
  refuseIf(errors);
  return db.transaction().execute(async (trx) => {
    const parentId = await checkParent(trx, agencyId, parent, null, true);
    const taken = await trx
      .selectFrom('agency_unit')
      .select('id')
      .where('agency_id', '=', agencyId)
      .where('code', '=', code)
      .executeTakeFirst();
    if (taken) throw new AppError('conflict', `unit ${code} exists`, 'error.form', { code: 'units.error.code_taken' });
    const row = await trx
      .insertInto('agency_unit')
      .values({
        agency_id: agencyId,
        code,
        name_th: names.nameTh,
        name_en: names.nameEn,
        parent_id: parentId,
        created_by: actor.id,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'unit_added',
      detail: { unit: code, nameTh: names.nameTh, nameEn: names.nameEn, parent: parentId },
    });
    return toUnit(row);
  });
}

/** Renames a unit of the administrator's agency and sets its parent, audited with before and after. */
export async function renameUnit({
  db,
  actor,
  unitId,
  nameTh,
  nameEn,
  parent,
}: {
  db: Db;
  actor: AdminActor;
  unitId: number;
  nameTh: string;
  nameEn: string;
  parent: string;
}): Promise<Unit> {
  const agencyId = ownAgency(actor, 'agency_admin');
  await unitOfAgency(db, agencyId, unitId);
  const errors: Record<string, string> = {};
  const names = checkNames({ nameTh, nameEn }, errors);
  Object.assign(errors, await fieldsAtFault(() => checkParent(db, agencyId, parent, unitId)));
  refuseIf(errors);
  return db.transaction().execute(async (trx) => {
    const before = await unitOfAgency(trx, agencyId, unitId, true);
    const parentId = await checkParent(trx, agencyId, parent, unitId, true);
    const row = await trx
      .updateTable('agency_unit')
      .set({ name_th: names.nameTh, name_en: names.nameEn, parent_id: parentId })
      .where('id', '=', unitId)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'unit_changed',
      detail: {
        unit: before.code,
        before: { nameTh: before.nameTh, nameEn: before.nameEn, parent: before.parentId },
        after: { nameTh: names.nameTh, nameEn: names.nameEn, parent: parentId },
      },
    });
    return toUnit(row);
  });
}

/**
 * Deactivates (`active` false) or brings back a unit of the administrator's agency, audited. A
 * deactivated unit is offered no more; staff and cases that name it keep it. Never deleted.
 */
export async function setUnitActive({
  db,
  actor,
  unitId,
  active,
}: {
  db: Db;
  actor: AdminActor;
  unitId: number;
  active: boolean;
}): Promise<void> {
  const agencyId = ownAgency(actor, 'agency_admin');
  await db.transaction().execute(async (trx) => {
    const unit = await unitOfAgency(trx, agencyId, unitId, true);
    if (unit.isActive === active)
      throw new AppError('conflict', `unit ${unit.code} already ${active ? 'active' : 'inactive'}`, 'error.conflict');
    await trx.updateTable('agency_unit').set({ is_active: active }).where('id', '=', unitId).execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: active ? 'unit_reactivated' : 'unit_deactivated',
      detail: { unit: unit.code },
    });
  });
}

/**
 * Sets the unit of a staff member of the administrator's agency (`unit` '' for none), audited with
 * before and after. Another agency's user is not_found; another agency's unit is the field's fault.
 */
export async function setStaffUnit({
  db,
  actor,
  userId,
  unit,
}: {
  db: Db;
  actor: AdminActor;
  userId: number;
  unit: string;
}): Promise<{ before: number | null; after: number | null }> {
  const agencyId = ownAgency(actor, 'agency_admin');
  return db.transaction().execute(async (trx) => {
    const user = Number.isSafeInteger(userId)
      ? await trx
          .selectFrom('staff_user')
          .select(['id', 'unit_id'])
          .where('id', '=', userId)
          .where('agency_id', '=', agencyId)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!user) throw new AppError('not_found', `no user ${userId} in agency ${agencyId}`, 'error.not_found');
    // the unit named already (even one deactivated since) is no change
    if (user.unit_id !== null && unit.trim() === String(user.unit_id))
      return { before: user.unit_id, after: user.unit_id };
    const chosen = await chosenUnit(trx, agencyId, unit);
    const after = chosen?.id ?? null;
    if (user.unit_id === after) return { before: after, after };
    await trx.updateTable('staff_user').set({ unit_id: after }).where('id', '=', userId).execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'staff_unit_set',
      detail: { user: userId, before: await codeOf(trx, user.unit_id), after: chosen?.code ?? null },
    });
    return { before: user.unit_id, after };
  });
}

/** A unit's code by id (null for none): the audit trail names units by code. */
export async function codeOf(db: Db, unitId: number | null): Promise<string | null> {
  if (unitId === null) return null;
  const row = await db.selectFrom('agency_unit').select('code').where('id', '=', unitId).executeTakeFirst();
  return row?.code ?? null;
}

/** The unit of a staff member, for their page (null: no unit). */
export async function unitOfUser(db: Db, userId: number): Promise<number | null> {
  const row = await db.selectFrom('staff_user').select('unit_id').where('id', '=', userId).executeTakeFirst();
  return row?.unit_id ?? null;
}
