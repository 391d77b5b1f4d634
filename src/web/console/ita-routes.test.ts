// The ITA staff pages through HTTP, like a browser without JavaScript: opening a cycle, the
// overview, the OIT self-check with evidence, verdicts, files and complaint figures, and hostile use.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedRecipient, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { cookieHeader, csrfOf, get, multipart, postForm, type FilePart, type Jar } from '../../../test/support/web.ts';
import { currentFiscalYear } from '../../cases/figures.ts';
import { formatDay } from '../../cases/permit-dates.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { validateComplaint } from '../../intake/validate-complaint.ts';
import { validateReport } from '../../intake/validate-report.ts';
import { frameworkChoices } from '../../ita/cycles.ts';
import { listFrameworks } from '../../ita/framework.ts';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const MB = 1024 * 1024;

describe('ITA staff pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const year = currentFiscalYear();
  let cycleId: number;
  let naccCycleId: number;

  before(async () => {
    h = await createTestApp({ SUJARIT_MAX_FILE_MB: '1' });
    Object.assign(jars, (await itaJars(h.app, h.db)).jars);
    await seedRecipient(h.db, 'OPDC', 'io@opdc.example');
  });
  after(() => h.close());

  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const csrf = async (who: string) => csrfOf((await page(who, '/staff/cases')).body);
  const post = async (who: string, url: string, fields: Record<string, string>) =>
    postForm(h.app, jars[who], url, { _csrf: await csrf(who), ...fields });
  const postFile = async (who: string, url: string, fields: Record<string, string>, files: FilePart[] = []) => {
    const { body, contentType } = await multipart({ _csrf: await csrf(who), ...fields }, files, 'file');
    return h.app.inject({
      method: 'POST',
      url,
      headers: { cookie: cookieHeader(jars[who]), 'content-type': contentType },
      payload: body,
    });
  };
  const open = (who: string, fields: Record<string, string>) =>
    post(who, '/staff/ita', { framework: listFrameworks()[0], ...fields });
  const idOf = (location: string | undefined) =>
    Number(/^\/staff\/ita\/(\d+)\?sent=opened$/.exec(String(location))?.[1]);
  const oit = (id = cycleId) => `/staff/ita/${id}/oit`;
  const row = (itemId: string, id = cycleId) =>
    h.db
      .selectFrom('ita_oit_item')
      .selectAll()
      .where('cycle_id', '=', id)
      .where('item_id', '=', itemId)
      .executeTakeFirst();

  it('tells an assessor with no cycle yet who opens one, and an administrator nothing more than the form', async () => {
    const assessor = await page('assessor@opdc.example', '/staff/ita');
    assert.equal(assessor.statusCode, 200, assessor.body);
    assert.match(assessor.body, /ยังไม่มีรอบการประเมิน/);
    assert.match(assessor.body, /ผู้ดูแลระบบของหน่วยงานเป็นผู้เปิดรอบการประเมิน/, 'not a dead end: who opens a cycle');
    const english = await page('assessor@opdc.example', '/staff/ita?lang=en');
    assert.match(english.body, /An agency administrator opens each fiscal year’s cycle/);
    await page('assessor@opdc.example', '/staff/ita?lang=th'); // the language chosen is kept: back to Thai
    assert.doesNotMatch((await page('admin@opdc.example', '/staff/ita')).body, /ผู้ดูแลระบบของหน่วยงานเป็นผู้เปิด/);
  });

  it('opens a cycle from the form, refuses the same year twice and gives a bad form back with what was typed', async () => {
    const list = await page('admin@opdc.example', '/staff/ita');
    assert.equal(list.statusCode, 200, list.body);
    // The current fiscal year is proposed only when a shipped framework is for it (issue 13, B.11).
    const proposed = frameworkChoices().some((f) => f.fiscalYear === year) ? String(year) : '';
    assert.match(list.body, new RegExp(`id="fiscalYear"[^>]*value="${proposed}"`), 'no year without its framework');
    assert.match(list.body, /<select id="framework" name="framework"/);
    assert.match(list.body, /<label for="staffCount">/);
    const res = await open('admin@opdc.example', { fiscalYear: String(year), staffCount: '250', oitDueOn: '' });
    assert.equal(res.statusCode, 303, res.body);
    cycleId = idOf(res.headers.location as string);
    assert.ok(cycleId > 0);

    const twice = await open('admin@opdc.example', { fiscalYear: String(year), staffCount: '10' });
    assert.equal(twice.statusCode, 409);
    assert.match(twice.body, /id="fiscalYear-error"/);
    assert.match(twice.body, /หน่วยงานมีรอบการประเมินของปีงบประมาณนี้แล้ว/);

    const bad = await open('admin@opdc.example', {
      fiscalYear: String(year - 3),
      staffCount: '-5"><script>x</script>',
      oitDueOn: '2026-02-30',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="error-summary"/);
    assert.match(bad.body, /<a href="#staffCount">/);
    assert.match(bad.body, /id="staffCount"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /id="oitDueOn-error"/);
    assert.match(bad.body, new RegExp(`id="fiscalYear"[^>]*value="${year - 3}"`), 'what was typed comes back');
    assert.match(bad.body, /value="-5&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/, 'escaped');
    assert.equal(
      (
        await h.db
          .selectFrom('ita_cycle')
          .select('id')
          .where('fiscal_year', '=', year - 3)
          .execute()
      ).length,
      0,
    );

    const other = await open('admin@nacc.example', {
      fiscalYear: String(year),
      staffCount: '40',
      oitDueOn: '2026-09-15',
    });
    naccCycleId = idOf(other.headers.location as string);
    const listed = await page('assessor@opdc.example', '/staff/ita');
    assert.match(listed.body, new RegExp(`href="/staff/ita/${cycleId}"`));
    assert.doesNotMatch(listed.body, new RegExp(`href="/staff/ita/${naccCycleId}"`), 'only the agency’s own cycles');
    assert.doesNotMatch(listed.body, /action="\/staff\/ita"/, 'an assessor does not open cycles');
    assert.equal(
      (await open('assessor@opdc.example', { fiscalYear: String(year - 1), staffCount: '5' })).statusCode,
      403,
    );
  });

  it('shows the overview: framework, progress of every instrument, the cycle’s pages and closing for administrators', async () => {
    const res = await page('admin@opdc.example', `/staff/ita/${cycleId}`);
    assert.equal(res.statusCode, 200, res.body);
    const cycle = await h.db
      .selectFrom('ita_cycle')
      .select(['framework', 'opened_at'])
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow();
    const framework = cycle.framework as { title: { th: string }; checklist: unknown[] };
    assert.ok(res.body.includes(framework.title.th));
    assert.match(res.body, /ออกลิงก์ 0 ลิงก์ ตอบแล้ว 0 จากขั้นต่ำ \d+/);
    assert.ok(res.body.includes(`จาก ${framework.checklist.length} ข้อ`));
    assert.match(res.body, new RegExp(String(year)));
    assert.ok(res.body.includes(String(cycle.opened_at.getFullYear() + 543)), 'Buddhist Era');
    for (const p of ['links', 'oit', 'results', 'measures', 'report'])
      assert.match(res.body, new RegExp(`href="/staff/ita/${cycleId}/${p}"`), p);
    assert.match(res.body, new RegExp(`action="/staff/ita/${cycleId}/close"`));
    assert.doesNotMatch((await page('assessor@opdc.example', `/staff/ita/${cycleId}`)).body, /\/close"/);
    const en = await page('admin@opdc.example', `/staff/ita/${cycleId}?lang=en`);
    assert.match(en.body, /links issued/);
    await page('admin@opdc.example', `/staff/ita/${cycleId}?lang=th`); // the language is remembered: back to Thai
    assert.equal(
      (await page('admin@nacc.example', `/staff/ita/${naccCycleId}?lang=th`)).body.includes(
        formatDay('th', '2026-09-15'),
      ),
      true,
      'the due date in the Buddhist Era',
    );
  });

  it('changes the staff count and the OIT due date, audited, and gives a bad form back with what was typed', async () => {
    const overview = await page('admin@opdc.example', `/staff/ita/${cycleId}`);
    assert.match(overview.body, new RegExp(`action="/staff/ita/${cycleId}/settings"`));
    assert.match(overview.body, /id="staffCount" name="staffCount"[^>]*value="250"/, 'the saved value');
    assert.doesNotMatch(
      (await page('assessor@opdc.example', `/staff/ita/${cycleId}`)).body,
      new RegExp(`action="/staff/ita/${cycleId}/settings"`),
    );
    const res = await post('admin@opdc.example', `/staff/ita/${cycleId}/settings`, {
      staffCount: '300',
      oitDueOn: '2026-08-31',
    });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/staff/ita/${cycleId}?sent=settings`);
    assert.match((await page('admin@opdc.example', res.headers.location as string)).body, /บันทึกการตั้งค่ารอบการประเมินแล้ว/);
    const row = await h.db
      .selectFrom('ita_cycle')
      .select(['staff_count', 'oit_due_on'])
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.staff_count, row.oit_due_on], [300, '2026-08-31']);
    const audit = await h.db
      .selectFrom('audit_event')
      .select(['detail', 'actor_user_id'])
      .where('action', '=', 'ita_cycle_changed')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.detail),
      [{ cycleId, before: { staffCount: 250, oitDueOn: null }, after: { staffCount: 300, oitDueOn: '2026-08-31' } }],
    );

    const bad = await post('admin@opdc.example', `/staff/ita/${cycleId}/settings`, {
      staffCount: '0"><b>x',
      oitDueOn: '2026-02-30',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<a href="#staffCount">/);
    assert.match(
      bad.body,
      /id="staffCount"[^>]*value="0&quot;&gt;&lt;b&gt;x"[^>]*aria-invalid="true"/,
      'what was typed, escaped',
    );
    assert.match(bad.body, /id="oitDueOn"[^>]*value="2026-02-30"/);
    assert.match(bad.body, /id="oitDueOn-error"/);
    assert.equal(
      (await post('assessor@opdc.example', `/staff/ita/${cycleId}/settings`, { staffCount: '5' })).statusCode,
      403,
    );
    assert.equal(
      (await post('admin@nacc.example', `/staff/ita/${cycleId}/settings`, { staffCount: '5' })).statusCode,
      404,
    );
    assert.equal(
      (await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${cycleId}/settings`, { staffCount: '5' }))
        .statusCode,
      403,
      'no CSRF token',
    );
    assert.equal(
      (await h.db.selectFrom('ita_cycle').select('staff_count').where('id', '=', cycleId).executeTakeFirstOrThrow())
        .staff_count,
      300,
      'nothing refused was kept',
    );
    assert.equal(
      (await h.db.selectFrom('audit_event').select('id').where('action', '=', 'ita_cycle_changed').execute()).length,
      1,
    );
  });

  it('keeps evidence with a file, and an assessor’s verdict, and shows who and when', async () => {
    const first = (await page('admin@opdc.example', oit())).body;
    assert.match(first, /id="todo-h"/);
    // Sujarit's own draft is said in Thai on a Thai page; no file path, no English note of the file's.
    assert.match(first, /ถ้อยคำร่างของระบบสุจริต ไม่ใช่ถ้อยคำของสำนักงาน ป\.ป\.ช\./);
    assert.doesNotMatch(first, /src\/ita\/frameworks|Sujarit's draft/);
    // every item of the long page leads back to the to-do list
    const items = first.match(/<article class="card" id="item-/g)?.length ?? 0;
    assert.ok(items > 0);
    assert.equal(first.match(/<a href="#todo-h">กลับไปที่รายการที่ยังต้องทำ<\/a>/g)?.length, items);
    const itemId = /id="item-([^"]+)"/.exec(first)![1];
    const url = `${oit()}/${itemId}`;
    const saved = await postFile(
      'admin@opdc.example',
      `${url}/evidence`,
      { url: 'https://www.opdc.example.go.th/structure', note: 'ผังองค์กร' },
      [{ name: 'ผัง.pdf', type: 'application/pdf', data: PDF }],
    );
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(saved.headers.location, `${oit()}?sent=evidence#item-${itemId}`);
    const r = (await row(itemId))!;
    assert.deepEqual(
      [r.evidence_url, r.evidence_note, r.file_name, r.file_type],
      ['https://www.opdc.example.go.th/structure', 'ผังองค์กร', 'ผัง.pdf', 'application/pdf'],
    );

    const download = await page('assessor@opdc.example', `${url}/file`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.match(
      String(download.headers['content-disposition']),
      /^attachment; filename="___\.pdf"; filename\*=UTF-8''%E0%B8%9C%E0%B8%B1%E0%B8%87\.pdf$/,
    );
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(download.rawPayload, PDF);

    assert.equal(
      (await post('admin@opdc.example', `${url}/verdict`, { verdict: 'yes', comment: '' })).statusCode,
      403,
      'an administrator is not an assessor',
    );
    const verdict = await post('assessor@opdc.example', `${url}/verdict`, { verdict: 'yes', comment: 'ครบถ้วน' });
    assert.equal(verdict.statusCode, 303, verdict.body);
    const after = await page('assessor@opdc.example', `${oit()}?sent=verdict`);
    assert.match(after.body, /บันทึกผลการตรวจแล้ว/);
    assert.match(after.body, /<strong>เปิดเผยแล้ว<\/strong>/);
    assert.match(after.body, /assessor@opdc\.example เมื่อ/);
    assert.ok(after.body.includes(String(new Date().getFullYear() + 543)), 'Buddhist Era');
    assert.match(
      after.body,
      /href="https:\/\/www\.opdc\.example\.go\.th\/structure" rel="noopener noreferrer nofollow"/,
    );
    assert.doesNotMatch(
      after.body.split('id="todo-h"')[1].split('</section>')[0],
      new RegExp(`href="#item-${itemId}"`),
      'done items leave the to-do box',
    );
    assert.doesNotMatch(
      (await page('admin@opdc.example', oit())).body,
      /\/verdict"/,
      'no verdict form for an administrator',
    );
    assert.doesNotMatch(after.body, /<script/i);
  });

  it('shows the agency’s complaint figures of the fiscal year and fills the public page as evidence', async () => {
    const { report, complaint } = validateComplaint(
      { agency: 'OPDC', category: 'service_delay', what: 'รอนาน', identityName: 'ผู้ร้อง', identityContact: '0811111111' },
      'complaint',
    );
    for (const channel of ['web', 'web', 'line'] as const)
      await submitReport({
        db: h.db,
        kdf: h.config.kdf,
        receiptSalt: h.deps.secrets.receiptSalt,
        draft: newDraft(),
        input: report,
        complaint,
        files: [],
        channel,
      });
    await submitReport({
      db: h.db,
      kdf: h.config.kdf,
      receiptSalt: h.deps.secrets.receiptSalt,
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'bribery', what: 'เบาะแส' }),
      files: [],
      channel: 'web',
    });
    const cycle = await h.db
      .selectFrom('ita_cycle')
      .select('framework')
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow();
    const item = (cycle.framework as { checklist: { id: string; source?: string }[] }).checklist.find(
      (i) => i.source === 'complaint-figures',
    )!;
    const res = await page('admin@opdc.example', oit());
    const table = res.body.split(`id="item-${item.id}"`)[1].split('</table>')[0];
    assert.match(table, /ปีงบประมาณ พ.ศ. \d{4}/);
    assert.doesNotMatch(table, /<th[^>]*><\/th>/, 'no empty header cell');
    assert.match(table, /<thead><tr><th scope="col">ประเภทเรื่อง<\/th>/);
    assert.match(
      res.body,
      new RegExp(`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="figures-${item.id}-cap">`),
      'the table scrolls by keyboard too',
    );
    assert.match(
      table,
      /<th scope="row">เรื่องร้องเรียน<\/th><td>3<\/td><td>0<\/td><td>2<\/td><td>1<\/td>/,
      'received, handled, web, LINE',
    );
    assert.match(table, /<th scope="row">เบาะแสการทุจริต<\/th><td>1<\/td>/);
    const figuresUrl = `${h.config.publicUrl}/figures?fy=${year}`;
    assert.ok(res.body.includes(`href="${figuresUrl}"`));
    const filled = await page('admin@opdc.example', `${oit()}?fill=${item.id}`);
    assert.ok(filled.body.includes(`id="url-${item.id}" name="url" type="url" maxlength="2000" value="${figuresUrl}"`));
    const saved = await postFile('admin@opdc.example', `${oit()}/${item.id}/evidence`, { url: figuresUrl, note: '' });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal((await row(item.id))!.evidence_url, figuresUrl);
  });

  it('answers not found to another agency on every address of a cycle', async () => {
    const itemId = 'o1';
    for (const path of ['', '/oit', '/links', '/results', '/measures', '/report', `/oit/${itemId}/file`]) {
      const res = await page('admin@nacc.example', `/staff/ita/${cycleId}${path}`);
      assert.equal(res.statusCode, 404, path);
      assert.ok(!res.body.includes('ผังองค์กร'), path);
    }
    assert.equal((await post('admin@nacc.example', `/staff/ita/${cycleId}/close`, { confirm: 'yes' })).statusCode, 404);
    assert.equal(
      (await post('admin@nacc.example', `${oit()}/${itemId}/verdict`, { verdict: 'no', comment: '' })).statusCode,
      404,
    );
    assert.equal(
      (await postFile('admin@nacc.example', `${oit()}/${itemId}/evidence`, { url: 'https://nacc.example/' }))
        .statusCode,
      404,
    );
    assert.equal((await page('admin@opdc.example', '/staff/ita/99999999')).statusCode, 404);
    assert.equal((await page('admin@opdc.example', '/staff/ita/x<script>')).statusCode, 404);
    const r = await h.db.selectFrom('ita_cycle').select('state').where('id', '=', cycleId).executeTakeFirstOrThrow();
    assert.equal(r.state, 'open');
  });

  it('refuses the ITA pages to other roles', async () => {
    assert.equal((await page('inv@opdc.example', '/staff/ita')).statusCode, 403);
    assert.equal((await page('inv@opdc.example', `/staff/ita/${cycleId}`)).statusCode, 403);
    assert.equal((await page('inv@opdc.example', oit())).statusCode, 403);
  });

  it('refuses script and data addresses, oversized files (keeping the note) and served types off the allow-list', async () => {
    const itemId = 'o2';
    for (const url of [
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'https://user:pw@agency.example/',
    ]) {
      const res = await postFile('admin@opdc.example', `${oit()}/${itemId}/evidence`, { url, note: 'บันทึก' });
      assert.equal(res.statusCode, 400, url);
      assert.match(res.body, new RegExp(`id="url-${itemId}-error"`));
      assert.match(res.body, new RegExp(`href="#url-${itemId}"`), 'the error summary links to the field');
      assert.doesNotMatch(res.body, /href="(javascript|data):/);
    }
    const big = await postFile('admin@opdc.example', `${oit()}/${itemId}/evidence`, { url: '', note: 'บันทึกที่พิมพ์ไว้' }, [
      { name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(MB)]) },
    ]);
    assert.equal(big.statusCode, 413);
    assert.match(big.body, /ไฟล์ใหญ่เกิน 1 MB/);
    assert.match(
      big.body,
      new RegExp(`<textarea id="note-${itemId}"[^>]*>บันทึกที่พิมพ์ไว้</textarea>`),
      'the note typed is kept',
    );
    assert.match(big.body, /กรุณาเลือกไฟล์อีกครั้ง/);
    const html = await postFile('admin@opdc.example', `${oit()}/${itemId}/evidence`, { url: '' }, [
      { name: 'x.html', type: 'text/html', data: Buffer.from('<script>alert(1)</script>') },
    ]);
    assert.equal(html.statusCode, 400);
    assert.equal(await row(itemId), undefined, 'nothing stored');
    // a type stored before the allow-list (or by hand) is never served as it is
    await h.db
      .insertInto('ita_oit_item')
      .values({
        cycle_id: cycleId,
        item_id: itemId,
        file_name: 'page.html',
        file_type: 'text/html',
        file_bytes: Buffer.from('<script>alert(1)</script>'),
      })
      .execute();
    const served = await page('assessor@opdc.example', `${oit()}/${itemId}/file`);
    assert.equal(served.headers['content-type'], 'application/octet-stream');
    assert.match(String(served.headers['content-disposition']), /^attachment;/);
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
  });

  it('refuses forms without the CSRF token', async () => {
    const noCsrfFile = await multipart({ url: 'https://agency.example/x' }, [], 'file');
    const ev = await h.app.inject({
      method: 'POST',
      url: `${oit()}/o3/evidence`,
      headers: { cookie: cookieHeader(jars['admin@opdc.example']), 'content-type': noCsrfFile.contentType },
      payload: noCsrfFile.body,
    });
    assert.equal(ev.statusCode, 403);
    assert.equal(
      (await postForm(h.app, jars['assessor@opdc.example'], `${oit()}/o3/verdict`, { verdict: 'yes' })).statusCode,
      403,
    );
    assert.equal(
      (
        await postForm(h.app, jars['admin@opdc.example'], '/staff/ita', {
          fiscalYear: String(year - 1),
          framework: listFrameworks()[0],
          staffCount: '5',
        })
      ).statusCode,
      403,
    );
    assert.equal(
      (await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${cycleId}/close`, { confirm: 'yes' })).statusCode,
      403,
    );
    assert.equal(await row('o3'), undefined);
    assert.equal(
      (await h.db.selectFrom('ita_cycle').select('state').where('id', '=', cycleId).executeTakeFirstOrThrow()).state,
      'open',
    );
  });

  it('closes a cycle only with the confirmation, then refuses changes with a translated message', async () => {
    const res = await open('admin@opdc.example', { fiscalYear: String(year - 1), staffCount: '20' });
    const id = idOf(res.headers.location as string);
    const unconfirmed = await post('admin@opdc.example', `/staff/ita/${id}/close`, {});
    assert.equal(unconfirmed.statusCode, 400);
    assert.match(unconfirmed.body, /id="confirm-error"/);
    assert.equal((await post('assessor@opdc.example', `/staff/ita/${id}/close`, { confirm: 'yes' })).statusCode, 403);
    const closed = await post('admin@opdc.example', `/staff/ita/${id}/close`, { confirm: 'yes' });
    assert.equal(closed.statusCode, 303);
    const view = await page('admin@opdc.example', oit(id));
    assert.match(view.body, /รอบการประเมินนี้ปิดแล้ว ดูได้อย่างเดียว/);
    assert.doesNotMatch(view.body, /\/evidence"/);
    const refused = await postFile('admin@opdc.example', `${oit(id)}/o1/evidence`, {
      url: 'https://agency.example/late',
    });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /role="alert"[\s\S]*รอบการประเมินนี้ปิดแล้ว/);
    assert.equal(
      (await post('assessor@opdc.example', `${oit(id)}/o1/verdict`, { verdict: 'yes', comment: '' })).statusCode,
      409,
    );
    assert.equal((await post('admin@opdc.example', `/staff/ita/${id}/close`, { confirm: 'yes' })).statusCode, 409);
    assert.equal(await row('o1', id), undefined);
    assert.doesNotMatch(
      (await page('admin@opdc.example', `/staff/ita/${id}`)).body,
      new RegExp(`action="/staff/ita/${id}/settings"`),
      'no settings form on a closed cycle',
    );
    const late = await post('admin@opdc.example', `/staff/ita/${id}/settings`, { staffCount: '30' });
    assert.equal(late.statusCode, 409);
    assert.match(late.body, /role="alert"[\s\S]*รอบการประเมินนี้ปิดแล้ว/);
    assert.equal(
      (await h.db.selectFrom('ita_cycle').select('staff_count').where('id', '=', id).executeTakeFirstOrThrow())
        .staff_count,
      20,
    );
  });
  it('says on the OIT page where each item comes from, and that a draft framework is one', async () => {
    const draft = await page('admin@opdc.example', oit());
    assert.match(draft.body, /class="alert" role="note">กรอบการประเมินนี้เป็นร่างของสุจริต/);
    assert.match(draft.body, /<strong>ยังไม่ยืนยันกับเอกสารของสำนักงาน ป\.ป\.ช\.<\/strong>/);

    const res = await post('admin@opdc.example', '/staff/ita', {
      framework: 'ita-2565.json',
      fiscalYear: String(year - 4),
      staffCount: '40',
    });
    assert.equal(res.statusCode, 303, res.body);
    const nacc = await page('admin@opdc.example', oit(idOf(res.headers.location as string)));
    assert.equal(nacc.statusCode, 200);
    assert.doesNotMatch(nacc.body, /role="note">กรอบการประเมินนี้เป็นร่าง/);
    assert.match(nacc.body, /<h3>9\.4 การบริหารและพัฒนาทรัพยากรบุคคล<\/h3>/);
    assert.match(nacc.body, /O31 · ข้อมูลเชิงสถิติเรื่องร้องเรียนการทุจริตและประพฤติมิชอบประจำปี/);
    assert.match(nacc.body, /เลขข้อและถ้อยคำตามแหล่งที่มา[\s\S]*?<a href="http:\/\/mtps\.ac\.th\/site\/oit\/"/);
    naccCycleOf2565 = idOf(res.headers.location as string);
  });

  let naccCycleOf2565: number;
  it('shows the next year what changed in the checklist and brings the evidence of continuing items over', async () => {
    const saved = await postFile('admin@opdc.example', `${oit(naccCycleOf2565)}/o36/evidence`, {
      url: 'https://agency.example/risk',
      note: 'risk register',
    });
    assert.equal(saved.statusCode, 303, saved.body);
    const res = await open('admin@opdc.example', { fiscalYear: String(year - 3), staffCount: '40' });
    const next = idOf(res.headers.location as string);
    const view = await page('assessor@opdc.example', oit(next));
    assert.match(view.body, new RegExp(`รายการตรวจเทียบกับปีงบประมาณ ${year - 4}`));
    assert.match(view.body, /ถ้อยคำเดิม 21 ข้อ เปลี่ยนชื่อ 0 ข้อ รวมข้อ 0 ข้อ ข้อใหม่ 12 ข้อ ข้อที่ไม่มีแล้ว 22 ข้อ/);
    assert.match(
      view.body,
      /<strong>ถ้อยคำเดิม<\/strong>: o27 การประเมินความเสี่ยงการทุจริตประจำปี ← O36 การประเมินความเสี่ยงการทุจริตประจำปี/,
    );
    const carried = await post('assessor@opdc.example', `${oit(next)}/carry-over`, { from: String(naccCycleOf2565) });
    assert.equal(carried.statusCode, 303, carried.body);
    assert.equal(carried.headers.location, `/staff/ita/${next}/oit?sent=carried`);
    assert.deepEqual(
      [(await row('o27', next))?.evidence_url, (await row('o27', next))?.verdict],
      ['https://agency.example/risk', null],
    );
    const refused = await post('assessor@opdc.example', `${oit(next)}/carry-over`, { from: String(next) });
    assert.equal(refused.statusCode, 400);
  });
});
