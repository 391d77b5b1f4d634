// Issue 12, item 1: a witness's receipt on the reporter API could seal a message with the witness
// key into the reporter's thread, after which every view of the case answered 500. Now the API
// gives a witness what the web does (their own thread), and no item that does not open can take a
// case view down: it is shown as unreadable, recorded in the audit trail, and the rest reads.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  CHEAP_KDF,
  createTestApp,
  loginCode,
  signedInActor,
  seedAgency,
  seedStaff,
  type TestApp,
} from '../support/app.ts';
import { get, newJar, postForm, csrfOf } from '../support/web.ts';
import { giveStatement, inviteWitness, openInvitation } from '../../src/cases/witnesses.ts';
import { postCaseMessage } from '../../src/cases/post-case-message.ts';
import { openCaseKeys } from '../../src/cases/open-case.ts';
import { addMessage } from '../../src/intake/add-message.ts';
import type { StaffActor } from '../../src/staff/session.ts';

describe('a witness on the reporter API, and items that do not open', () => {
  let t: TestApp;
  let io: StaffActor;
  let filed: { receipt: string; reference: string };
  let witnessReceipt: string;
  let staffToken: string;

  const api = (method: 'GET' | 'POST', url: string, token?: string, body?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
  const session = async (receipt: string) => {
    const res = await api('POST', '/reporter/session', undefined, { receipt });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { token: string }).token;
  };

  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedStaff(t.db, 'OPDC', 'io@opdc.example', ['intake_officer']);
    io = await signedInActor(t.db, 'io@opdc.example');
    const res = await api('POST', '/reports', undefined, {
      agency: 'OPDC',
      category: 'bribery',
      what: 'เรียกรับเงินใต้โต๊ะ',
    });
    assert.equal(res.statusCode, 201, res.body);
    filed = res.json() as { receipt: string; reference: string };
    await postCaseMessage({
      db: t.db,
      actor: io,
      opened: await openCaseKeys({ db: t.db, actor: io, reference: filed.reference, purpose: 'message_posted' }),
      text: 'ขอรายละเอียดเพิ่มเติม',
      files: [],
    });
    const { token } = await inviteWitness({ db: t.db, actor: io, reference: filed.reference, label: 'พยานคนที่หนึ่ง' });
    ({ receipt: witnessReceipt } = await giveStatement({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: t.deps.secrets.receiptSalt,
      invitation: await openInvitation(t.db, token),
      text: 'เห็นการส่งซอง',
      files: [],
    }));
    const login = await api('POST', '/staff/session', undefined, {
      email: 'io@opdc.example',
      password: 'correct horse battery staple',
      code: loginCode('io@opdc.example'),
    });
    assert.equal(login.statusCode, 200, login.body);
    staffToken = (login.json() as { token: string }).token;
  });
  after(() => t.close());

  it('gives a witness their own thread on the API, never the report, and files their message there', async () => {
    const w = await session(witnessReceipt);
    const report = await api('GET', '/reporter/report', w);
    assert.equal(report.statusCode, 404, 'a witness has no report');
    assert.doesNotMatch(report.body, /เรียกรับเงิน/);
    const posted = await api('POST', '/reporter/messages', w, { text: 'ข้อความจากพยานทาง API' });
    assert.equal(posted.statusCode, 201, posted.body);
    const row = await t.db
      .selectFrom('case_message')
      .select(['thread', 'witness_id', 'author_kind'])
      .where('id', '=', (posted.json() as { id: string }).id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.thread, row.author_kind, row.witness_id !== null], ['witness', 'witness', true]);
    const thread = await api('GET', '/reporter/messages', w);
    assert.equal(thread.statusCode, 200, thread.body);
    const texts = (thread.json() as { messages: { text: string; author: string }[] }).messages.map(
      (m) => `${m.author}:${m.text}`,
    );
    assert.deepEqual(texts, ['witness:เห็นการส่งซอง', 'witness:ข้อความจากพยานทาง API']);
  });

  it('keeps every view of the case readable after the attack of the review', async () => {
    const reporter = await session(filed.receipt);
    const view = await api('GET', '/reporter/report', reporter);
    assert.equal(view.statusCode, 200, view.body);
    assert.equal((view.json() as { unreadable: number }).unreadable, 0);
    const own = await api('GET', '/reporter/messages', reporter);
    assert.deepEqual(
      (own.json() as { messages: { author: string }[] }).messages.map((m) => m.author),
      ['intake_officer'],
    );
    const staff = await api('GET', `/cases/${encodeURIComponent(filed.reference)}`, staffToken);
    assert.equal(staff.statusCode, 200, staff.body);
  });

  it('refuses, in the domain, a witness message in the reporter thread', async () => {
    const caseId = (
      await t.db
        .selectFrom('report_case')
        .select('id')
        .where('reference', '=', filed.reference)
        .executeTakeFirstOrThrow()
    ).id;
    const w = await t.db
      .selectFrom('case_witness')
      .select('id')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      addMessage({
        db: t.db,
        caseId,
        key: randomBytes(32),
        author: { kind: 'witness', witnessId: w.id },
        text: 'x',
        files: [],
      }),
      { code: 'forbidden' },
    );
    await assert.rejects(
      addMessage({
        db: t.db,
        caseId,
        key: randomBytes(32),
        thread: 'internal',
        author: { kind: 'reporter' },
        text: 'x',
        files: [],
      }),
      { code: 'forbidden' },
    );
  });

  it('shows a planted message as unreadable to everyone, records it once, and reads the rest', async () => {
    const caseId = (
      await t.db
        .selectFrom('report_case')
        .select('id')
        .where('reference', '=', filed.reference)
        .executeTakeFirstOrThrow()
    ).id;
    // An insider (or an old bug) writes a message sealed with a key nobody holds into the reporter thread.
    const planted = randomUUID();
    await sql`insert into case_message (id, case_id, author_kind, thread, body, created_at) values (${planted}, ${caseId}, 'reporter', 'reporter', ${randomBytes(80)}, date_trunc('minute', now()))`.execute(
      t.db,
    );

    const reporter = await session(filed.receipt);
    const view = await api('GET', '/reporter/report', reporter);
    assert.equal(view.statusCode, 200, view.body);
    const body = view.json() as {
      content: { what: string };
      unreadable: number;
      messages: { id: string; unreadable: boolean; text: string }[];
    };
    assert.equal(body.content.what, 'เรียกรับเงินใต้โต๊ะ');
    assert.equal(body.unreadable, 1);
    assert.deepEqual(
      body.messages.find((m) => m.id === planted),
      { ...body.messages.find((m) => m.id === planted)!, unreadable: true, text: '' },
    );

    const staff = await api('GET', `/cases/${encodeURIComponent(filed.reference)}`, staffToken);
    assert.equal(staff.statusCode, 200, staff.body);
    assert.equal((staff.json() as { unreadable: number }).unreadable, 1);

    // The web: the reporter's page and the staff case page both answer 200 and say so.
    const jar = newJar();
    const login = await get(t.app, jar, '/followup');
    const posted = await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt: filed.receipt });
    assert.equal(posted.statusCode, 303);
    const page = await get(t.app, jar, '/followup/case');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /เปิดอ่านไม่ได้/);
    assert.match(page.body, /ขอรายละเอียดเพิ่มเติม/, 'the rest of the thread still reads');

    const second = await api('GET', `/cases/${encodeURIComponent(filed.reference)}`, staffToken);
    assert.equal(second.statusCode, 200);
    const rows = await t.db
      .selectFrom('audit_event')
      .select(['detail', 'actor_user_id'])
      .where('case_id', '=', caseId)
      .where('action', '=', 'content_unreadable')
      .execute();
    assert.equal(rows.length, 1, 'recorded once, not at every opening');
    assert.deepEqual(rows[0].detail, { items: [{ kind: 'message', id: planted }] });
    assert.doesNotMatch(JSON.stringify(rows), /เรียกรับเงิน/);
  });

  it('shows a damaged internal note and witness as unreadable on the staff page, and records them', async () => {
    const caseId = (
      await t.db
        .selectFrom('report_case')
        .select('id')
        .where('reference', '=', filed.reference)
        .executeTakeFirstOrThrow()
    ).id;
    const note = randomUUID();
    await sql`insert into case_message (id, case_id, author_kind, author_user_id, author_role, thread, body, created_at) values (${note}, ${caseId}, 'staff', ${io.id}, 'intake_officer', 'internal', ${randomBytes(60)}, date_trunc('minute', now()))`.execute(
      t.db,
    );
    await sql`update case_witness set label = ${randomBytes(90)} where case_id = ${caseId}`.execute(t.db);
    const staff = await api('GET', `/cases/${encodeURIComponent(filed.reference)}`, staffToken);
    assert.equal(staff.statusCode, 200, staff.body);
    const page = await t.app.inject({
      method: 'GET',
      url: `/staff/cases/${encodeURIComponent(filed.reference)}`,
      cookies: { sj_staff: staffToken },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /role="alert">มีรายการในเรื่องนี้ 3 รายการที่เปิดอ่านไม่ได้/);
    assert.match(page.body, /เรียกรับเงินใต้โต๊ะ/, 'the report itself still reads');
    const rows = await t.db
      .selectFrom('audit_event')
      .select('detail')
      .where('case_id', '=', caseId)
      .where('action', '=', 'content_unreadable')
      .orderBy('id')
      .execute();
    assert.deepEqual(rows.at(-1)!.detail, {
      items: [
        { kind: 'message', id: note },
        {
          kind: 'witness',
          id: (
            await t.db.selectFrom('case_witness').select('id').where('case_id', '=', caseId).executeTakeFirstOrThrow()
          ).id,
        },
      ],
    });
  });
});
