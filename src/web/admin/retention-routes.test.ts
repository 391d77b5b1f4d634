// Retention through the app: the agency administrator's rules page (hostile periods refused beside
// their fields in Thai and English, nothing saved; a forged agency field ignored; audited), a
// supervisor's legal hold on the case page (not another agency's), and the reporter's page saying
// when the case will be deleted, in Buddhist Era dates.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, submitPage as submit, type Jar } from '../../../test/support/web.ts';
import { itaJars, type Person } from '../../../test/support/ita.ts';
import { deletionDate } from '../../agencies/retention-rules.ts';
import { transitionCase, SPAM_RULE } from '../../cases/workflow.ts';
import { formatDayOf } from '../../i18n/messages.ts';
import { newDraft, submitReport, type Submitted } from '../../intake/submit-report.ts';
import { validateReport } from '../../intake/validate-report.ts';
import { signedInActor, CHEAP_KDF } from '../../../test/support/app.ts';

const PAGE = '/staff/admin/retention';

describe('retention pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  let report: Submitted;
  let named: Submitted;

  before(async () => {
    h = await createTestApp();
    const people: Person[] = [
      ['admin@opdc.example', 'OPDC', ['agency_admin']],
      ['io@opdc.example', 'OPDC', ['intake_officer']],
      ['sup@opdc.example', 'OPDC', ['supervisor']],
      ['keeper@opdc.example', 'OPDC', ['identity_custodian']],
      ['keeper@nacc.example', 'NACC', ['identity_custodian']],
      ['admin@nacc.example', 'NACC', ['agency_admin']],
      ['sup@nacc.example', 'NACC', ['supervisor']],
    ];
    Object.assign(jars, (await itaJars(h.app, h.db, people)).jars);
    report = await submitReport({
      db: h.db,
      kdf: CHEAP_KDF,
      receiptSalt: h.deps.secrets.receiptSalt,
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'bribery', what: 'เรียกรับเงิน', who: 'เจ้าหน้าที่' }),
      files: [],
      channel: 'web',
    });
    named = await submitReport({
      db: h.db,
      kdf: CHEAP_KDF,
      receiptSalt: h.deps.secrets.receiptSalt,
      draft: newDraft(),
      input: validateReport({
        agency: 'OPDC',
        category: 'bribery',
        what: 'ขอคืนเงิน',
        identityName: 'นางสาวเจ้าของ ข้อมูล',
        identityContact: 'owner@example.org',
      }),
      files: [],
      channel: 'web',
    });
  });
  after(() => h.close());

  it('shows the agency administrator every rule with the platform’s defaults, and no one else', async () => {
    const page = await get(h.app, jars['admin@opdc.example'], PAGE);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /ค่าเริ่มต้นของระบบ: 6 เดือน/);
    assert.match(page.body, /ค่าเริ่มต้นของระบบ: 120 เดือน/);
    assert.match(page.body, /ไม่ใช่ระยะเวลาที่กฎหมายหรือระเบียบกำหนด/);
    assert.match(page.body, /id="case\.tip\.unfounded_or_malicious"/);
    assert.match(page.body, /id="identity\.complaint"/);
    assert.equal((await get(h.app, jars['sup@opdc.example'], PAGE)).statusCode, 403);
    assert.equal((await get(h.app, newJar(), PAGE)).statusCode, 303, 'signed out: to the sign-in page');
  });

  it('refuses negative, huge, non-numeric and repeated periods beside their fields, in Thai and English, saving nothing', async () => {
    const hostile = {
      'case.tip.unfounded_or_malicious': '-6',
      'case.tip.substantiated': '9'.repeat(40),
      'case.complaint.resolved': 'หกเดือน',
      'identity.complaint': ['1', '2'],
      'case.permit.resolved': '<script>x</script>',
    };
    for (const [lang, text] of [
      ['th', 'ใส่จำนวนเดือนเป็นจำนวนเต็มตั้งแต่ 1 ถึง 600'],
      ['en', 'Enter a whole number of months from 1 to 600'],
    ]) {
      const jar = jars['admin@opdc.example'];
      const res = await submit(h.app, jar, `${PAGE}?lang=${lang}`, PAGE, { ...hostile, _lang: [] });
      assert.equal(res.statusCode, 400, lang);
      for (const name of [
        'case.tip.unfounded_or_malicious',
        'case.tip.substantiated',
        'case.complaint.resolved',
        'identity.complaint',
        'case.permit.resolved',
      ])
        assert.match(
          res.body,
          new RegExp(`id="${name.replace(/\./g, '\\.')}"[^>]*aria-invalid="true"`),
          `${name} marked (${lang})`,
        );
      assert.ok(res.body.split(text).length - 1 >= 10, `each field says why, in the summary and beside it (${lang})`);
      assert.doesNotMatch(res.body, /<script>x/, 'what was typed is escaped');
      assert.doesNotMatch(res.body, /retention\.error/, 'translated');
    }
    const opdc = await h.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.equal(opdc.settings.retention, undefined, 'nothing saved');
  });

  it('saves the administrator’s own agency only (a forged agency field is ignored), audited', async () => {
    const res = await submit(h.app, jars['admin@nacc.example'], PAGE, PAGE, {
      'case.tip.unfounded_or_malicious': '3',
      agency: 'OPDC',
      agencyId: '1',
    });
    assert.equal(res.statusCode, 303);
    const rows = await h.db.selectFrom('agency').select(['code', 'settings']).orderBy('code').execute();
    assert.deepEqual(
      rows.map((r) => [r.code, r.settings.retention ?? null]),
      [
        ['NACC', { caseMonths: { 'tip.unfounded_or_malicious': 3 }, identityMonths: {} }],
        ['OPDC', null],
      ],
    );
    const page = await get(h.app, jars['admin@nacc.example'], `${PAGE}?done=saved`);
    assert.match(page.body, /หน่วยงานกำหนด: 3 เดือน/);
    assert.match(page.body, /บันทึกระยะเวลาเก็บรักษาแล้ว/);
    const audit = await h.db
      .selectFrom('audit_event')
      .select('detail')
      .where('action', '=', 'retention_changed')
      .execute();
    assert.equal(audit.length, 1);
    const forged = await h.app.inject({
      method: 'POST',
      url: PAGE,
      headers: {
        cookie: [...jars['admin@opdc.example']].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _csrf: randomBytes(16).toString('hex'), 'case.tip.duplicate': '1' }).toString(),
    });
    assert.equal(forged.statusCode, 403, 'a forged CSRF token');
  });

  it('lets the owning supervisor hold a case with a reason, not another agency’s, and tells the reporter', async () => {
    const caseUrl = `/staff/cases/${report.reference}`;
    const other = await submit(h.app, jars['sup@nacc.example'], '/staff/cases', `${caseUrl}/hold`, {
      hold: 'set',
      holdReason: 'x',
    });
    assert.equal(other.statusCode, 404, 'another agency’s supervisor: as if no such case');
    const io = await submit(h.app, jars['io@opdc.example'], caseUrl, `${caseUrl}/hold`, {
      hold: 'set',
      holdReason: 'x',
    });
    assert.equal(io.statusCode, 404, 'an intake officer may not hold (refused as not found, audited)');
    const empty = await submit(h.app, jars['sup@opdc.example'], caseUrl, `${caseUrl}/hold`, {
      hold: 'set',
      holdReason: ' ',
    });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="hold-reason"[^>]*aria-invalid="true"/);
    const held = await submit(h.app, jars['sup@opdc.example'], caseUrl, `${caseUrl}/hold`, {
      hold: 'set',
      holdReason: 'ศาลปกครองขอให้เก็บไว้',
    });
    assert.equal(held.statusCode, 303);
    const page = await get(h.app, jars['sup@opdc.example'], `${caseUrl}?sent=hold_set`);
    assert.match(page.body, /ระงับการลบเรื่องนี้แล้ว/);
    assert.match(page.body, /ระงับการลบไว้เพื่อใช้ตามกฎหมาย/);
    assert.match(page.body, /ยกเลิกการระงับการลบ/);
    const audit = await h.db
      .selectFrom('audit_event')
      .select('case_reference')
      .where('action', '=', 'case_hold_set')
      .execute();
    assert.deepEqual(audit, [{ case_reference: report.reference }]);
  });

  it('shows the reporter the day the closed case will be deleted, in Buddhist Era, Thai and English', async () => {
    await submit(
      h.app,
      jars['sup@opdc.example'],
      `/staff/cases/${report.reference}`,
      `/staff/cases/${report.reference}/hold`,
      {
        hold: 'lift',
        holdReason: 'ศาลมีคำพิพากษาแล้ว',
      },
    );
    const io = await signedInActor(h.db, 'io@opdc.example');
    const closedAt = new Date('2026-03-05T04:00:00Z');
    await transitionCase({
      db: h.db,
      actor: io,
      reference: report.reference,
      to: 'closed',
      outcome: 'unfounded_or_malicious',
      reason: 'ไม่มีมูล',
      rules: [SPAM_RULE],
      now: closedAt,
    });
    const on = deletionDate(closedAt, 6);
    const jar = newJar();
    const login = await get(h.app, jar, '/followup');
    const res = await postForm(h.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt: report.receipt });
    assert.equal(res.statusCode, 303);
    const th = await get(h.app, jar, res.headers.location as string);
    assert.match(th.body, new RegExp(`เรื่องนี้จะถูกลบถาวรในวันที่ ${formatDayOf('th', on)}`));
    assert.match(th.body, /2569/, 'Buddhist Era');
    const en = await get(h.app, jar, `${res.headers.location}?lang=en`);
    assert.match(en.body, new RegExp(`This case will be deleted for good on ${formatDayOf('en', on)}`));
  });

  it('gives the identity custodian a copy of a named reporter’s data and erases it on request, audited; no one else', async () => {
    const PD = '/staff/personal-data';
    assert.equal((await get(h.app, jars['io@opdc.example'], PD)).statusCode, 403, 'an intake officer');
    const stranger = await submit(h.app, jars['keeper@nacc.example'], PD, `${PD}/export`, {
      reference: named.reference,
    });
    assert.equal(stranger.statusCode, 404, 'another agency’s custodian: as if no such case');
    const none = await submit(h.app, jars['keeper@opdc.example'], PD, `${PD}/export`, { reference: report.reference });
    assert.equal(none.statusCode, 404, 'a case with no identity');
    const copy = await submit(h.app, jars['keeper@opdc.example'], PD, `${PD}/export`, { reference: named.reference });
    assert.equal(copy.statusCode, 200);
    assert.match(String(copy.headers['content-disposition']), /^attachment; filename="personal-data-OPDC-/);
    const json = JSON.parse(copy.body) as { reference: string; identity: { name: string; contact: string } };
    assert.deepEqual(json.identity, { name: 'นางสาวเจ้าของ ข้อมูล', contact: 'owner@example.org' });
    assert.equal(json.reference, named.reference);

    const noReason = await submit(h.app, jars['keeper@opdc.example'], PD, `${PD}/erase`, {
      reference: named.reference,
      reason: '',
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /id="reason"[^>]*aria-invalid="true"/);
    const erased = await submit(h.app, jars['keeper@opdc.example'], PD, `${PD}/erase`, {
      reference: named.reference,
      reason: 'เจ้าของข้อมูลขอให้ลบทางอีเมล ลงวันที่ 1 ธันวาคม 2569',
    });
    assert.equal(erased.statusCode, 303);
    const row = await h.db
      .selectFrom('report_case')
      .select(['identity', 'content'])
      .where('reference', '=', named.reference)
      .executeTakeFirstOrThrow();
    assert.equal(row.identity, null);
    assert.ok(row.content.length > 0, 'the case’s content stays');
    const again = await submit(h.app, jars['keeper@opdc.example'], PD, `${PD}/export`, { reference: named.reference });
    assert.equal(again.statusCode, 404, 'nothing left to export');
    const audit = await h.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('case_reference', '=', named.reference)
      .where('action', 'in', ['personal_data_exported', 'identity_erased'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.action, a.detail]),
      [
        ['personal_data_exported', {}],
        ['identity_erased', { why: 'request' }],
      ],
    );
  });
});
