// The businesses a case concerns, through HTTP like a browser without JavaScript: a member of the
// case team records one by juristic-person number (Thai digits and dashes accepted), in the case
// history and the audit trail; the investigator on the team who declared that business sees the
// conflict alert with the recusal offer when they open their declarations, once. Hostile use: a
// wrong check digit, an empty or oversized number, an oversized name, a forged CSRF token, a second
// add of the same business, a colleague not on the team, the agency's supervisor (metadata only) and
// another agency's staff posting to the case. A reviewer's recheck raises the alert as well, once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestApp, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, newJar, postForm, postMultipart, receiptOf, type Jar } from '../../../test/support/web.ts';
import { parseBusinessName, parseJuristicId } from '../../declarations/case-business.ts';
import { addPosition, positionsOf, setHolding } from '../../declarations/positions.ts';
import { fileDeclaration } from '../../declarations/store.ts';

const PEOPLE = [
  ['io@opdc.example', 'OPDC', ['intake_officer']],
  ['sup@opdc.example', 'OPDC', ['supervisor']],
  ['inv@opdc.example', 'OPDC', ['investigator']],
  ['other@opdc.example', 'OPDC', ['investigator']],
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['rev@opdc.example', 'OPDC', ['declaration_reviewer']],
  ['sup@nacc.example', 'NACC', ['supervisor']],
] as const;

/** PTT's registered number (juristic.ts), typed in Thai digits with dashes. */
const BUSINESS = '0107544000108';
const BUSINESS_TYPED = '๐-๑๐๗๕-๔๔๐๐๐-๑๐-๘';
const NAME = 'บริษัท ทดสอบ จำกัด (มหาชน)';
const OTHER = '0107536000102';

