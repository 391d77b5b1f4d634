// Issue 12, items 2 and 3: an agency administrator could give their own account the roles that
// read cases (and keep the keys after taking the roles away), and, seeing every invitation's and
// every restore's link, could make a custodian of their own, approve their own restore request with
// it and become the member. Now: administrators and key holders are separate accounts, no account
// gives itself a role, a key role takes effect only when another key holder confirms it, a lost
// role takes its keys with it, and invitation and restore links go by mail to their owner only
// (a real SMTP server here), who is told of every restore.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedStaff,
  signedInActor,
  type TestApp,
} from '../support/app.ts';
import { startSmtp } from '../support/smtp.ts';
import { csrfOf, get, keepCookies, newJar, postForm, postMultipart, type Jar } from '../support/web.ts';
import { completeSetup } from '../../src/staff/add-user.ts';
import { enableEscrow } from '../../src/staff/escrow.ts';
import { pendingRoleGrants } from '../../src/staff/role-grants.ts';

async function login(app: FastifyInstance, email: string): Promise<Jar> {
  const jar = newJar();
  const page = await get(app, jar, '/staff/login');
  const res = await postForm(app, jar, '/staff/login', {
    _csrf: csrfOf(page.body),
    email,
    password: PASSWORD,
    code: loginCode(email),
  });
  assert.equal(res.statusCode, 303, `login of ${email}`);
  return jar;
}

