// An agency administrator's units page: the list (with the staff and cases naming each), adding a
// unit, and one unit's page (names and parent, deactivating, bringing back). Another agency's unit
// is not found, exactly like no unit. Handlers: parse → authorize → one call to staff/units.ts.
import type { FastifyInstance } from 'fastify';
import type { StaffActor } from '../../staff/session.ts';
import { addUnit, getUnit, listUnits, MAX_UNIT_NAME, renameUnit, setUnitActive, unitsOf } from '../../staff/units.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf } from '../form.ts';
import { pathId } from '../input.ts';
import { doneNotice, formRoute, pageRoute, sendStaffPage, type Shown, unlessMissing, withRole } from './page.ts';

export const UNITS_PATH = '/staff/admin/units';
const DONE = ['added', 'renamed', 'deactivated', 'reactivated'];
/** What a form posts, cut one past its limit so that the domain sees (and refuses) a longer one. */
const FIELDS = { code: 17, nameTh: MAX_UNIT_NAME + 1, nameEn: MAX_UNIT_NAME + 1, parent: 12 } as const;

const typed = (f: Form) =>
  Object.fromEntries(Object.entries(FIELDS).map(([k, max]) => [k, f.str(k, max)])) as Record<
    keyof typeof FIELDS,
    string
  >;

async function unitsPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}) {
  const units = await listUnits({ db: deps.db, actor });
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-units',
    {
      title: f.t('units.title'),
      units,
      parents: units.filter((u) => u.isActive && u.parentId === null),
      values: shown.error ? typed(f) : {},
      maxName: MAX_UNIT_NAME,
    },
    { notice: doneNotice(f, 'units.done.', DONE), ...shown },
  );
}

async function unitPage(f: Form, deps: WebDeps, actor: StaffActor, id: number, shown: Shown = {}) {
  const unit = await getUnit({ db: deps.db, actor, unitId: id });
  const all = actor.agencyId === null ? [] : await unitsOf(deps.db, actor.agencyId);
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-unit',
    {
      title: f.t('units.edit', { code: unit.code }),
      unit,
      parents: all.filter((u) => u.parentId === null && u.id !== unit.id && (u.isActive || u.id === unit.parentId)),
      values: shown.error
        ? typed(f)
        : { nameTh: unit.nameTh, nameEn: unit.nameEn, parent: unit.parentId === null ? '' : String(unit.parentId) },
      maxName: MAX_UNIT_NAME,
    },
    { notice: doneNotice(f, 'units.done.', DONE), ...shown },
  );
}

export function unitRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const { db } = deps;
  const agencyAdmin = withRole('agency_admin');

  pageRoute(scope, deps, UNITS_PATH, agencyAdmin, (f, actor) => unitsPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    UNITS_PATH,
    agencyAdmin,
    async (f, actor) => {
      await addUnit({ db, actor, ...typed(f) });
      return f.reply.redirect(`${UNITS_PATH}?done=added`, 303);
    },
    (f, actor, shown) => unitsPage(f, deps, actor, shown),
  );

  scope.get<{ Params: { id: string } }>(`${UNITS_PATH}/:id`, async (req, reply) => {
    const actor = agencyAdmin(req);
    return unitPage(formOf(req, reply, deps.config.isSecureCookies), deps, actor, pathId(req.params.id));
  });
  const unitAction = (action: string, act: (f: Form, actor: StaffActor, id: number) => Promise<string>) =>
    formRoute<{ id: string }>(
      scope,
      deps,
      `${UNITS_PATH}/:id/${action}`,
      agencyAdmin,
      async (f, actor, p) => {
        const id = pathId(p.id);
        return f.reply.redirect(`${UNITS_PATH}/${id}?done=${await act(f, actor, id)}`, 303);
      },
      (f, actor, shown, p) => unitPage(f, deps, actor, pathId(p.id), unlessMissing(shown)),
    );
  unitAction('rename', async (f, actor, id) => {
    const { nameTh, nameEn, parent } = typed(f);
    await renameUnit({ db, actor, unitId: id, nameTh, nameEn, parent });
    return 'renamed';
  });
  unitAction('deactivate', async (_f, actor, id) => {
    await setUnitActive({ db, actor, unitId: id, active: false });
    return 'deactivated';
  });
  unitAction('reactivate', async (_f, actor, id) => {
    await setUnitActive({ db, actor, unitId: id, active: true });
    return 'reactivated';
  });
}