describe('businesses a case concerns', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  let ids: Record<string, number> = {};
  let reference = '';
  let caseUrl = '';
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const post = async (who: string, action: string, fields: Record<string, string>) =>
    postForm(h.app, jars[who], `${caseUrl}/${action}`, {
      _csrf: csrfOf((await page(who, '/staff/cases')).body),
      ...fields,
    });
  const rows = () => h.db.selectFrom('case_business').selectAll().execute();

  before(async () => {
    h = await createTestApp();
    const seeded = await itaJars(h.app, h.db, PEOPLE);
    Object.assign(jars, seeded.jars);
    ids = seeded.ids;
    const jar = newJar();
    const form = await get(h.app, jar, '/report');
    const filed = await postMultipart(h.app, jar, '/report', {
      _csrf: csrfOf(form.body),
      agency: 'OPDC',
      category: 'bribery',
      what: 'เนื้อหาของผู้แจ้ง',
    });
    assert.ok(receiptOf(filed.body));
    reference = /\b(OPDC-\d{4}-\d{6})\b/.exec(filed.body)?.[1] ?? '';
    caseUrl = `/staff/cases/${reference}`;
    // the supervisor assigns the investigator; the intake officer's visit hands the key over
    const assigned = await post('sup@opdc.example', 'assign', { userId: String(ids['inv@opdc.example']) });
    assert.equal(assigned.statusCode, 303, assigned.body);
    assert.equal((await page('io@opdc.example', caseUrl)).statusCode, 200);
    assert.match((await page('inv@opdc.example', caseUrl)).body, /เนื้อหาของผู้แจ้ง/);
    // the investigator holds a designated position and declared the business (and another one)
    const admin = await signedInActor(h.db, 'admin@opdc.example');
    await addPosition({ db: h.db, actor: admin, category: 'procurement', name: 'พัสดุ' });
    const { positions } = await positionsOf(h.db, admin);
    await setHolding({
      db: h.db,
      actor: admin,
      positionId: positions[0].id,
      userId: ids['inv@opdc.example'],
      day: '1/12/2569',
      leaving: false,
    });
    const filedDecl = await fileDeclaration({
      db: h.db,
      actor: await signedInActor(h.db, 'inv@opdc.example'),
      token: randomUUID(),
      content: {
        occasion: 'entry',
        income: 100_000,
        assets: [],
        liabilities: [],
        interests: [
          { kind: 'shareholding', juristicId: BUSINESS, name: 'หุ้นที่ถือ' },
          { kind: 'directorship', juristicId: OTHER, name: 'กรรมการ' },
        ],
        explanation: '',
      },
    });
    assert.equal(filedDecl.alerts, 0, 'no case names the business yet');
  });
  after(async () => h.close());

  it('reads a typed number in Thai digits with dashes, and refuses a wrong check digit', () => {
    assert.equal(parseJuristicId(BUSINESS_TYPED), BUSINESS);
    assert.equal(parseJuristicId(' 0107544000108 '), BUSINESS);
    for (const bad of ['0107544000109', '010754400010', '01075440001088', 'abcdefghijklm', '', 42])
      assert.throws(() => parseJuristicId(bad), { code: 'invalid_input' }, String(bad));
    assert.equal(parseBusinessName(' บริษัท\nทดสอบ\u200b จำกัด '), 'บริษัท ทดสอบ จำกัด');
    assert.throws(() => parseBusinessName('ก'.repeat(201)), { code: 'invalid_input' });
  });

  it('shows the team the form and a metadata viewer the list only', async () => {
    const team = await page('io@opdc.example', caseUrl);
    assert.match(team.body, /id="businesses"/);
    assert.match(team.body, /action="[^"]+\/businesses"/);
    const meta = await page('sup@opdc.example', caseUrl);
    assert.match(meta.body, /id="businesses"/);
    assert.doesNotMatch(meta.body, /action="[^"]+\/businesses"/);
  });

  it('records a business typed in Thai digits, in the history and the audit trail', async () => {
    const res = await post('io@opdc.example', 'businesses', { juristicId: BUSINESS_TYPED, businessName: NAME });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `${caseUrl}?sent=business_added`);
    assert.deepEqual(
      (await rows()).map((r) => [r.juristic_id, r.name, r.added_by]),
      [[BUSINESS, NAME, ids['io@opdc.example']]],
    );
    const shown = await page('io@opdc.example', `${caseUrl}?sent=business_added`);
    assert.match(shown.body, /บันทึกธุรกิจที่เกี่ยวข้องแล้ว/);
    assert.match(shown.body, new RegExp(`<td>${BUSINESS}</td><td>${NAME.replace(/[()]/g, '\\$&')}</td>`));
    assert.match(
      shown.body,
      new RegExp(`${BUSINESS} ${NAME.replace(/[()]/g, '\\$&')}</span>`),
      'the history says which',
    );
    const audit = await h.db
      .selectFrom('audit_event')
      .select(['action', 'actor_user_id', 'detail'])
      .where('action', '=', 'case_business_added')
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.actor_user_id, a.detail]),
      [[ids['io@opdc.example'], { juristic: BUSINESS }]],
    );
  });

  it('changes nothing when the same business is added again', async () => {
    const res = await post('io@opdc.example', 'businesses', { juristicId: BUSINESS, businessName: 'อีกชื่อ' });
    assert.equal(res.headers.location, `${caseUrl}?sent=business_known`);
    assert.deepEqual(
      (await rows()).map((r) => r.name),
      [NAME],
    );
    const events = await h.db.selectFrom('case_event').select('kind').where('kind', '=', 'business_added').execute();
    assert.equal(events.length, 1);
  });

  it('refuses a wrong number, an oversized one and an oversized name beside their fields, keeping what was typed', async () => {
    const bad = await post('io@opdc.example', 'businesses', { juristicId: '0107544000109', businessName: 'x' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="juristicId-error"/);
    assert.match(bad.body, /href="#business-id"/, 'the summary links to the field');
    assert.match(bad.body, /value="0107544000109"/);
    const big = await post('io@opdc.example', 'businesses', {
      juristicId: '1'.repeat(5000),
      businessName: 'ก'.repeat(5000),
    });
    assert.equal(big.statusCode, 400);
    assert.match(big.body, /id="juristicId-error"/);
    assert.match(big.body, /id="businessName-error"/);
    const empty = await post('io@opdc.example', 'businesses', { juristicId: '' });
    assert.equal(empty.statusCode, 400);
    const forgedRemove = await post('io@opdc.example', 'businesses-remove', { juristicId: "0' or '1'='1" });
    assert.equal(forgedRemove.statusCode, 400);
    assert.match(forgedRemove.body, /href="#business-id"/);
    assert.equal((await rows()).length, 1);
  });

  it('refuses a forged token, and anyone not on the case team as for no case at all', async () => {
    const forged = await postForm(h.app, jars['io@opdc.example'], `${caseUrl}/businesses`, {
      _csrf: 'forged',
      juristicId: OTHER,
    });
    assert.equal(forged.statusCode, 403);
    for (const who of ['other@opdc.example', 'sup@opdc.example', 'sup@nacc.example']) {
      const res = await post(who, 'businesses', { juristicId: OTHER });
      assert.equal(res.statusCode, 404, who);
      const gone = await post(who, 'businesses-remove', { juristicId: BUSINESS });
      assert.equal(gone.statusCode, 404, who);
    }
    assert.deepEqual(
      (await rows()).map((r) => r.juristic_id),
      [BUSINESS],
    );
    const denied = await h.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'case_access_denied')
      .execute();
    assert.equal(denied.filter((d) => d.detail.purpose === 'case_business_added').length, 3);
  });

  it('shows the declarant on the team the conflict alert with the recusal offer, once', async () => {
    const mine = await page('inv@opdc.example', '/staff/declarations');
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, /role="alert">พบการขัดกันแห่งผลประโยชน์ใหม่ 1 รายการ/);
    const href = /href="(\/staff\/declarations\/[0-9a-f-]{36})"/.exec(mine.body)?.[1] ?? '';
    const opened = await page('inv@opdc.example', href);
    assert.match(opened.body, new RegExp(`หุ้นที่ถือ \\(${BUSINESS}\\)`));
    assert.match(opened.body, /action="\/staff\/declarations\/[0-9a-f-]{36}\/alerts\/\d+\/recuse"/);
    const again = await page('inv@opdc.example', '/staff/declarations');
    assert.doesNotMatch(again.body, /พบการขัดกันแห่งผลประโยชน์ใหม่/);
    const alerts = await h.db.selectFrom('declaration_alert').select(['kind', 'case_id']).execute();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].kind, 'case');
    const raised = await h.db
      .selectFrom('audit_event')
      .select('actor_user_id')
      .where('action', '=', 'declaration_alerts_raised')
      .execute();
    assert.deepEqual(
      raised.map((r) => r.actor_user_id),
      [ids['inv@opdc.example']],
    );
  });

  it('raises the alert in a reviewer’s recheck too, when the declarant has not looked yet', async () => {
    const added = await post('io@opdc.example', 'businesses', { juristicId: OTHER, businessName: 'ห้างกรรมการ' });
    assert.equal(added.headers.location, `${caseUrl}?sent=business_added`);
    const review = '/staff/declarations/review';
    const rechecked = await postForm(h.app, jars['rev@opdc.example'], `${review}/recheck`, {
      _csrf: csrfOf((await page('rev@opdc.example', review)).body),
    });
    assert.equal(rechecked.statusCode, 303, rechecked.body);
    assert.equal((await h.db.selectFrom('declaration_alert').select('id').execute()).length, 2);
    const raised = await h.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'declaration_alerts_raised')
      .orderBy('id')
      .execute();
    assert.deepEqual(raised.at(-1), {
      actor_user_id: ids['rev@opdc.example'],
      detail: { declarations: 1, alerts: 1 },
    });
    // the declarant finds it raised, once
    const mine = await page('inv@opdc.example', '/staff/declarations');
    assert.doesNotMatch(mine.body, /พบการขัดกันแห่งผลประโยชน์ใหม่/);
    assert.match(mine.body, /การขัดกันแห่งผลประโยชน์ 2 รายการ/);
    assert.equal((await h.db.selectFrom('declaration_alert').select('id').execute()).length, 2);
    const again = await postForm(h.app, jars['rev@opdc.example'], `${review}/recheck`, {
      _csrf: csrfOf((await page('rev@opdc.example', review)).body),
    });
    assert.equal(again.statusCode, 303);
    assert.equal((await h.db.selectFrom('declaration_alert').select('id').execute()).length, 2, 'nothing twice');
  });

  it('removes a business (in the history); the alert raised stays', async () => {
    const res = await post('io@opdc.example', 'businesses-remove', { juristicId: BUSINESS });
    assert.equal(res.headers.location, `${caseUrl}?sent=business_removed`);
    assert.deepEqual(
      (await rows()).map((r) => r.juristic_id),
      [OTHER],
    );
    const shown = await page('io@opdc.example', caseUrl);
    assert.match(shown.body, /นำธุรกิจที่เกี่ยวข้องออกจากเรื่อง/);
    assert.equal((await h.db.selectFrom('declaration_alert').select('id').execute()).length, 2);
    const twice = await post('io@opdc.example', 'businesses-remove', { juristicId: BUSINESS });
    assert.equal(twice.statusCode, 303);
    assert.equal(
      (await h.db.selectFrom('case_event').select('kind').where('kind', '=', 'business_removed').execute()).length,
      1,
    );
  });
});
