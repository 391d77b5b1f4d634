// Administration through the app: agencies and their administrators, an agency's staff and roles
// (never another agency's), deactivation, settings, and the auditor's view of the audit trail.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../audit/record-audit.ts';
import { STAFF_ROLES } from '../../db/schema.ts';
import { translator } from '../../i18n/messages.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { validateReport } from '../../intake/validate-report.ts';
import {
  CHEAP_KDF,
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedStaff,
  type TestApp,
} from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, submitPage as submit, type Jar } from '../../../test/support/web.ts';
import { ENROL_PATH } from '../staff-auth.ts';
import { adminNav } from './routes.ts';

const t = translator('th');
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function login(app: FastifyInstance, email: string, password = PASSWORD, code = loginCode(email)): Promise<Jar> {
  const jar = newJar();
  const page = await get(app, jar, '/staff/login');
  const res = await postForm(app, jar, '/staff/login', { _csrf: csrfOf(page.body), email, password, code });
  assert.equal(res.statusCode, 303, `login of ${email}`);
  return jar;
}

/** A GET with the jar's cookies and one more cookie (as if copied from another browser). */
async function app_inject_with(app: FastifyInstance, jar: Jar, url: string, invitation: string) {
  const cookie = [...jar, ['sj_invitation', invitation]].map(([k, v]) => `${k}=${v}`).join('; ');
  return app.inject({ method: 'GET', url, headers: { cookie } });
}

/** A POST with the jar's cookies and the fields as given (a forged token, say). */
async function app_post(app: FastifyInstance, jar: Jar, url: string, fields: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams(fields).toString(),
  });
}

const ids: Record<string, number> = {};
const auditOf = (h: TestApp, action: string) =>
  h.db.selectFrom('audit_event').selectAll().where('action', '=', action).orderBy('id').execute();

