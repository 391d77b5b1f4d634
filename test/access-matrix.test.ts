// Need-to-know, as a table: every role against every endpoint that touches a case's content, and
// the exports. Only the people a case is sealed to read it; the owning agency's supervisors,
// auditors and intake officers may see its metadata; everyone else gets the same 404 as for a case
// that does not exist, audited as `case_access_denied`. No secret of the case ever reaches a
// response of someone it is not sealed to, in any encoding, and search and exports never carry it.
// Adding an endpoint is one line of ENDPOINTS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { StaffRole } from '../src/db/schema.ts';
import { scanner } from './support/leak-scan.ts';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from './support/app.ts';
import { cookieHeader, csrfOf, get, newJar, postForm, postMultipart, receiptOf, type Jar } from './support/web.ts';

/** How the case stands to a person: sealed to them, its metadata with a supervisor's powers, its metadata only, or nothing. */
type Kind = 'team' | 'supervisor' | 'meta' | 'none';
type Person = {
  key: string;
  agency: string | null;
  roles: StaffRole[];
  kind: Kind;
  id: number;
  email: string;
  jar: Jar;
  csrf: string;
  token: string;
};

// `asked`: key roles an administrator gave them that no key holder confirmed (issue 12: an
// administrator's sock account). `rolesAfterFiling`: the roles an administrator left them with
// after the filing (their keys must go with the role).
const PEOPLE: readonly {
  key: string;
  agency: string | null;
  roles: StaffRole[];
  kind: Kind;
  isAddedAfterFiling?: boolean;
  asked?: StaffRole[];
  rolesAfterFiling?: StaffRole[];
}[] = [
  { key: 'intake', agency: 'OPDC', roles: ['intake_officer'], kind: 'team' },
  { key: 'investigator', agency: 'OPDC', roles: ['investigator'], kind: 'team' }, // assigned
  { key: 'supervisor', agency: 'OPDC', roles: ['supervisor'], kind: 'supervisor' },
  { key: 'auditor', agency: 'OPDC', roles: ['auditor'], kind: 'meta' },
  // Joined after the report was filed: the report is not sealed to them, they see its metadata.
  { key: 'late-intake', agency: 'OPDC', roles: ['intake_officer'], kind: 'meta', isAddedAfterFiling: true },
  { key: 'custodian', agency: 'OPDC', roles: ['identity_custodian'], kind: 'none' }, // holds the identity key only
  { key: 'agency-admin', agency: 'OPDC', roles: ['agency_admin'], kind: 'none' },
  { key: 'platform-admin', agency: null, roles: ['platform_admin'], kind: 'none' },
  { key: 'other-investigator', agency: 'OPDC', roles: ['investigator'], kind: 'none' }, // not assigned
  { key: 'other-agency-intake', agency: 'NACC', roles: ['intake_officer'], kind: 'none' },
  // Counts the agency's cases for its risk register (issue 16): metadata only, never a case.
  { key: 'risk-officer', agency: 'OPDC', roles: ['risk_officer'], kind: 'none' },
  {
    key: 'sock',
    agency: 'OPDC',
    roles: ['ita_assessor'],
    kind: 'none',
    asked: ['intake_officer', 'investigator', 'supervisor', 'identity_custodian'],
  },
  {
    key: 'removed-intake',
    agency: 'OPDC',
    roles: ['intake_officer'],
    kind: 'none',
    rolesAfterFiling: ['ita_assessor'],
  },
];

// Each secret is whole text of the case; the search word is a part of REPORT_WHAT only (a search
// page shows back what was typed, never the rest).
const SEARCH_WORD = 'xylophonegate';
const REPORT_WHAT = `${SEARCH_WORD} ผู้อำนวยการกองพัสดุรับเงินใต้โต๊ะห้าแสนบาทจากผู้รับเหมา`;
const REPORT_WHO = 'นายลับมาก ซ่อนเร้นยิ่ง รองผู้อำนวยการ';
const IDENTITY_NAME = 'นางสาวผู้แจ้ง ปกปิดตัวตน';
const IDENTITY_CONTACT = 'reporter.hidden@example.net';
const NOTE = 'บันทึกภายในเฉพาะทีม quartzite-ลับ';
const FILE_TEXT = 'เอกสารแนบลับของผู้แจ้ง obsidian';
const STATEMENT = 'คำให้การของพยานลับ basalt-ลับ';
const WITNESS_FILE_TEXT = 'ไฟล์ของพยานลับ granite';
const UNENROLLED = 'unenrolled@opdc.example';
const CONTENT = [REPORT_WHAT, REPORT_WHO, NOTE, FILE_TEXT, STATEMENT, WITNESS_FILE_TEXT];
const IDENTITY = [IDENTITY_NAME, IDENTITY_CONTACT];