/** GET a page, then POST one of its forms with repeated fields allowed. */
async function submit(app: FastifyInstance, jar: Jar, pageUrl: string, action: string, fields: [string, string][]) {
  const page = await get(app, jar, pageUrl);
  const body = new URLSearchParams([['_csrf', csrfOf(page.body)], ...fields]);
  const res = await app.inject({
    method: 'POST',
    url: action,
    headers: {
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: body.toString(),
  });
  keepCookies(jar, res); // as a browser keeps what the answer sets (a one-time result page's cookie)
  return res;
}

const linkIn = (text: string) => /\/staff\/setup\/([A-Za-z0-9_-]{32})/.exec(text)?.[1] ?? null;

describe('separation of duties and links that reach their owner', () => {
  let h: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const jars: Record<string, Jar> = {};
  const id = async (email: string) =>
    (await h.db.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const rolesOf = async (email: string) =>
    (
      await h.db
        .selectFrom('staff_role')
        .select('role')
        .where('user_id', '=', await id(email))
        .orderBy('role')
        .execute()
    ).map((r) => r.role);
  const mailTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

  before(async () => {
    smtp = await startSmtp();
    h = await createTestApp({ SUJARIT_SMTP_URL: smtp.url });
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'NEW');
    await seedStaff(h.db, null, 'root@platform.example', ['platform_admin']);
    await seedStaff(h.db, 'OPDC', 'admin@opdc.example', ['agency_admin']);
    await seedStaff(h.db, 'OPDC', 'io@opdc.example', ['intake_officer']);
    await seedStaff(h.db, 'OPDC', 'keeper@opdc.example', ['identity_custodian']);
    await seedStaff(h.db, 'NEW', 'admin@new.example', ['agency_admin']);
    for (const email of [
      'root@platform.example',
      'admin@opdc.example',
      'io@opdc.example',
      'keeper@opdc.example',
      'admin@new.example',
    ])
      jars[email] = await login(h.app, email);
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
  });

  it('refuses an administrator account that reads cases, and any role given to oneself', async () => {
    const admin = jars['admin@opdc.example'];
    const self = `/staff/admin/users/${await id('admin@opdc.example')}`;
    for (const roles of [
      ['agency_admin', 'intake_officer'],
      ['agency_admin', 'identity_custodian'],
      ['agency_admin', 'auditor'],
    ]) {
      const res = await submit(
        h.app,
        admin,
        self,
        `${self}/roles`,
        roles.map((r) => ['roles', r]),
      );
      assert.ok([400, 403].includes(res.statusCode), `${roles.join()}: ${res.statusCode}`);
    }
    assert.deepEqual(await rolesOf('admin@opdc.example'), ['agency_admin']);
    const both = await submit(h.app, admin, '/staff/admin/users', '/staff/admin/users', [
      ['email', 'both@opdc.example'],
      ['roles', 'agency_admin'],
      ['roles', 'supervisor'],
    ]);
    assert.equal(both.statusCode, 400);
    assert.match(both.body, /ในบัญชีเดียวกันไม่ได้/);
  });

  it('mails the invitation to its owner, shows it to nobody, and leaves key roles waiting for a key holder', async () => {
    const res = await submit(h.app, jars['admin@opdc.example'], '/staff/admin/users', '/staff/admin/users', [
      ['email', 'sock@opdc.example'],
      ['roles', 'intake_officer'],
      ['roles', 'identity_custodian'],
    ]);
    assert.equal(res.statusCode, 303, res.body);
    const shown = await get(h.app, jars['admin@opdc.example'], String(res.headers.location));
    assert.equal(shown.statusCode, 200);
    assert.equal(linkIn(shown.body), null, 'the administrator never sees the link');
    const [mail] = mailTo('sock@opdc.example');
    const token = linkIn(mail.text);
    assert.ok(token, 'the owner has it by mail');
    assert.deepEqual(await rolesOf('sock@opdc.example'), [], 'nothing in effect');
    await completeSetup({ db: h.db, kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 }, token, password: PASSWORD });

    // Nothing is sealed to a requested intake officer; the administrator cannot confirm.
    const reporter = newJar();
    const form = await get(h.app, reporter, '/report');
    const filed = await postMultipart(h.app, reporter, '/report', {
      _csrf: csrfOf(form.body),
      agency: 'OPDC',
      category: 'bribery',
      what: 'ส่วยรายเดือน',
    });
    assert.equal(filed.statusCode, 200, filed.body);
    assert.equal(
      await h.db
        .selectFrom('case_key')
        .select('user_id')
        .where('user_id', '=', await id('sock@opdc.example'))
        .executeTakeFirst(),
      undefined,
    );
    assert.deepEqual(await pendingRoleGrants({ db: h.db, actor: await signedInActor(h.db, 'admin@opdc.example') }), []);
    assert.deepEqual(
      await pendingRoleGrants({ db: h.db, actor: await signedInActor(h.db, 'root@platform.example') }),
      [],
      'the platform administrator confirms only where an agency has no key holder',
    );

    // An existing key holder confirms one role after checking with the person, and refuses the other.
    const io = jars['io@opdc.example'];
    const page = await get(h.app, io, '/staff/role-grants');
    assert.equal(page.statusCode, 200);
    const grants = [...page.body.matchAll(/action="\/staff\/role-grants\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(grants.length, 2);
    const rows = await h.db.selectFrom('role_grant').select(['id', 'role']).where('id', 'in', grants).execute();
    const idOf = (role: string) => rows.find((r) => r.role === role)!.id;
    assert.equal(
      (
        await submit(h.app, io, '/staff/role-grants', `/staff/role-grants/${idOf('intake_officer')}`, [
          ['decision', 'confirm'],
        ])
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await submit(h.app, io, '/staff/role-grants', `/staff/role-grants/${idOf('identity_custodian')}`, [
          ['decision', 'refuse'],
        ])
      ).statusCode,
      303,
    );
    assert.deepEqual(await rolesOf('sock@opdc.example'), ['intake_officer']);
    const decided = await h.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'role_grant_decided')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      decided.map((d) => [d.actor_user_id, d.detail.role, d.detail.approved]),
      [
        [await id('io@opdc.example'), 'intake_officer', true],
        [await id('io@opdc.example'), 'identity_custodian', false],
      ],
    );
    // A decided request cannot be decided again: the answer says it was decided (409), not "not found".
    assert.equal(
      (
        await submit(h.app, io, '/staff/role-grants', `/staff/role-grants/${idOf('identity_custodian')}`, [
          ['decision', 'confirm'],
        ])
      ).statusCode,
      409,
    );
  });

  it('lets the platform administrator confirm only the first key holders of an agency that has none', async () => {
    const res = await submit(h.app, jars['admin@new.example'], '/staff/admin/users', '/staff/admin/users', [
      ['email', 'first@new.example'],
      ['roles', 'intake_officer'],
    ]);
    assert.equal(res.statusCode, 303);
    await completeSetup({
      db: h.db,
      kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 },
      token: linkIn(mailTo('first@new.example')[0].text)!,
      password: PASSWORD,
    });
    assert.deepEqual(
      await pendingRoleGrants({ db: h.db, actor: await signedInActor(h.db, 'io@opdc.example') }),
      [],
      'another agency’s key holder sees nothing',
    );
    const page = await get(h.app, jars['root@platform.example'], '/staff/role-grants');
    const grant = /action="\/staff\/role-grants\/([0-9a-f-]{36})"/.exec(page.body)![1];
    assert.equal(
      (
        await submit(h.app, jars['root@platform.example'], '/staff/role-grants', `/staff/role-grants/${grant}`, [
          ['decision', 'confirm'],
        ])
      ).statusCode,
      303,
    );
    assert.deepEqual(await rolesOf('first@new.example'), ['intake_officer']);
  });

  it('drops the keys a role brought when the role or the person goes', async () => {
    const reporter = newJar();
    const form = await get(h.app, reporter, '/report');
    assert.equal(
      (
        await postMultipart(h.app, reporter, '/report', {
          _csrf: csrfOf(form.body),
          agency: 'OPDC',
          category: 'bribery',
          what: 'เรื่องที่สอง',
        })
      ).statusCode,
      200,
    );
    const before = await h.db
      .selectFrom('case_key')
      .select('case_id')
      .where('user_id', '=', await id('io@opdc.example'))
      .execute();
    assert.ok(before.length > 0);
    const user = `/staff/admin/users/${await id('io@opdc.example')}`;
    assert.equal(
      (await submit(h.app, jars['admin@opdc.example'], user, `${user}/roles`, [['roles', 'auditor']])).statusCode,
      303,
    );
    assert.equal(
      (
        await h.db
          .selectFrom('case_key')
          .select('case_id')
          .where('user_id', '=', await id('io@opdc.example'))
          .execute()
      ).length,
      0,
    );
    // Given back, the role waits for confirmation again and brings no old keys.
    assert.equal(
      (
        await submit(h.app, jars['admin@opdc.example'], user, `${user}/roles`, [
          ['roles', 'auditor'],
          ['roles', 'intake_officer'],
        ])
      ).statusCode,
      303,
    );
    assert.deepEqual(await rolesOf('io@opdc.example'), ['auditor']);
    const sock = `/staff/admin/users/${await id('sock@opdc.example')}`;
    assert.ok(
      (
        await h.db
          .selectFrom('case_key')
          .select('case_id')
          .where('user_id', '=', await id('sock@opdc.example'))
          .execute()
      ).length > 0,
      'the confirmed intake officer holds the tip filed after confirmation',
    );
    assert.equal(
      (await submit(h.app, jars['admin@opdc.example'], sock, `${sock}/deactivate`, [['confirm', 'yes']])).statusCode,
      303,
    );
    assert.equal(
      (
        await h.db
          .selectFrom('case_key')
          .select('case_id')
          .where('user_id', '=', await id('sock@opdc.example'))
          .execute()
      ).length,
      0,
    );
    assert.deepEqual(await rolesOf('sock@opdc.example'), []);
  });

  it('sends a restore link to the member alone, tells them of the request, and shows it to neither custodian nor administrator', async () => {
    await seedStaff(h.db, 'OPDC', 'member@opdc.example', ['investigator']);
    await signedInActor(h.db, 'member@opdc.example'); // escrowed at a login after escrow is on
    await enableEscrow({ db: h.db, actor: await signedInActor(h.db, 'admin@opdc.example') });
    await signedInActor(h.db, 'member@opdc.example');
    const admin = jars['admin@opdc.example'];
    const asked = await submit(h.app, admin, '/staff/admin/escrow', '/staff/admin/escrow/restore', [
      ['userId', String(await id('member@opdc.example'))],
    ]);
    assert.equal(asked.statusCode, 303, asked.body);
    const askedPage = await get(h.app, admin, String(asked.headers.location));
    assert.equal(askedPage.statusCode, 200);
    assert.match(mailTo('member@opdc.example')[0].text, /admin@opdc\.example/, 'the member is told who asked');
    const keeper = jars['keeper@opdc.example'];
    const page = await get(h.app, keeper, '/staff/escrow');
    const request = /action="\/staff\/escrow\/([0-9a-f-]{36})"/.exec(page.body)![1];
    const approved = await submit(h.app, keeper, '/staff/escrow', `/staff/escrow/${request}`, [
      ['decision', 'approve'],
    ]);
    assert.equal(approved.statusCode, 303);
    const approvedPage = await get(h.app, keeper, String(approved.headers.location));
    assert.equal(approvedPage.statusCode, 200);
    assert.equal(linkIn(approvedPage.body), null, 'the custodian never sees the link');
    assert.equal(linkIn(askedPage.body), null);
    const token = linkIn(mailTo('member@opdc.example')[1].text);
    assert.ok(token, 'the member has it by mail');
    const setup = await get(h.app, newJar(), `/staff/setup/${token}`);
    assert.equal(setup.statusCode, 200);
  });
});