describe('administration pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'DOPA');
    const people: [string, string | null, Parameters<typeof seedStaff>[3]][] = [
      ['root@platform.example', null, ['platform_admin']],
      ['admin@opdc.example', 'OPDC', ['agency_admin']],
      ['officer@opdc.example', 'OPDC', ['intake_officer']],
      ['auditor@opdc.example', 'OPDC', ['auditor']],
      ['admin@dopa.example', 'DOPA', ['agency_admin']],
      ['officer@dopa.example', 'DOPA', ['intake_officer']],
    ];
    for (const [email, agency, roles] of people) ids[email] = (await seedStaff(h.db, agency, email, roles)).id;
    for (const email of ['root@platform.example', 'admin@opdc.example', 'auditor@opdc.example', 'admin@dopa.example'])
      jars[email] = await login(h.app, email);
  });
  after(() => h.close());

  it('lists the pages of each role', () => {
    const hrefs = (roles: Parameters<typeof adminNav>[0]['roles']) => adminNav({ roles }).map((n) => n.href);
    const account = ['/staff/account/password', '/staff/account/totp'];
    // every staff member of an agency has the ethics courses and their own declarations
    const own = ['/staff/ethics', '/staff/declarations', ...account];
    assert.deepEqual(hrefs(['platform_admin']), [
      '/staff/admin/agencies',
      '/staff/admin/oversight',
      '/staff/admin/risk-oversight',
      '/staff/role-grants',
      ...account,
    ]);
    assert.deepEqual(hrefs(['agency_admin', 'auditor']), [
      '/staff/admin/users',
      '/staff/admin/units',
      '/staff/admin/settings',
      '/staff/admin/retention',
      '/staff/admin/escrow',
      '/staff/admin/declarations',
      '/staff/audit',
      '/staff/ita',
      '/staff/risk',
      '/staff/procurement',
      ...own,
    ]);
    // issue 16: the registers first (where a risk officer lands), then the red flags they read
    assert.deepEqual(hrefs(['risk_officer']), ['/staff/risk', '/staff/procurement', ...own]);
    assert.deepEqual(hrefs(['risk_reviewer']), ['/staff/risk', ...own]);
    assert.deepEqual(hrefs(['identity_custodian']), [
      '/staff/identity-requests',
      '/staff/escrow',
      '/staff/personal-data',
      '/staff/role-grants',
      ...own,
    ]);
    assert.deepEqual(hrefs(['investigator']), ['/staff/role-grants', ...own]);
    assert.deepEqual(hrefs(['ita_assessor']), ['/staff/ita', ...own]);
    assert.deepEqual(hrefs(['overseer']), ['/staff/oversight', ...account]);
    assert.deepEqual(hrefs(['declaration_reviewer']), ['/staff/declarations/review', ...own]);
    assert.deepEqual(hrefs(['ethics_officer']), [
      '/staff/ethics',
      '/staff/ethics/knowledge',
      '/staff/ethics/questions',
      '/staff/declarations',
      ...account,
    ]);
  });

  it('names roles by their label on the administration pages, never by their code', async () => {
    for (const [who, url] of [
      ['root@platform.example', '/staff/admin/risk-oversight'],
      ['root@platform.example', '/staff/admin/risk-oversight?lang=en'],
      ['admin@opdc.example', '/staff/admin/users'],
    ] as const) {
      const res = await get(h.app, jars[who], url);
      assert.equal(res.statusCode, 200, res.body);
      const text = res.body.replace(/<[^>]*>/g, ' ');
      const codes = STAFF_ROLES.filter((r) => r.includes('_') && new RegExp(`\\b${r}\\b`).test(text));
      assert.deepEqual(codes, [], `${url} shows role codes`);
    }
    await get(h.app, jars['root@platform.example'], '/staff/admin/risk-oversight?lang=th');
  });

  it('leads the brand link home, and shows the inbox in the menu only to those whose home it is', async () => {
    const inbox = `<li><a href="/staff/cases">${escapeHtml(t('console.inbox'))}</a></li>`;
    const admin = await get(h.app, jars['admin@opdc.example'], '/staff/admin/settings');
    assert.equal(admin.statusCode, 200);
    assert.match(admin.body, /class="brand" href="\/staff\/admin\/users"/, 'an agency administrator’s home');
    assert.ok(!admin.body.includes(inbox), 'no inbox for an agency administrator');
    const root = await get(h.app, jars['root@platform.example'], '/staff/admin/agencies');
    assert.match(root.body, /class="brand" href="\/staff\/admin\/agencies"/);
    const auditor = await get(h.app, jars['auditor@opdc.example'], '/staff/audit');
    assert.match(auditor.body, /class="brand" href="\/staff\/cases"/, 'an auditor oversees cases: the inbox is home');
    assert.ok(auditor.body.includes(inbox));
    const missing = await get(h.app, jars['admin@opdc.example'], '/staff/no-such-page');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /class="brand" href="\/staff\/admin\/users"/, 'the staff 404 page leads home too');
  });

  it('lets the platform administrator add an agency and invite its administrator, who sets up the account', async () => {
    const root = jars['root@platform.example'];
    const bad = await submit(h.app, root, '/staff/admin/agencies', '/staff/admin/agencies', {
      code: '!',
      nameTh: 'x',
      nameEn: 'x',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="code"[^>]*aria-invalid="true"/);
    const added = await submit(h.app, root, '/staff/admin/agencies', '/staff/admin/agencies', {
      code: 'nacc',
      nameTh: 'สำนักงาน ป.ป.ช.',
      nameEn: 'NACC',
    });
    assert.equal(added.statusCode, 303);
    const list = await get(h.app, root, '/staff/admin/agencies?done=agency');
    assert.ok(list.body.includes('สำนักงาน ป.ป.ช.'));
    assert.ok(list.body.includes(escapeHtml(t('admin.done.agency'))));

    const invite = await submit(h.app, root, '/staff/admin/agencies', '/staff/admin/agencies/invite', {
      agency: 'NACC',
      email: 'Head@NACC.example',
      displayName: 'Head',
    });
    // The answer is a page of its own after a redirect (a reload or the language switch keeps it).
    assert.equal(invite.statusCode, 303);
    assert.equal(invite.headers.location, '/staff/admin/invitation');
    const shown = await get(h.app, root, '/staff/admin/invitation');
    assert.match(shown.body, /hreflang="en"/);
    const token = /\/staff\/setup\/([A-Za-z0-9_-]+)/.exec(shown.body)![1];
    // Not another user's to read, even with the cookie.
    const other = jars['admin@opdc.example'];
    const stolen = await app_inject_with(h.app, other, '/staff/admin/invitation', root.get('sj_invitation')!);
    assert.equal(stolen.statusCode, 303);
    const user = await h.db
      .selectFrom('staff_user as u')
      .innerJoin('staff_role as r', 'r.user_id', 'u.id')
      .innerJoin('agency as a', 'a.id', 'u.agency_id')
      .select(['u.is_active', 'r.role', 'a.code'])
      .where('u.email', '=', 'head@nacc.example')
      .execute();
    assert.deepEqual(user, [{ is_active: false, role: 'agency_admin', code: 'NACC' }]);

    const jar = newJar();
    const setup = await get(h.app, jar, `/staff/setup/${token}`);
    assert.equal(setup.statusCode, 200);
    assert.ok(setup.body.includes('head@nacc.example'));
    const done = await postForm(h.app, jar, `/staff/setup/${token}`, {
      _csrf: csrfOf(setup.body),
      password: PASSWORD,
      password2: PASSWORD,
    });
    assert.equal(done.statusCode, 303);
    const page = await get(h.app, jar, '/staff/login');
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: 'head@nacc.example',
      password: PASSWORD,
    });
    assert.equal(res.headers.location, ENROL_PATH);

    // Not the platform administrator's business: an agency's staff pages.
    assert.equal((await get(h.app, root, '/staff/admin/users')).statusCode, 403);
    assert.equal((await get(h.app, jars['admin@opdc.example'], '/staff/admin/agencies')).statusCode, 403);
  });

  it('lets an agency administrator invite staff with agency roles, never platform_admin', async () => {
    const admin = jars['admin@opdc.example'];
    const refused = await submit(h.app, admin, '/staff/admin/users', '/staff/admin/users', {
      email: 'boss@opdc.example',
      roles: ['platform_admin'],
    });
    assert.equal(refused.statusCode, 400);
    assert.ok(refused.body.includes('value="boss@opdc.example"'));
    const none = await submit(h.app, admin, '/staff/admin/users', '/staff/admin/users', { email: 'boss@opdc.example' });
    assert.equal(none.statusCode, 400);
    assert.equal(
      await h.db.selectFrom('staff_user').select('id').where('email', '=', 'boss@opdc.example').executeTakeFirst(),
      undefined,
    );

    const ok = await submit(h.app, admin, '/staff/admin/users', '/staff/admin/users', {
      email: 'inv@opdc.example',
      displayName: 'สมศรี',
      roles: ['investigator', 'supervisor'],
    });
    assert.equal(ok.statusCode, 303);
    assert.match((await get(h.app, admin, String(ok.headers.location))).body, /\/staff\/setup\/[A-Za-z0-9_-]{32}/);
    const list = await get(h.app, admin, '/staff/admin/users');
    assert.ok(list.body.includes('inv@opdc.example'));
    assert.ok(!list.body.includes('officer@dopa.example'));
    assert.ok(list.body.includes(escapeHtml(t('admin.state.invited'))));
  });

  it('changes roles with an audit record of before and after, and refuses platform_admin', async () => {
    const admin = jars['admin@opdc.example'];
    const id = ids['officer@opdc.example'];
    const page = `/staff/admin/users/${id}`;
    const grant = await submit(h.app, admin, page, `${page}/roles`, { roles: ['platform_admin'] });
    assert.equal(grant.statusCode, 400);
    const changed = await submit(h.app, admin, page, `${page}/roles`, { roles: ['intake_officer', 'investigator'] });
    assert.equal(changed.statusCode, 303);
    // A role that reads cases is only asked for: a key holder of the agency confirms it (role-grants.ts).
    const roles = await h.db
      .selectFrom('staff_role')
      .select('role')
      .where('user_id', '=', id)
      .orderBy('role')
      .execute();
    assert.deepEqual(
      roles.map((r) => r.role),
      ['intake_officer'],
    );
    const asked = await h.db
      .selectFrom('role_grant')
      .select(['role', 'state', 'requested_by'])
      .where('user_id', '=', id)
      .execute();
    assert.deepEqual(asked, [{ role: 'investigator', state: 'pending', requested_by: ids['admin@opdc.example'] }]);
    const audit = await auditOf(h, 'roles_changed');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor_user_id, ids['admin@opdc.example']);
    assert.deepEqual(audit[0].detail, {
      user: id,
      before: ['intake_officer'],
      after: ['intake_officer'],
      requested: ['investigator'],
      keysDropped: 0,
    });

    // An administrator keeps their own administrator role.
    const self = `/staff/admin/users/${ids['admin@opdc.example']}`;
    const own = await submit(h.app, admin, self, `${self}/roles`, { roles: ['auditor'] });
    assert.equal(own.statusCode, 400);
  });

  it('never shows or changes another agency’s users (not found)', async () => {
    const admin = jars['admin@opdc.example'];
    const other = ids['officer@dopa.example'];
    assert.equal((await get(h.app, admin, `/staff/admin/users/${other}`)).statusCode, 404);
    assert.equal((await get(h.app, admin, `/staff/admin/users/${ids['root@platform.example']}`)).statusCode, 404);
    const own = `/staff/admin/users/${ids['officer@opdc.example']}`;
    assert.equal(
      (await submit(h.app, admin, own, `/staff/admin/users/${other}/roles`, { roles: ['auditor'] })).statusCode,
      404,
    );
    assert.equal(
      (await submit(h.app, admin, own, `/staff/admin/users/${other}/deactivate`, { confirm: 'yes' })).statusCode,
      404,
    );
    assert.equal((await submit(h.app, admin, own, `/staff/admin/users/${other}/link`, {})).statusCode, 404);
    const row = await h.db
      .selectFrom('staff_user')
      .select('is_active')
      .where('id', '=', other)
      .executeTakeFirstOrThrow();
    assert.equal(row.is_active, true);
    const roles = await h.db.selectFrom('staff_role').select('role').where('user_id', '=', other).execute();
    assert.deepEqual(roles, [{ role: 'intake_officer' }]);
  });

  it('deactivates a user: their session ends and they cannot log in', async () => {
    const EMAIL = 'officer@opdc.example';
    const victim = await login(h.app, EMAIL);
    assert.equal((await get(h.app, victim, '/staff/cases')).statusCode, 200);
    const admin = jars['admin@opdc.example'];
    const page = `/staff/admin/users/${ids[EMAIL]}`;
    const unconfirmed = await submit(h.app, admin, page, `${page}/deactivate`, {});
    assert.equal(unconfirmed.statusCode, 400);
    const done = await submit(h.app, admin, page, `${page}/deactivate`, { confirm: 'yes' });
    assert.equal(done.statusCode, 303);
    const after = await get(h.app, victim, '/staff/cases');
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/staff/login');
    const jar = newJar();
    const form = await get(h.app, jar, '/staff/login');
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(form.body),
      email: EMAIL,
      password: PASSWORD,
      code: loginCode(EMAIL),
    });
    assert.equal(res.statusCode, 401);
    const audit = await auditOf(h, 'user_deactivated');
    assert.deepEqual(
      audit.map((a) => [a.actor_user_id, a.detail.user]),
      [[ids['admin@opdc.example'], ids[EMAIL]]],
    );
    assert.equal(
      (await h.db.selectFrom('staff_session').select('user_id').where('user_id', '=', ids[EMAIL]).execute()).length,
      0,
    );
  });

  it('saves the deadline policy and the disclosure notice, audited; refuses a bad value', async () => {
    const admin = jars['admin@opdc.example'];
    const form = await get(h.app, admin, '/staff/admin/settings');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="notifyReporterOfDisclosure" [^>]*checked/);
    const bad = await submit(h.app, admin, '/staff/admin/settings', '/staff/admin/settings', {
      ackDays: '7',
      replyDays: '15',
      feedbackMonths: '3',
      'bribery.ackDays': '0',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="bribery\.ackDays"[^>]*aria-invalid="true"/);
    const saved = await submit(h.app, admin, '/staff/admin/settings', '/staff/admin/settings', {
      ackDays: '๕', // Thai digits, as a Thai keyboard types them: read as 5
      replyDays: '15',
      feedbackMonths: '3',
      'bribery.ackDays': '2',
      'bribery.replyDays': '',
      pauseWhileWaiting: 'on',
    });
    assert.equal(saved.statusCode, 303);
    const agency = await h.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.deepEqual(agency.settings, {
      deadlines: { ackDays: 5, replyDays: 15, feedbackMonths: 3, pauseWhileWaiting: true },
      categoryDeadlines: { bribery: { ackDays: 2 } },
      notifyReporterOfDisclosure: false,
    });
    assert.equal((await auditOf(h, 'deadlines_changed')).length, 1);
    assert.deepEqual(
      (await auditOf(h, 'agency_settings_changed')).filter((a) => a.detail.notifyReporterOfDisclosure === false).length,
      1,
    );
    const other = await h.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'DOPA')
      .executeTakeFirstOrThrow();
    assert.deepEqual(other.settings, {});
    // Staff without the role get no settings page.
    assert.equal((await get(h.app, jars['auditor@opdc.example'], '/staff/admin/settings')).statusCode, 403);
  });

  it('sets deadlines for complaint and late-permit categories too, which filing then uses', async () => {
    const admin = jars['admin@opdc.example'];
    const form = await get(h.app, admin, '/staff/admin/settings');
    for (const cat of ['service_delay', 'fees', 'late_permit'])
      assert.match(form.body, new RegExp(`id="${cat}\\.ackDays"`));
    const bad = await submit(h.app, admin, '/staff/admin/settings', '/staff/admin/settings', {
      ackDays: '5',
      replyDays: '15',
      feedbackMonths: '3',
      'service_delay.replyDays': '400',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="error-summary"[\s\S]*href="#service_delay\.replyDays"/);
    assert.match(bad.body, /id="service_delay\.replyDays"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /id="service_delay\.replyDays"[^>]*value="400"/, 'what was typed comes back');
    const saved = await submit(h.app, admin, '/staff/admin/settings', '/staff/admin/settings', {
      ackDays: '๕', // Thai digits, as a Thai keyboard types them: read as 5
      replyDays: '15',
      feedbackMonths: '3',
      'service_delay.replyDays': '10',
      'late_permit.ackDays': '3',
    });
    assert.equal(saved.statusCode, 303);
    const agency = await h.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.deepEqual(agency.settings.categoryDeadlines, {
      service_delay: { replyDays: 10 },
      late_permit: { ackDays: 3 },
    });
    await seedStaff(h.db, 'OPDC', 'io-deadlines@opdc.example', ['intake_officer']); // the first one was deactivated
    const complaint = await submitReport({
      db: h.db,
      kdf: CHEAP_KDF,
      receiptSalt: randomBytes(16),
      draft: newDraft(),
      input: { ...validateReport({ agency: 'OPDC', category: 'bribery', what: 'ล่าช้า' }), category: 'service_delay' },
      files: [],
      channel: 'web',
    });
    const c = await h.db
      .selectFrom('report_case')
      .select(['created_at', 'reply_due_at'])
      .where('id', '=', complaint.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(
      (c.reply_due_at!.getTime() - c.created_at.getTime()) / 86_400_000,
      10,
      'the complaint’s own reply deadline',
    );
  });

  it('shows an auditor only their agency’s audit trail, and records the viewing', async () => {
    const salt = randomBytes(16);
    await seedStaff(h.db, 'OPDC', 'io2@opdc.example', ['intake_officer']);
    const file = (agency: string) =>
      submitReport({
        db: h.db,
        kdf: CHEAP_KDF,
        receiptSalt: salt,
        draft: newDraft(),
        input: validateReport({ agency, category: 'bribery', what: 'เรื่องลับ' }),
        files: [],
        channel: 'web',
      });
    const mine = await file('OPDC');
    const theirs = await file('DOPA');
    await recordAudit(h.db, {
      actorUserId: null,
      action: 'case_metadata_viewed',
      caseId: mine.caseId,
      caseReference: mine.reference,
    });
    await recordAudit(h.db, {
      actorUserId: null,
      action: 'case_metadata_viewed',
      caseId: theirs.caseId,
      caseReference: theirs.reference,
    });
    // An event of the other agency's administrator, on no case.
    const dopa = jars['admin@dopa.example'];
    const page = `/staff/admin/users/${ids['officer@dopa.example']}`;
    assert.equal(
      (await submit(h.app, dopa, page, `${page}/roles`, { roles: ['intake_officer', 'auditor'] })).statusCode,
      303,
    );

    const auditor = jars['auditor@opdc.example'];
    const res = await get(h.app, auditor, '/staff/audit');
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes(mine.reference));
    assert.ok(!res.body.includes(theirs.reference));
    assert.ok(res.body.includes('admin@opdc.example'));
    assert.ok(!res.body.includes('admin@dopa.example'));
    assert.ok(res.body.includes(t('audit.action.roles_changed')), 'each kind of event by its name');
    assert.ok(!res.body.includes('เรื่องลับ'));
    const viewed = await auditOf(h, 'audit_viewed');
    assert.equal(viewed.at(-1)!.actor_user_id, ids['auditor@opdc.example']);
    // Other roles, including the agency administrator, do not read the audit trail.
    assert.equal((await get(h.app, jars['admin@opdc.example'], '/staff/audit')).statusCode, 403);

    // Details read as labelled fields (people by email, roles by name), never as JSON.
    assert.doesNotMatch(res.body, /\{&quot;|\{"/, 'no raw JSON');
    assert.ok(res.body.includes(`<dt>${t('audit.field.requested')}</dt><dd>${t('admin.role.investigator')}</dd>`));
    assert.ok(res.body.includes(`<dt>${t('audit.field.user')}</dt><dd>officer@opdc.example</dd>`));

    // Filters: the kind of event, the person (who acted, or whose account was acted on), days in B.E.
    const only = async (q: string) => (await get(h.app, auditor, `/staff/audit?${q}`)).body;
    const kinds = (html: string) =>
      [...html.matchAll(/<p class="audit-head"><strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
    const roleChanges = kinds(await only('action=roles_changed'));
    assert.ok(roleChanges.length >= 1);
    assert.deepEqual(new Set(roleChanges), new Set([t('audit.action.roles_changed')]));
    const officer = await only(`person=${ids['officer@opdc.example']}&action=roles_changed`);
    assert.ok(kinds(officer).length >= 1, 'the roles the officer was given, by someone else');
    assert.equal(kinds(await only(`person=${ids['auditor@opdc.example']}&action=roles_changed`)).length, 0);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(new Date());
    const [y, m, d] = today.split('-').map(Number);
    const todayBE = `${d}/${m}/${y + 543}`;
    assert.ok(kinds(await only(`from=${encodeURIComponent(todayBE)}&to=${encodeURIComponent(todayBE)}`)).length > 0);
    const tomorrowBE = `${d}/${m}/${y + 544}`; // a year ahead: nothing yet
    assert.equal(kinds(await only(`from=${encodeURIComponent(tomorrowBE)}`)).length, 0);
    assert.ok((await only(`action=roles_changed&page=1`)).includes('value="roles_changed" selected'));
    const bad = await get(h.app, auditor, `/staff/audit?from=31%2F02%2F2569&to=1%2F1%2F2500&action=nope`);
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.body,
      /id="error-summary"[\s\S]*href="#from"[\s\S]*href="#action"|id="error-summary"[\s\S]*href="#action"[\s\S]*href="#from"/,
    );
    assert.match(bad.body, /id="from"[^>]*aria-invalid="true" aria-describedby="from-hint from-error"/);
    assert.match(bad.body, /value="31\/02\/2569"/, 'what was typed comes back');
    const backwards = await get(h.app, auditor, `/staff/audit?from=2%2F1%2F2569&to=1%2F1%2F2569`);
    assert.equal(backwards.statusCode, 400);
    assert.ok(backwards.body.includes(escapeHtml(t('audit.filter.error.range'))));
    const filtered = (await auditOf(h, 'audit_viewed')).filter((a) => a.detail.action === 'roles_changed');
    assert.ok(filtered.length >= 1, 'a filtered reading is audited with its filter');

    const chain = await submit(h.app, auditor, '/staff/audit', '/staff/audit/verify', {});
    assert.equal(chain.statusCode, 200);
    assert.ok(chain.body.includes(escapeHtml(t('audit.chain.intact', { rows: 0, anchors: 0, inLog: 0 }).slice(0, 20))));
  });

  it('refuses the new pages and filters to forgers, the wrong role, another agency and oversized input', async () => {
    const admin = jars['admin@opdc.example'];
    const auditor = jars['auditor@opdc.example'];
    // A forged token saves nothing; the form comes back refused.
    const before = await h.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    const forged = await app_post(h.app, admin, '/staff/admin/settings', {
      _csrf: 'forged',
      ackDays: '1',
      'fees.ackDays': '1',
    });
    assert.equal(forged.statusCode, 403);
    const after = await h.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.deepEqual(after.settings, before.settings);
    // The invitation's page and the audit trail are for their roles only.
    assert.equal((await get(h.app, auditor, '/staff/admin/invitation')).statusCode, 403);
    assert.equal((await get(h.app, admin, '/staff/audit?action=roles_changed')).statusCode, 403);
    // Another agency's person: the filter finds nothing of theirs (the trail stays the agency's).
    const theirs = await get(h.app, auditor, `/staff/audit?person=${ids['officer@dopa.example']}`);
    assert.equal(theirs.statusCode, 200);
    assert.ok(!theirs.body.includes('admin@dopa.example'));
    // Oversized or hostile filters: a 400 page with the fields marked, never a 500.
    for (const q of [`from=${'9'.repeat(5000)}`, `person=${'1'.repeat(40)}`, 'action=%3Cscript%3E', 'page=-5&to=x']) {
      const res = await get(h.app, auditor, `/staff/audit?${q}`);
      assert.ok([200, 400].includes(res.statusCode), `${q.slice(0, 30)}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /<script>/);
    }
  });
});