type Expect = Record<Kind, number>;
type Endpoint = {
  name: string;
  /** A request about the case: a refusal must be a 404 audited as case_access_denied. */
  isCaseEndpoint: boolean;
  expect: Expect;
  /** Where one person differs from their kind (by PEOPLE key). */
  except?: Record<string, number>;
  /** A known deviation in src/: the row runs and reports, without failing the suite. */
  /** What the case's team must find in the response (so that a refusal of the others means something). */
  teamSees?: () => string;
  /** What a supervisor or auditor of the owning agency must find (their metadata view works). */
  metaSees?: () => string;
  /** Metadata by design (exports, lists): no content for anyone, the team included. */
  isMetadataOnly?: boolean;
  send: (p: Person) => Promise<LightMyRequestResponse>;
};

describe('access matrix: every role against every content endpoint and export', () => {
  let h: TestApp;
  const people = new Map<string, Person>();
  let reference = '';
  let caseId = '';
  let fileId = '';
  let witnessId = '';
  let witnessFileId = '';
  const contentScan = scanner(CONTENT.map((value, i) => ({ label: `content#${i}`, value })));
  const identityScan = scanner(IDENTITY.map((value, i) => ({ label: `identity#${i}`, value })));

  const webLogin = async (
    email: string,
    code: string,
  ): Promise<{ jar: Jar; csrf: string; res: LightMyRequestResponse }> => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    const csrf = csrfOf(page.body);
    const res = await postForm(h.app, jar, '/staff/login', { _csrf: csrf, email, password: PASSWORD, code });
    return { jar, csrf, res };
  };
  const apiLogin = async (email: string): Promise<string> => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/staff/session',
      payload: { email, password: PASSWORD, code: loginCode(email) },
    });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { token: string }).token;
  };
  const api = (token: string, url: string) =>
    h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const who = (key: string) => people.get(key)!;
  const casePath = () => `/staff/cases/${encodeURIComponent(reference)}`;

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'NACC');
    const addPeople = async (isAfterFiling: boolean) => {
      for (const p of PEOPLE.filter((x) => (x.isAddedAfterFiling ?? false) === isAfterFiling)) {
        const email = `${p.key}@${(p.agency ?? 'platform').toLowerCase()}.example`;
        const { id } = await seedStaff(h.db, p.agency, email, p.roles, { displayName: `Staff ${p.key}` });
        const { jar, csrf, res } = await webLogin(email, loginCode(email));
        assert.equal(res.statusCode, 303, res.body);
        // A recovery code (loginCode) leads to how many are left; the person's home is next.
        assert.equal(res.headers.location, '/staff/account/recovery?used=1');
        people.set(p.key, { ...p, id, email, jar, csrf, token: await apiLogin(email) });
      }
    };
    await addPeople(false);

    // The review's attack: the agency administrator gives their own account every role that reads
    // cases (refused), then gives them to another account they control (only requested: no key
    // holder confirmed them, so nothing is sealed to it and nothing can be assigned to it).
    const admin = who('agency-admin');
    const setRoles = (target: number, roles: readonly string[]) =>
      h.app.inject({
        method: 'POST',
        url: `/staff/admin/users/${target}/roles`,
        headers: { cookie: cookieHeader(admin.jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams([
          ['_csrf', admin.csrf],
          ...roles.map((r): [string, string] => ['roles', r]),
        ]).toString(),
      });
    for (const roles of [
      ['agency_admin', 'intake_officer'],
      ['agency_admin', 'identity_custodian', 'supervisor', 'investigator'],
    ]) {
      const res = await setRoles(admin.id, roles);
      assert.ok([400, 403].includes(res.statusCode), `self-granted ${roles.join()}: ${res.statusCode}`);
    }
    assert.deepEqual(
      (await h.db.selectFrom('staff_role').select('role').where('user_id', '=', admin.id).execute()).map((r) => r.role),
      ['agency_admin'],
    );
    for (const p of PEOPLE.filter((x) => x.asked)) {
      assert.equal((await setRoles(who(p.key).id, [...p.roles, ...p.asked!])).statusCode, 303);
      assert.deepEqual(
        (
          await h.db
            .selectFrom('role_grant')
            .select('role')
            .where('user_id', '=', who(p.key).id)
            .where('state', '=', 'pending')
            .orderBy('role')
            .execute()
        ).map((r) => r.role),
        [...p.asked!].sort(),
      );
    }

    // Someone who never enrolled a second factor: the report is sealed to them like to any intake officer.
    await seedStaff(h.db, 'OPDC', UNENROLLED, ['intake_officer'], { enrol: false });

    // A reporter files to OPDC with an identity and a file.
    const reporter = newJar();
    const form = await get(h.app, reporter, '/report');
    const filed = await postMultipart(
      h.app,
      reporter,
      '/report',
      {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        category: 'procurement_fraud',
        what: REPORT_WHAT,
        who: REPORT_WHO,
        identityName: IDENTITY_NAME,
        identityContact: IDENTITY_CONTACT,
      },
      [{ name: 'evidence.txt', type: 'text/plain', data: Buffer.from(FILE_TEXT) }],
    );
    assert.equal(filed.statusCode, 200, filed.body);
    receiptOf(filed.body);
    reference = /\b(OPDC-\d{4}-\d{6})\b/.exec(filed.body)![1];
    const row = await h.db
      .selectFrom('report_case')
      .select(['id', 'has_identity'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    caseId = row.id;
    assert.equal(row.has_identity, true);
    await addPeople(true);
    for (const p of PEOPLE.filter((x) => x.rolesAfterFiling)) {
      assert.ok(
        await h.db.selectFrom('case_key').select('user_id').where('user_id', '=', who(p.key).id).executeTakeFirst(),
        'sealed to them at filing',
      );
      assert.equal((await setRoles(who(p.key).id, p.rolesAfterFiling!)).statusCode, 303);
      assert.equal(
        await h.db.selectFrom('case_key').select('user_id').where('user_id', '=', who(p.key).id).executeTakeFirst(),
        undefined,
        'the keys went with the role',
      );
      people.set(p.key, { ...who(p.key), roles: p.rolesAfterFiling! });
    }
    fileId = (
      await h.db
        .selectFrom('attachment')
        .select('id')
        .where('case_id', '=', caseId)
        .where('uploaded_by', '=', 'reporter')
        .executeTakeFirstOrThrow()
    ).id;

    // The supervisor assigns the investigator; the intake officer's inbox hands the key over.
    const sup = who('supervisor');
    const assigned = await postForm(h.app, sup.jar, `${casePath()}/assign`, {
      _csrf: sup.csrf,
      userId: String(who('investigator').id),
    });
    assert.equal(assigned.statusCode, 303, assigned.body);
    const io = who('intake');
    assert.equal((await get(h.app, io.jar, '/staff/cases')).statusCode, 200);
    const inv = who('investigator');
    assert.match(
      (await get(h.app, inv.jar, casePath())).body,
      new RegExp(SEARCH_WORD),
      'the assigned investigator reads the case',
    );

    // An internal note, and a witness statement with a file.
    assert.equal(
      (await postForm(h.app, io.jar, `${casePath()}/notes`, { _csrf: io.csrf, note: NOTE })).statusCode,
      303,
    );
    const invited = await postForm(h.app, io.jar, `${casePath()}/witnesses`, { _csrf: io.csrf, label: 'พยานคนที่หนึ่ง' });
    assert.equal(invited.statusCode, 200, invited.body);
    const token = /\/witness\/([A-Za-z0-9_-]{32})/.exec(invited.body)![1];
    const witness = newJar();
    const wform = await get(h.app, witness, `/witness/${token}`);
    const given = await postMultipart(
      h.app,
      witness,
      `/witness/${token}`,
      { _csrf: csrfOf(wform.body), statement: STATEMENT },
      [{ name: 'witness.txt', type: 'text/plain', data: Buffer.from(WITNESS_FILE_TEXT) }],
    );
    assert.equal(given.statusCode, 200, given.body);
    witnessId = (
      await h.db.selectFrom('case_witness').select('id').where('case_id', '=', caseId).executeTakeFirstOrThrow()
    ).id;
    witnessFileId = (
      await h.db
        .selectFrom('attachment')
        .select('id')
        .where('case_id', '=', caseId)
        .where('uploaded_by', '=', 'witness')
        .executeTakeFirstOrThrow()
    ).id;

    // The team as the matrix expects it: content keys sealed to the intake officer and the investigator only.
    const holders = await h.db
      .selectFrom('case_key as k')
      .innerJoin('staff_user as u', 'u.id', 'k.user_id')
      .select(['u.email', 'k.purpose'])
      .where('k.case_id', '=', caseId)
      .execute();
    assert.deepEqual(
      holders
        .filter((k) => k.purpose === 'content')
        .map((k) => k.email)
        .sort(),
      [io.email, inv.email, UNENROLLED].sort(),
    );
    assert.deepEqual(
      holders.filter((k) => k.purpose === 'identity').map((k) => k.email),
      [who('custodian').email],
    );
  });
  after(() => h?.close());

  const TEAM: Expect = { team: 200, supervisor: 404, meta: 404, none: 404 };
  const PAGE: Expect = { team: 200, supervisor: 200, meta: 200, none: 404 };
  const ENDPOINTS: Endpoint[] = [
    {
      name: 'GET case page',
      isCaseEndpoint: true,
      expect: PAGE,
      teamSees: () => REPORT_WHAT,
      send: (p) => get(h.app, p.jar, casePath()),
    },
    {
      name: 'POST case identity',
      isCaseEndpoint: true,
      expect: PAGE,
      teamSees: () => NOTE,
      send: (p) => postForm(h.app, p.jar, `${casePath()}/identity`, { _csrf: p.csrf }),
    },
    {
      name: 'GET attachment',
      isCaseEndpoint: true,
      expect: TEAM,
      teamSees: () => FILE_TEXT,
      send: (p) => get(h.app, p.jar, `${casePath()}/attachments/${fileId}`),
    },
    {
      name: 'GET witness attachment',
      isCaseEndpoint: true,
      expect: TEAM,
      teamSees: () => WITNESS_FILE_TEXT,
      send: (p) => get(h.app, p.jar, `${casePath()}/witnesses/${witnessId}/attachments/${witnessFileId}`),
    },
    {
      name: 'POST note',
      isCaseEndpoint: true,
      expect: { ...TEAM, team: 303 },
      send: (p) => postForm(h.app, p.jar, `${casePath()}/notes`, { _csrf: p.csrf, note: `note by ${p.key}` }),
    },
    {
      name: 'POST business',
      isCaseEndpoint: true,
      expect: { ...TEAM, team: 303 },
      send: (p) =>
        postForm(h.app, p.jar, `${casePath()}/businesses`, {
          _csrf: p.csrf,
          juristicId: '0107544000108',
          businessName: `named by ${p.key}`,
        }),
    },
    {
      name: 'POST message',
      isCaseEndpoint: true,
      expect: { ...TEAM, team: 303 },
      send: (p) =>
        postMultipart(h.app, p.jar, `${casePath()}/messages`, { _csrf: p.csrf, message: `message by ${p.key}` }),
    },
    {
      name: 'POST witness message',
      isCaseEndpoint: true,
      expect: { ...TEAM, team: 303 },
      send: (p) =>
        postForm(h.app, p.jar, `${casePath()}/witnesses/${witnessId}/messages`, {
          _csrf: p.csrf,
          message: `question by ${p.key}`,
        }),
    },
    // A move nobody may make from `new`: the team and the supervisor are told so on the case page (content or metadata).
    {
      name: 'POST transition',
      isCaseEndpoint: true,
      expect: { team: 409, supervisor: 409, meta: 404, none: 404 },
      teamSees: () => REPORT_WHAT,
      send: (p) =>
        postForm(h.app, p.jar, `${casePath()}/transition`, { _csrf: p.csrf, to: 'closed', reason: 'matrix' }),
    },
    {
      name: 'POST witness invitation',
      isCaseEndpoint: true,
      expect: { ...TEAM, team: 200 },
      teamSees: () => STATEMENT,
      send: (p) => postForm(h.app, p.jar, `${casePath()}/witnesses`, { _csrf: p.csrf, label: `witness of ${p.key}` }),
    },
    // Intake officers do not ask for identities: refused on the page they are on (403, content shown to the team).
    {
      name: 'POST identity request',
      isCaseEndpoint: true,
      expect: { ...TEAM, team: 303 },
      except: { intake: 403 },
      send: (p) =>
        postForm(h.app, p.jar, `${casePath()}/identity-request`, {
          _csrf: p.csrf,
          reason: `matrix request by ${p.key}`,
        }),
    },
    {
      name: 'GET risk signals',
      isCaseEndpoint: false,
      isMetadataOnly: true,
      expect: { team: 403, supervisor: 200, meta: 200, none: 403 },
      except: { 'late-intake': 403, 'risk-officer': 200 },
      send: (p) => get(h.app, p.jar, '/staff/risk/signals'),
    },
    {
      name: 'GET identity requests',
      isCaseEndpoint: false,
      isMetadataOnly: true,
      expect: { team: 200, supervisor: 200, meta: 200, none: 200 },
      send: (p) => get(h.app, p.jar, '/staff/identity-requests'),
    },
    {
      name: 'API GET case',
      isCaseEndpoint: true,
      expect: TEAM,
      teamSees: () => REPORT_WHAT,
      send: (p) => api(p.token, `/api/v1/cases/${encodeURIComponent(reference)}`),
    },
    {
      name: 'GET search',
      isCaseEndpoint: false,
      expect: { team: 200, supervisor: 200, meta: 200, none: 200 },
      teamSees: () => REPORT_WHAT,
      send: (p) => get(h.app, p.jar, `/staff/search?q=${SEARCH_WORD}`),
    },
    ...(['mine', 'assigned', 'agency'] as const).flatMap((scope): Endpoint[] => [
      {
        name: `GET cases.csv scope=${scope}`,
        isCaseEndpoint: false,
        isMetadataOnly: true,
        expect: { team: 200, supervisor: 200, meta: 200, none: 200 },
        teamSees: scope === 'mine' ? () => reference : undefined,
        metaSees: scope === 'agency' ? () => reference : undefined,
        send: (p) => get(h.app, p.jar, `/staff/cases.csv?scope=${scope}`),
      },
      {
        name: `API GET cases scope=${scope}`,
        isCaseEndpoint: false,
        isMetadataOnly: true,
        expect: { team: 200, supervisor: 200, meta: 200, none: 200 },
        teamSees: scope === 'mine' ? () => reference : undefined,
        metaSees: scope === 'agency' ? () => reference : undefined,
        send: (p) => api(p.token, `/api/v1/cases?scope=${scope}`),
      },
    ]),
  ];

  const deniedCount = async (actorId: number) =>
    Number(
      (
        await h.db
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('actor_user_id', '=', actorId)
          .where('case_id', '=', caseId)
          .where('action', '=', 'case_access_denied')
          .executeTakeFirstOrThrow()
      ).n,
    );

  for (const e of ENDPOINTS) {
    it(`${e.name}: ${Object.entries(e.expect)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`, async () => {
      const failures: string[] = [];
      for (const spec of PEOPLE) {
        const p = who(spec.key);
        const before = await deniedCount(p.id);
        const res = await e.send(p);
        const at = `${e.name} as ${p.key} (${p.kind})`;
        const body = res.rawPayload;
        const expected = e.except?.[p.key] ?? e.expect[p.kind];
        if (res.statusCode !== expected)
          failures.push(`${at}: status ${res.statusCode}, expected ${expected}: ${res.body.slice(0, 200)}`);
        for (const hit of identityScan.scan(body, at))
          failures.push(`${at}: the identity leaked (${hit.label}, ${hit.encoding})`);
        if (p.kind === 'team') {
          if (e.teamSees && !res.body.includes(e.teamSees()))
            failures.push(`${at}: the team does not see ${e.teamSees().slice(0, 20)}…`);
          if (e.isMetadataOnly)
            for (const hit of contentScan.scan(body, at))
              failures.push(`${at}: content in a metadata-only response (${hit.label}, ${hit.encoding})`);
        } else {
          for (const hit of contentScan.scan(body, at))
            failures.push(`${at}: content leaked (${hit.label}, ${hit.encoding})`);
          if (e.metaSees && (p.kind === 'supervisor' || p.kind === 'meta') && !res.body.includes(e.metaSees()))
            failures.push(`${at}: the metadata view lacks ${e.metaSees()}`);
          if (e.name === 'GET search' && res.body.includes(reference))
            failures.push(`${at}: the search found the case`);
          if (
            e.isCaseEndpoint &&
            res.statusCode >= 400 &&
            res.statusCode !== 409 &&
            (await deniedCount(p.id)) <= before
          )
            failures.push(`${at}: refused without a case_access_denied audit row`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('a metadata viewer asking for the identity is audited as refused, like a team member', async () => {
    const failures: string[] = [];
    for (const spec of PEOPLE.filter((x) => x.kind === 'supervisor' || x.kind === 'meta')) {
      const p = who(spec.key);
      const before = await deniedCount(p.id);
      const res = await postForm(h.app, p.jar, `${casePath()}/identity`, { _csrf: p.csrf });
      if (res.statusCode !== 200) failures.push(`${p.key}: ${res.statusCode}`);
      if ((await deniedCount(p.id)) <= before)
        failures.push(`${p.key}: shown the metadata page without a case_access_denied audit row`);
    }
    assert.deepEqual(failures, []);
  });

  const everyBody = (res: LightMyRequestResponse, at: string) => [
    ...contentScan.scan(res.rawPayload, at),
    ...identityScan.scan(res.rawPayload, at),
  ];

  it('a forged, tampered or logged-out staff cookie gets the login page and nothing else', async () => {
    const io = who('intake');
    const fresh = await webLogin(io.email, loginCode(io.email));
    const valid = fresh.jar.get('sj_staff')!;
    const out = await postForm(h.app, fresh.jar, '/staff/logout', { _csrf: fresh.csrf });
    assert.equal(out.statusCode, 303);
    const tampered = `${io.jar.get('sj_staff')!.slice(0, 40)}${randomBytes(18).toString('base64url')}`;
    const cookies = {
      forged: randomBytes(48).toString('base64url'),
      tampered,
      'logged out': valid,
      garbage: 'not-a-token',
    };
    const failures: string[] = [];
    for (const [label, token] of Object.entries(cookies)) {
      const jar = newJar();
      jar.set('sj_staff', token);
      // The CSRF pair of a real browser, so that only the session is wrong.
      for (const [k, v] of io.jar) if (k !== 'sj_staff') jar.set(k, v);
      const p: Person = { ...io, key: label, jar, token };
      for (const e of ENDPOINTS) {
        const res = await e.send(p);
        const at = `${e.name} with a ${label} cookie`;
        const isApi = e.name.startsWith('API');
        if (isApi ? res.statusCode !== 401 : res.statusCode !== 303 || res.headers.location !== '/staff/login')
          failures.push(`${at}: ${res.statusCode} ${res.headers.location ?? ''}`);
        for (const hit of everyBody(res, at)) failures.push(`${at}: leaked ${hit.label}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(cookieHeader(io.jar).includes(valid), false, 'the logged-out session was another one');
    assert.equal((await get(h.app, io.jar, casePath())).statusCode, 200, 'the officer’s own session still works');
  });

  it('an unenrolled user is sent to enrolment, even holding the case key, and the API refuses them', async () => {
    const { jar, csrf, res } = await webLogin(UNENROLLED, '');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/staff/account/totp');
    const id = (
      await h.db.selectFrom('staff_user').select('id').where('email', '=', UNENROLLED).executeTakeFirstOrThrow()
    ).id;
    const apiLoginRes = await h.app.inject({
      method: 'POST',
      url: '/api/v1/staff/session',
      payload: { email: UNENROLLED, password: PASSWORD, code: '' },
    });
    assert.equal(apiLoginRes.statusCode, 403, apiLoginRes.body);
    // The web session's token is a bearer token too: the API opens nothing with it.
    const p: Person = {
      key: 'unenrolled',
      agency: 'OPDC',
      roles: ['intake_officer'],
      kind: 'none',
      id,
      email: UNENROLLED,
      jar,
      csrf,
      token: jar.get('sj_staff')!,
    };
    const failures: string[] = [];
    for (const e of ENDPOINTS) {
      const before = await deniedCount(id);
      const r = await e.send(p);
      const at = `${e.name} unenrolled`;
      if (e.name === 'API GET case') {
        if (r.statusCode !== 404) failures.push(`${at}: ${r.statusCode}`);
        if ((await deniedCount(id)) <= before) failures.push(`${at}: refused without a case_access_denied audit row`);
      } else if (e.name.startsWith('API')) {
        if (r.statusCode !== 200 || (r.json() as { total: number }).total !== 0)
          failures.push(`${at}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      } else if (r.statusCode !== 303 || r.headers.location !== '/staff/account/totp')
        failures.push(`${at}: ${r.statusCode} ${r.headers.location ?? ''}`);
      for (const hit of everyBody(r, at)) failures.push(`${at}: leaked ${hit.label}`);
    }
    assert.deepEqual(failures, []);
  });
});
