// Hostile input against the pages and the API: forged forms, oversized and broken uploads, wrong
// receipts, cross-agency probing, forged reporter tokens, script injection, and a database outage.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { connect, type Db } from '../db/connection.ts';
import { translator } from '../i18n/messages.ts';
import { MAX_FILES } from '../intake/limits.ts';
import { openAttachmentMeta, sealAttachmentMeta } from '../intake/attachments.ts';
import { issueReporterToken, openReporterSession, readReporterToken } from '../intake/reporter-session.ts';
import { buildApp } from './app.ts';
import { plainPng } from '../../test/support/images.ts';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedRecipient,
  seedStaff,
  type TestApp,
} from '../../test/support/app.ts';
import {
  cookieHeader,
  caseFormOf,
  csrfOf,
  get,
  keepCookies,
  multipart,
  newJar,
  postForm,
  postMultipart,
  receiptOf,
  type FilePart,
  type Jar,
} from '../../test/support/web.ts';

const t = translator('th');
const MB = 1024 * 1024;
const FILE_PARAMS = { count: MAX_FILES, fileMb: 1, totalMb: 2 };

const A = 'OPDC';
const B = 'DOPA';
const A_OFFICER = 'officer@opdc.example';
const B_OFFICER = 'officer@dopa.example';

/** What Eta's auto-escaping makes of a text. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function textareaOf(html: string, id: string): string | null {
  const m = new RegExp(`<textarea id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m ? m[1] : null;
}

function inputValueOf(html: string, id: string): string | null {
  const m = new RegExp(`<input id="${id}"[^>]*? value="([^"]*)"`).exec(html);
  return m ? m[1] : null;
}

function alertOf(html: string): string | null {
  const m = /class="alert" role="alert"[^>]*>([\s\S]*?)<\/(?:p|div)>/.exec(html);
  return m
    ? m[1]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : null;
}

type Part = { name: string; value: string } | { name: string; file: FilePart };

/** A multipart body with the parts in exactly the order given (a browser sends fields first). */
async function orderedMultipart(parts: Part[]): Promise<{ body: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const p of parts) {
    if ('file' in p) fd.append(p.name, new Blob([new Uint8Array(p.file.data)], { type: p.file.type }), p.file.name);
    else fd.append(p.name, p.value);
  }
  const req = new Request('http://127.0.0.1/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

async function postRaw(
  app: FastifyInstance,
  jar: Jar,
  url: string,
  contentType: string,
  body: Buffer | string,
): Promise<LightMyRequestResponse> {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { cookie: cookieHeader(jar), 'content-type': contentType },
    payload: body,
  });
  keepCookies(jar, res);
  return res;
}

function textFile(name: string, size: number, fill = 'a'): FilePart {
  return { name, type: 'text/plain', data: Buffer.alloc(size, fill) };
}

type Counts = { cases: number; blobs: number; attachments: number; messages: number; sessions: number };

async function counts(db: Db): Promise<Counts> {
  const n = async (table: 'report_case' | 'blob' | 'attachment' | 'case_message' | 'staff_session') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    cases: await n('report_case'),
    blobs: await n('blob'),
    attachments: await n('attachment'),
    messages: await n('case_message'),
    sessions: await n('staff_session'),
  };
}

/** A receipt on a page: the <output> it is shown in, or 16 digits in a row (spaces and commas aside). */
function hasReceipt(html: string): boolean {
  return /<output\b/.test(html) || /(?:\d[\s,]*){16}/.test(html.replace(/value="[^"]*"/g, ''));
}

function assertNoReceipt(res: LightMyRequestResponse): void {
  assert.equal(hasReceipt(res.body), false, 'no receipt is shown');
}

/** Lists the security headers every answer carries that `headers` lacks. */
function missingSecurityHeaders(headers: Record<string, unknown>): string[] {
  const missing: string[] = [];
  if (!/script-src 'none'/.test(String(headers['content-security-policy'] ?? '')))
    missing.push('content-security-policy');
  if (headers['x-content-type-options'] !== 'nosniff') missing.push('x-content-type-options');
  if (headers['referrer-policy'] !== 'no-referrer') missing.push('referrer-policy');
  if (headers['cache-control'] !== 'no-store') missing.push('cache-control');
  return missing;
}

/** Sends `request` as raw bytes to a listening server and parses the one answer. */
function rawHttp(
  port: number,
  request: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (b) => chunks.push(b));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...body] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body.join('\r\n\r\n') });
    });
  });
}

function assertCsp(res: LightMyRequestResponse): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  assert.match(csp, /script-src 'none'/, `CSP of ${res.raw.req?.url ?? ''}: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
}

describe('hostile input', () => {
  let h: TestApp;
  let aOfficerId: number;

  const TYPED = {
    agency: A,
    category: 'bribery',
    what: 'ปลัดเรียกเงิน 5,000 บาท & ขู่ว่าจะไม่อนุมัติ "ใบอนุญาต"',
    when: 'ต้นเดือนมีนาคม',
    where: 'ที่ว่าการอำเภอ',
    who: 'ปลัดอำเภอ <คนใหม่>',
    identityName: 'สมหญิง',
    identityContact: 'somying@example.org',
  };

  /** Opens the report form in `jar` and returns its CSRF token. */
  const formToken = async (jar: Jar) => csrfOf((await get(h.app, jar, '/report')).body);

  /** Files a report through the form; returns the receipt, reference and case id. */
  const fileReport = async (fields: Record<string, string>, files: FilePart[] = []) => {
    const jar = newJar();
    const res = await postMultipart(h.app, jar, '/report', { _csrf: await formToken(jar), ...fields }, files);
    assert.equal(res.statusCode, 200, res.body);
    const receipt = receiptOf(res.body);
    assert.ok(hasReceipt(res.body), 'the receipt detector sees a receipt');
    const reference = /\b([A-Z][A-Z0-9_]+-\d{4}-\d{6})\b/.exec(res.body)![1];
    const { id } = await h.db
      .selectFrom('report_case')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    return { receipt, reference, caseId: id, receiptPage: res };
  };

  const reporterJar = async (receipt: string) => {
    const jar = newJar();
    const login = await get(h.app, jar, '/followup');
    const res = await postForm(h.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt });
    assert.equal(res.statusCode, 303, res.body);
    assert.ok(jar.get('sj_reporter'));
    return jar;
  };

  const staffJar = async (email: string) => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email,
      password: PASSWORD,
      code: loginCode(email),
    });
    assert.equal(res.statusCode, 303, res.body);
    return jar;
  };

  const staffToken = async (email: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/staff/session',
      payload: { email, password: PASSWORD, code: loginCode(email) },
    });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { token: string }).token;
  };

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  const attachmentIds = async (caseId: string) =>
    (await h.db.selectFrom('attachment').select('id').where('case_id', '=', caseId).execute()).map((r) => r.id);

  before(async () => {
    h = await createTestApp({ SUJARIT_MAX_FILE_MB: '1', SUJARIT_MAX_REPORT_MB: '2' });
    await seedAgency(h.db, A);
    await seedAgency(h.db, B);
    aOfficerId = (await seedRecipient(h.db, A, A_OFFICER)).id;
    await seedRecipient(h.db, B, B_OFFICER);
  });
  after(() => h.close());

  describe('CSRF', () => {
    it('refuses a report without a token, and stores nothing', async () => {
      const jar = newJar();
      await formToken(jar);
      const before = await counts(h.db);
      const res = await postMultipart(h.app, jar, '/report', TYPED, [textFile('evidence.txt', 100_000)]);
      assert.equal(res.statusCode, 403, res.body);
      assert.match(res.body, new RegExp(escapeHtml(t('error.csrf'))));
      assertNoReceipt(res);
      assert.deepEqual(await counts(h.db), before);
    });

    it('refuses a report with a token from another cookie jar', async () => {
      const victim = newJar();
      const attacker = newJar();
      const attackerToken = await formToken(attacker);
      await formToken(victim);
      const before = await counts(h.db);
      const res = await postMultipart(h.app, victim, '/report', { _csrf: attackerToken, ...TYPED }, [
        textFile('evidence.txt', 1000),
      ]);
      assert.equal(res.statusCode, 403, res.body);
      // and with no cookie at all
      const bare = await postMultipart(h.app, newJar(), '/report', { _csrf: attackerToken, ...TYPED });
      assert.equal(bare.statusCode, 403, bare.body);
      assert.deepEqual(await counts(h.db), before);
    });

    it('refuses a report whose token comes after a file', async () => {
      const jar = newJar();
      const token = await formToken(jar);
      const before = await counts(h.db);
      const { body, contentType } = await orderedMultipart([
        ...Object.entries(TYPED).map(([name, value]) => ({ name, value })),
        { name: 'files', file: textFile('evidence.txt', 300_000) },
        { name: '_csrf', value: token },
      ]);
      const res = await postRaw(h.app, jar, '/report', contentType, body);
      assert.equal(res.statusCode, 403, res.body);
      assertNoReceipt(res);
      assert.deepEqual(await counts(h.db), before, 'not even an orphan blob is written');
    });

    it('refuses a receipt login without a token', async () => {
      const { receipt } = await fileReport({ ...TYPED, what: 'เรื่องสำหรับ CSRF ของการติดตาม' });
      const jar = newJar();
      await get(h.app, jar, '/followup');
      const res = await postForm(h.app, jar, '/followup', { receipt });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(jar.has('sj_reporter'), false);
    });

    it('refuses a staff login without a token', async () => {
      const jar = newJar();
      await get(h.app, jar, '/staff/login');
      const before = await counts(h.db);
      const res = await postForm(h.app, jar, '/staff/login', { email: A_OFFICER, password: PASSWORD });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(jar.has('sj_staff'), false);
      assert.deepEqual(await counts(h.db), before);
    });

    it('refuses a reporter message and a staff status change without a token', async () => {
      const { receipt, reference } = await fileReport({ ...TYPED, what: 'เรื่องสำหรับ CSRF ของข้อความ' });
      const reporter = await reporterJar(receipt);
      const before = await counts(h.db);
      const msg = await postMultipart(h.app, reporter, '/followup/case/messages', { message: 'ข้อความปลอม' });
      assert.equal(msg.statusCode, 403, msg.body);
      const staff = await staffJar(A_OFFICER);
      const status = await postForm(h.app, staff, `/staff/cases/${reference}/transition`, {
        to: 'acknowledged',
        reason: 'x',
      });
      assert.equal(status.statusCode, 403, status.body);
      const after = await counts(h.db);
      assert.equal(after.messages, before.messages);
      const row = await h.db
        .selectFrom('report_case')
        .select('status')
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'new');
    });
  });

  describe('oversized and broken files', () => {
    const assertFormKept = (res: LightMyRequestResponse) => {
      assert.equal(textareaOf(res.body, 'what'), escapeHtml(TYPED.what), 'what is kept');
      assert.equal(textareaOf(res.body, 'who'), escapeHtml(TYPED.who), 'who is kept');
      assert.equal(inputValueOf(res.body, 'when'), escapeHtml(TYPED.when));
      assert.equal(inputValueOf(res.body, 'where'), escapeHtml(TYPED.where));
      assert.equal(inputValueOf(res.body, 'identityName'), escapeHtml(TYPED.identityName));
      assert.equal(inputValueOf(res.body, 'identityContact'), escapeHtml(TYPED.identityContact));
      assert.match(res.body, new RegExp(`<option value="${A}" selected>`));
      assert.match(res.body, /value="bribery" required checked/);
      assert.match(res.body, /name="_csrf" value="[^"]+"/, 'the form can be sent again');
      assertNoReceipt(res);
    };

    const send = async (files: FilePart[]) => {
      const jar = newJar();
      const before = await counts(h.db);
      const res = await postMultipart(h.app, jar, '/report', { _csrf: await formToken(jar), ...TYPED }, files);
      const after = await counts(h.db);
      assert.equal(after.cases, before.cases, 'no report is stored');
      assert.equal(after.attachments, before.attachments, 'no attachment is stored');
      return res;
    };

    it('refuses a file over the file limit and gives the form back with the text', async () => {
      const res = await send([textFile('big.txt', 1.5 * MB)]);
      assert.equal(res.statusCode, 413, res.body);
      assertFormKept(res);
      assert.match(res.body, new RegExp(escapeHtml(t('error.file_too_large', FILE_PARAMS)).replace(/[()]/g, '\\$&')));
      assert.match(res.body, new RegExp(escapeHtml(t('error.reselect_files'))));
    });

    it('refuses files over the report limit and gives the form back with the text', async () => {
      const res = await send([
        textFile('a.txt', 0.9 * MB, 'a'),
        textFile('b.txt', 0.9 * MB, 'b'),
        textFile('c.txt', 0.9 * MB, 'c'),
      ]);
      assert.equal(res.statusCode, 413, res.body);
      assertFormKept(res);
      assert.match(res.body, new RegExp(escapeHtml(t('error.report_too_large', FILE_PARAMS)).replace(/[()]/g, '\\$&')));
      assert.match(res.body, new RegExp(escapeHtml(t('error.reselect_files'))));
    });

    it('refuses more than the allowed number of files', async () => {
      const res = await send(Array.from({ length: MAX_FILES + 1 }, (_, i) => textFile(`f${i}.txt`, 10)));
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`);
      assertFormKept(res);
      assert.match(res.body, new RegExp(escapeHtml(t('error.too_many_files', FILE_PARAMS))));
      assert.match(res.body, new RegExp(escapeHtml(t('error.reselect_files'))));
    });

    it('refuses a corrupt JPEG with a clear message', async () => {
      const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(20_000)]);
      const res = await send([{ name: 'photo.jpg', type: 'image/jpeg', data: corrupt }]);
      assert.equal(res.statusCode, 400, res.body);
      assertFormKept(res);
      assert.match(res.body, new RegExp(escapeHtml(t('error.bad_image'))));
      assert.match(res.body, new RegExp(escapeHtml(t('error.reselect_files'))));
    });
  });

  describe('malformed multipart', () => {
    const assertBadRequestPage = (res: LightMyRequestResponse) => {
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assertNoReceipt(res);
    };

    it('refuses a body whose boundary is not the declared one with 400', async () => {
      const jar = newJar();
      const { body } = await multipart({ _csrf: await formToken(jar), ...TYPED });
      const before = await counts(h.db);
      const res = await postRaw(h.app, jar, '/report', 'multipart/form-data; boundary=----not-the-boundary', body);
      assertBadRequestPage(res);
      assert.deepEqual(await counts(h.db), before);
    });

    it('refuses a truncated body with 400', async () => {
      const jar = newJar();
      const { body, contentType } = await multipart({ _csrf: await formToken(jar), ...TYPED }, [
        textFile('evidence.txt', 200_000),
      ]);
      const before = await counts(h.db);
      const res = await postRaw(h.app, jar, '/report', contentType, body.subarray(0, body.length - 100_000));
      assertBadRequestPage(res);
      assert.equal((await counts(h.db)).cases, before.cases);
    });

    it('refuses a multipart content type without a boundary with 400', async () => {
      const jar = newJar();
      const { body } = await multipart({ _csrf: await formToken(jar), ...TYPED });
      assertBadRequestPage(await postRaw(h.app, jar, '/report', 'multipart/form-data', body));
    });

    it('refuses a truncated reply on the follow-up and staff pages with 400', async () => {
      const { receipt, reference } = await fileReport({ ...TYPED, what: 'เรื่องสำหรับข้อความที่ขาดกลาง' });
      const reporter = await reporterJar(receipt);
      const page = await get(h.app, reporter, '/followup/case');
      const before = await counts(h.db);
      const cut = async (token: string) => {
        const { body, contentType } = await multipart({ _csrf: token, message: 'ข้อความที่ขาดกลาง' }, [
          textFile('evidence.txt', 200_000),
        ]);
        return { body: body.subarray(0, body.length - 100_000), contentType };
      };
      const r = await cut(csrfOf(page.body));
      const reporterRes = await postRaw(h.app, reporter, '/followup/case/messages', r.contentType, r.body);
      const staff = await staffJar(A_OFFICER);
      const staffPage = await get(h.app, staff, `/staff/cases/${reference}`);
      const s = await cut(csrfOf(staffPage.body));
      const staffRes = await postRaw(h.app, staff, `/staff/cases/${reference}/messages`, s.contentType, s.body);
      assert.deepEqual([reporterRes.statusCode, staffRes.statusCode], [400, 400]);
      assert.equal((await counts(h.db)).messages, before.messages);
    });

    it('refuses a body that is not multipart with 400', async () => {
      const jar = newJar();
      const token = await formToken(jar);
      const before = await counts(h.db);
      assertBadRequestPage(
        await postRaw(
          h.app,
          jar,
          '/report',
          'application/x-www-form-urlencoded',
          new URLSearchParams({ _csrf: token, ...TYPED }).toString(),
        ),
      );
      assertBadRequestPage(await postRaw(h.app, jar, '/report', 'text/plain', 'what=hello'));
      assertBadRequestPage(
        await postRaw(h.app, jar, '/report', 'application/json', JSON.stringify({ _csrf: token, ...TYPED })),
      );
      assert.deepEqual(await counts(h.db), before);
    });
  });

  describe('receipts', () => {
    it('refuses wrong receipts alike and accepts the right one in Thai digits', async () => {
      const what = 'เรื่องสำหรับทดสอบเลขรับแจ้ง';
      const { receipt } = await fileReport({ ...TYPED, what });
      const last = Number(receipt[15]);
      const wrong16 = receipt.slice(0, 15) + String((last + 1) % 10);
      const attempt = async (value: string) => {
        const jar = newJar();
        const page = await get(h.app, jar, '/followup');
        const res = await postForm(h.app, jar, '/followup', { _csrf: csrfOf(page.body), receipt: value });
        return { res, jar };
      };
      const wrong = await attempt(wrong16);
      const malformed = await attempt('12ab-!!');
      const tooLong = await attempt('1'.repeat(40));
      for (const r of [wrong, malformed, tooLong]) {
        assert.equal(r.res.statusCode, wrong.res.statusCode);
        assert.equal(r.jar.has('sj_reporter'), false);
        assert.equal(alertOf(r.res.body), alertOf(wrong.res.body));
        assert.equal(
          r.res.body.replace(/value="[^"]*"/g, ''),
          wrong.res.body.replace(/value="[^"]*"/g, ''),
          'the pages are the same but for the CSRF token',
        );
      }
      assert.equal(wrong.res.statusCode, 401);
      assert.equal(alertOf(wrong.res.body), escapeHtml(t('error.receipt_wrong')));

      const thai = receipt
        .replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)))
        .replace(/(.{4})(?=.)/g, '$1 ');
      assert.match(thai, /^[๐-๙]{4} [๐-๙]{4} [๐-๙]{4} [๐-๙]{4}$/);
      const right = await attempt(thai);
      assert.equal(right.res.statusCode, 303, right.res.body);
      assert.equal(right.res.headers.location, '/followup/case');
      const view = await get(h.app, right.jar, '/followup/case');
      assert.equal(view.statusCode, 200);
      assert.match(view.body, new RegExp(what));

      const ascii = await attempt(receipt);
      assert.equal(ascii.res.statusCode, 303);
    });

    it('refuses wrong receipts alike on the API', async () => {
      const { receipt } = await fileReport({ ...TYPED, what: 'เลขรับแจ้งผ่าน API' });
      const login = (value: string) =>
        h.app.inject({ method: 'POST', url: '/api/v1/reporter/session', payload: { receipt: value } });
      const wrong = await login(receipt.slice(0, 15) + String((Number(receipt[15]) + 1) % 10));
      const malformed = await login('abc');
      assert.equal(wrong.statusCode, 401);
      assert.equal(malformed.statusCode, 401);
      assert.deepEqual(wrong.json(), malformed.json());
      const thai = await login(
        receipt.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d))).replace(/(.{4})(?=.)/g, '$1 '),
      );
      assert.equal(thai.statusCode, 200, thai.body);
    });
  });

  describe('cross-agency access', () => {
    let aCase: Awaited<ReturnType<typeof fileReport>>;
    let bCase: Awaited<ReturnType<typeof fileReport>>;
    before(async () => {
      aCase = await fileReport({ ...TYPED, agency: A, what: 'เรื่องของหน่วยงาน A' }, [
        textFile('a-evidence.txt', 1000, 'A'),
      ]);
      bCase = await fileReport({ ...TYPED, agency: B, what: 'เรื่องของหน่วยงาน B' }, [
        textFile('b-evidence.txt', 1000, 'B'),
      ]);
    });

    const deniedAudits = async (reference: string) =>
      Number(
        (
          await h.db
            .selectFrom('audit_event')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('action', '=', 'case_access_denied')
            .where('actor_user_id', '=', aOfficerId)
            .where('case_reference', '=', reference)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('answers a case of another agency exactly like a nonexistent one on the pages, and audits it', async () => {
      const jar = await staffJar(A_OFFICER);
      const audits = await deniedAudits(bCase.reference);
      const other = await get(h.app, jar, `/staff/cases/${bCase.reference}`);
      const none = await get(h.app, jar, `/staff/cases/${B}-2569-999999`);
      assert.equal(other.statusCode, 404);
      assert.equal(none.statusCode, 404);
      assert.equal(other.body, none.body);
      assert.doesNotMatch(other.body, /หน่วยงาน B/);
      assert.equal(await deniedAudits(bCase.reference), audits + 1);
    });

    it('answers a case of another agency exactly like a nonexistent one on the API, and audits it', async () => {
      const token = await staffToken(A_OFFICER);
      const audits = await deniedAudits(bCase.reference);
      const other = await api('GET', `/api/v1/cases/${bCase.reference}`, token);
      const missing = `${B}-2569-999999`;
      const none = await api('GET', `/api/v1/cases/${missing}`, token);
      assert.equal(other.statusCode, 404);
      assert.equal(none.statusCode, 404);
      const p1 = other.json() as Record<string, unknown>;
      const p2 = none.json() as Record<string, unknown>;
      assert.deepEqual(
        { ...p1, detail: String(p1.detail).replace(bCase.reference, 'REF') },
        { ...p2, detail: String(p2.detail).replace(missing, 'REF') },
      );
      assert.equal(await deniedAudits(bCase.reference), audits + 1);

      assert.equal(
        (await api('POST', `/api/v1/cases/${bCase.reference}/messages`, token, { text: 'แทรกข้อความ' })).statusCode,
        404,
      );
      assert.equal(
        (await api('POST', `/api/v1/cases/${bCase.reference}/transitions`, token, { to: 'acknowledged', reason: 'x' }))
          .statusCode,
        404,
      );
      const b = await h.db
        .selectFrom('report_case')
        .select('status')
        .where('id', '=', bCase.caseId)
        .executeTakeFirstOrThrow();
      assert.equal(b.status, 'new');
      const bMessages = await h.db
        .selectFrom('case_message')
        .select('id')
        .where('case_id', '=', bCase.caseId)
        .execute();
      assert.equal(bMessages.length, 0);
    });

    it('leaves the case of another agency out of the lists', async () => {
      const jar = await staffJar(A_OFFICER);
      const page = await get(h.app, jar, '/staff/cases');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(aCase.reference));
      assert.doesNotMatch(page.body, new RegExp(bCase.reference));
      const token = await staffToken(A_OFFICER);
      const list = (await api('GET', '/api/v1/cases', token)).json() as { items: { reference: string }[] };
      const refs = list.items.map((i) => i.reference);
      assert.ok(refs.includes(aCase.reference));
      assert.equal(refs.includes(bCase.reference), false);
      assert.ok(refs.every((r) => r.startsWith(`${A}-`)));
    });

    it('refuses an attachment of another agency through any URL with 404', async () => {
      const jar = await staffJar(A_OFFICER);
      const [bAttachment] = await attachmentIds(bCase.caseId);
      const [aAttachment] = await attachmentIds(aCase.caseId);
      const own = await get(h.app, jar, `/staff/cases/${aCase.reference}/attachments/${aAttachment}`);
      assert.equal(own.statusCode, 200, 'the recipient can download their own agency’s file');
      const viaOwnCase = await get(h.app, jar, `/staff/cases/${aCase.reference}/attachments/${bAttachment}`);
      assert.equal(viaOwnCase.statusCode, 404);
      assert.doesNotMatch(viaOwnCase.body, /BBBB/);
      const viaOtherCase = await get(h.app, jar, `/staff/cases/${bCase.reference}/attachments/${bAttachment}`);
      assert.equal(viaOtherCase.statusCode, 404);
      assert.doesNotMatch(viaOtherCase.body, /BBBB/);
      // A reporter cannot reach another case's file with their own session either.
      const reporter = await reporterJar(aCase.receipt);
      const viaReporter = await get(h.app, reporter, `/followup/case/attachments/${bAttachment}`);
      assert.equal(viaReporter.statusCode, 404);
      assert.doesNotMatch(viaReporter.body, /BBBB/);
    });

    it('refuses a recipient added after the report was filed', async () => {
      const late = 'late@opdc.example';
      const filedBefore = await fileReport({ ...TYPED, what: 'ก่อนเจ้าหน้าที่ใหม่' });
      const { id: lateId } = await seedRecipient(h.db, A, late);
      const filedAfter = await fileReport({ ...TYPED, what: 'หลังเจ้าหน้าที่ใหม่' });
      const keys = await h.db
        .selectFrom('case_key')
        .select('user_id')
        .where('case_id', '=', filedBefore.caseId)
        .execute();
      assert.equal(
        keys.some((k) => k.user_id === lateId),
        false,
        'the earlier case is not sealed to the late recipient',
      );

      const jar = await staffJar(late);
      const list = await get(h.app, jar, '/staff/cases');
      assert.doesNotMatch(list.body, new RegExp(filedBefore.reference));
      assert.match(list.body, new RegExp(filedAfter.reference));
      // As an intake officer of the agency they see the earlier case's metadata, never its content.
      const page = await get(h.app, jar, `/staff/cases/${filedBefore.reference}`);
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /ก่อนเจ้าหน้าที่ใหม่/);
      const token = await staffToken(late);
      assert.equal((await api('GET', `/api/v1/cases/${filedBefore.reference}`, token)).statusCode, 404);
      const apiList = (await api('GET', '/api/v1/cases', token)).json() as { items: { reference: string }[] };
      assert.equal(
        apiList.items.some((i) => i.reference === filedBefore.reference),
        false,
      );
      assert.equal((await api('GET', `/api/v1/cases/${filedAfter.reference}`, token)).statusCode, 200);
      const audit = await h.db
        .selectFrom('audit_event')
        .select('id')
        .where('action', '=', 'case_access_denied')
        .where('actor_user_id', '=', lateId)
        .where('case_reference', '=', filedBefore.reference)
        .execute();
      assert.ok(audit.length >= 1, 'the refused opening through the API is audited');
    });
  });

  describe('reporter tokens', () => {
    let validToken: string;
    before(async () => {
      const { receipt } = await fileReport({ ...TYPED, what: 'เรื่องสำหรับทดสอบโทเคน' });
      validToken = (await reporterJar(receipt)).get('sj_reporter')!;
    });

    const assertLoggedOut = async (token: string) => {
      const jar = newJar();
      jar.set('sj_reporter', token);
      const view = await get(h.app, jar, '/followup/case');
      assert.equal(view.statusCode, 303);
      assert.equal(view.headers.location, '/followup');
      const before = await counts(h.db);
      const msg = await postMultipart(h.app, jar, '/followup/case/messages', {
        _csrf: 'x',
        message: 'ข้อความที่ไม่ควรถูกบันทึก',
      });
      assert.equal(msg.statusCode, 303);
      assert.equal(msg.headers.location, '/followup');
      assert.equal((await counts(h.db)).messages, before.messages);
      const apiRes = await api('GET', '/api/v1/reporter/report', token);
      assert.equal(apiRes.statusCode, 401);
    };

    it('accepts the genuine token', async () => {
      const jar = newJar();
      jar.set('sj_reporter', validToken);
      const view = await get(h.app, jar, '/followup/case');
      assert.equal(view.statusCode, 200);
      assert.match(view.body, /เรื่องสำหรับทดสอบโทเคน/);
    });

    it('refuses a forged token', async () => {
      await assertLoggedOut(randomBytes(120).toString('base64url'));
      await assertLoggedOut('not a token');
      await assertLoggedOut('');
    });

    it('refuses an altered token', async () => {
      const i = Math.floor(validToken.length / 2);
      const flipped = validToken.slice(0, i) + (validToken[i] === 'A' ? 'B' : 'A') + validToken.slice(i + 1);
      await assertLoggedOut(flipped);
      await assertLoggedOut(validToken.slice(0, -4));
      await assertLoggedOut(`${validToken}AAAA`);
    });

    it('refuses a token sealed with another key', async () => {
      const session = (await readReporterToken(h.db, h.deps.secrets.cookieKey, validToken))!;
      await assertLoggedOut(issueReporterToken(randomBytes(32), session));
    });

    it('refuses a token copied before the reporter logged out, on the web and in the API', async () => {
      const { receipt } = await fileReport({ ...TYPED, what: 'เรื่องสำหรับทดสอบการออกจากระบบ' });
      const jar = await reporterJar(receipt);
      const copied = jar.get('sj_reporter')!;
      const page = await get(h.app, jar, '/followup/case');
      assert.equal(page.statusCode, 200);
      const out = await postForm(h.app, jar, '/followup/logout', { _csrf: csrfOf(page.body) });
      assert.equal(out.statusCode, 303);
      await assertLoggedOut(copied);
      const replay = newJar();
      replay.set('sj_reporter', copied);
      assert.equal((await get(h.app, replay, '/followup/case/certificate')).headers.location, '/followup');
      assert.equal((await api('POST', '/api/v1/reporter/messages', copied, { text: 'หลังออกจากระบบ' })).statusCode, 401);
      assert.equal((await api('POST', '/api/v1/reporter/logout', copied)).statusCode, 401);
      const stored = await h.db.selectFrom('revoked_reporter_token').selectAll().execute();
      assert.ok(
        stored.every((r) => Object.keys(r).length === 2 && r.expires_at.getTime() % 3_600_000 === 0),
        'a hash and an hour, nothing else',
      );
    });

    it('refuses an expired token', async () => {
      const session = (await readReporterToken(h.db, h.deps.secrets.cookieKey, validToken))!;
      assert.ok(session);
      await assertLoggedOut(issueReporterToken(h.deps.secrets.cookieKey, session, Date.now() - 24 * 3600_000));
      await assertLoggedOut(issueReporterToken(h.deps.secrets.cookieKey, session, Date.now() - 31 * 60_000));
    });
  });

  describe('script injection', () => {
    const SCRIPT = '<script>alert(1)</script>';
    const IMG = '"><img src=x onerror=alert(1)>';
    const FILE_NAME = '<img src=x onerror=alert(1)>.txt'; // a browser sends `"` in a file name as %22

    const assertEscaped = (res: LightMyRequestResponse, where: string, shown = [SCRIPT, IMG]) => {
      assert.equal(res.statusCode, 200, `${where}: ${res.body}`);
      assert.equal(res.body.includes('<script'), false, `${where}: a script element`);
      assert.equal(res.body.includes('<img'), false, `${where}: an img element`);
      assert.equal(res.body.includes('onerror=alert(1)>'), false, `${where}: an unescaped attribute`);
      for (const text of shown) assert.ok(res.body.includes(escapeHtml(text)), `${where}: ${text} shown as text`);
      assertCsp(res);
    };

    it('shows injected markup as text on the receipt, follow-up and staff pages', async () => {
      const { receipt, reference, receiptPage } = await fileReport(
        { ...TYPED, what: `${SCRIPT} ${IMG}`, who: IMG, where: SCRIPT, identityName: IMG },
        [textFile(FILE_NAME, 10)],
      );
      assertEscaped(receiptPage, 'receipt page', [FILE_NAME]); // the receipt page names the files only

      const reporter = await reporterJar(receipt);
      const form = await get(h.app, reporter, '/followup/case');
      const sent = await postMultipart(h.app, reporter, '/followup/case/messages', {
        ...caseFormOf(form.body),
        message: `ตอบ ${SCRIPT}${IMG}`,
      });
      assert.equal(sent.statusCode, 303, sent.body);
      assertEscaped(await get(h.app, reporter, '/followup/case'), 'follow-up page', [SCRIPT, IMG, FILE_NAME]);

      const staff = await staffJar(A_OFFICER);
      const staffPage = await get(h.app, staff, `/staff/cases/${reference}`);
      assertEscaped(staffPage, 'staff page', [SCRIPT, IMG, FILE_NAME]);
      const identity = await postForm(h.app, staff, `/staff/cases/${reference}/identity`, {
        _csrf: csrfOf(staffPage.body),
      });
      assertEscaped(identity, 'staff page with identity');
    });

    it('keeps injected markup escaped when the form comes back', async () => {
      const jar = newJar();
      const res = await postMultipart(
        h.app,
        jar,
        '/report',
        { _csrf: await formToken(jar), agency: A, category: 'bribery', what: `${SCRIPT}${IMG}`, when: IMG, where: IMG },
        [textFile('big.txt', 1.5 * MB)],
      );
      assert.equal(res.statusCode, 413);
      assert.equal(res.body.includes('<script'), false);
      assert.equal(res.body.includes('<img'), false);
      assert.equal(textareaOf(res.body, 'what'), escapeHtml(`${SCRIPT}${IMG}`));
      assert.equal(inputValueOf(res.body, 'when'), escapeHtml(IMG));
    });

    it('sends a strict Content-Security-Policy on every page', async () => {
      const jar = newJar();
      for (const url of ['/', '/report', '/followup', '/staff/login', '/no-such-page']) {
        assertCsp(await get(h.app, jar, url));
      }
      assertCsp(await postMultipart(h.app, jar, '/report', TYPED));
    });
  });

  describe('attachment downloads', () => {
    it('sends an HTML file as an octet-stream attachment', async () => {
      const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
      const { receipt, reference, caseId } = await fileReport({ ...TYPED, what: 'แนบไฟล์ HTML' }, [
        { name: 'x.html', type: 'text/html', data: html },
      ]);
      const [id] = await attachmentIds(caseId);
      const check = (res: LightMyRequestResponse, who: string) => {
        assert.equal(res.statusCode, 200, `${who}: ${res.body}`);
        assert.equal(res.headers['content-type'], 'application/octet-stream', who);
        assert.match(String(res.headers['content-disposition']), /^attachment;/, who);
        assert.match(String(res.headers['content-disposition']), /filename="x\.html"/, who);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', who);
        assert.equal(res.headers['cache-control'], 'no-store', who);
        assert.deepEqual(res.rawPayload, html, who);
      };
      check(await get(h.app, await reporterJar(receipt), `/followup/case/attachments/${id}`), 'reporter');
      check(await get(h.app, await staffJar(A_OFFICER), `/staff/cases/${reference}/attachments/${id}`), 'staff');
    });

    it('answers 404 for a malformed or unknown attachment id', async () => {
      const { receipt } = await fileReport({ ...TYPED, what: 'ไม่มีไฟล์' });
      const jar = await reporterJar(receipt);
      assert.equal((await get(h.app, jar, '/followup/case/attachments/../../etc/passwd')).statusCode, 404);
      assert.equal(
        (await get(h.app, jar, `/followup/case/attachments/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`))
          .statusCode,
        404,
      );
    });
  });

  describe('reporter-side times', () => {
    it('writes no time finer than the minute for a submission and a reply', async () => {
      const png = await plainPng();
      const { receipt, caseId } = await fileReport({ ...TYPED, what: 'ตรวจเวลา' }, [
        textFile('a.txt', 200_000),
        { name: 'dot.png', type: 'image/png', data: png },
      ]);
      const reporter = await reporterJar(receipt);
      const form = await get(h.app, reporter, '/followup/case');
      const sent = await postMultipart(
        h.app,
        reporter,
        '/followup/case/messages',
        { ...caseFormOf(form.body), message: 'ตอบกลับพร้อมไฟล์' },
        [textFile('b.txt', 100)],
      );
      assert.equal(sent.statusCode, 303, sent.body);
      const apiCase = await h.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: { agency: A, category: 'other', what: 'ผ่าน API' },
      });
      assert.equal(apiCase.statusCode, 201);
      const apiRef = (apiCase.json() as { reference: string }).reference;
      const { id: apiCaseId } = await h.db
        .selectFrom('report_case')
        .select('id')
        .where('reference', '=', apiRef)
        .executeTakeFirstOrThrow();

      const stamps: [string, Date][] = [];
      for (const id of [caseId, apiCaseId]) {
        const c = await h.db
          .selectFrom('report_case')
          .select(['created_at', 'updated_at'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        stamps.push(['report_case.created_at', c.created_at], ['report_case.updated_at', c.updated_at]);
        for (const m of await h.db.selectFrom('case_message').select('created_at').where('case_id', '=', id).execute())
          stamps.push(['case_message.created_at', m.created_at]);
        const files = await h.db
          .selectFrom('attachment as a')
          .innerJoin('blob as b', 'b.id', 'a.blob_id')
          .select(['a.created_at as a_at', 'b.created_at as b_at'])
          .where('a.case_id', '=', id)
          .execute();
        for (const f of files) stamps.push(['attachment.created_at', f.a_at], ['blob.created_at', f.b_at]);
      }
      assert.equal(stamps.filter(([k]) => k === 'attachment.created_at').length, 3);
      assert.equal(stamps.filter(([k]) => k === 'case_message.created_at').length, 1);
      const fine = stamps
        .filter(([, d]) => d.getSeconds() !== 0 || d.getMilliseconds() !== 0)
        .map(([k, d]) => `${k}=${d.toISOString()}`);
      assert.deepEqual(fine, []);
    });
  });

  describe('malformed text and ids', () => {
    const ADMIN = 'admin@opdc.example';
    const SUPERVISOR = 'sup-ids@opdc.example'; // administrators never hold a key role (separation of duties)
    let reference: string;
    before(async () => {
      await seedStaff(h.db, A, ADMIN, ['agency_admin']);
      await seedStaff(h.db, A, SUPERVISOR, ['supervisor']);
      ({ reference } = await fileReport({ ...TYPED, what: 'เรื่องสำหรับตรวจข้อมูลผิดรูป' }));
    });

    const assertBadProblem = (res: LightMyRequestResponse, what: string) => {
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
    };
    const assertBadPage = (res: LightMyRequestResponse, what: string) => {
      assert.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 300)}`);
      assert.match(String(res.headers['content-type']), /^text\/html/, what);
    };

    it('answers a NUL in the agency, email, receipt or reference on the API with 400, filing nothing', async () => {
      const before = await counts(h.db);
      assertBadProblem(
        await api('POST', '/api/v1/reports', undefined, {
          agency: `${A}\u0000`,
          category: 'bribery',
          what: 'NUL ในรหัสหน่วยงาน',
        }),
        'agency',
      );
      assertBadProblem(
        await api('POST', '/api/v1/reports', undefined, { agency: A, category: 'bribery', what: 'ข้อความ\u0000ที่มี NUL' }),
        'report text',
      );
      assertBadProblem(
        await api('POST', '/api/v1/staff/session', undefined, {
          email: `${A_OFFICER}\u0000`,
          password: PASSWORD,
          code: '1',
        }),
        'login email',
      );
      assertBadProblem(
        await api('POST', '/api/v1/reporter/session', undefined, { receipt: '1234\u00005678' }),
        'receipt',
      );
      const token = await staffToken(A_OFFICER);
      assertBadProblem(await api('GET', `/api/v1/cases/${reference}%00`, token), 'reference');
      assertBadProblem(
        await api('POST', `/api/v1/cases/${reference}%00/messages`, token, { text: 'ถึงผู้แจ้ง' }),
        'reference of a message',
      );
      assert.deepEqual({ ...(await counts(h.db)), sessions: 0 }, { ...before, sessions: 0 });
    });

    it('answers a NUL in the report form, login, tracking code and case reference with a 400 page', async () => {
      const before = await counts(h.db);
      const jar = newJar();
      const form = await postMultipart(h.app, jar, '/report', {
        _csrf: await formToken(jar),
        ...TYPED,
        agency: `${A}\u0000`,
      });
      assertBadPage(form, 'agency on the report form');
      assertNoReceipt(form);
      assert.equal(textareaOf(form.body, 'what'), escapeHtml(TYPED.what), 'the text typed comes back');
      assert.deepEqual(await counts(h.db), before);

      const login = newJar();
      const page = await get(h.app, login, '/staff/login');
      assertBadPage(
        await postForm(h.app, login, '/staff/login', {
          _csrf: csrfOf(page.body),
          email: `${A_OFFICER}\u0000`,
          password: PASSWORD,
          code: '1',
        }),
        'login email',
      );
      assertBadPage(await get(h.app, newJar(), '/status?code=1234%005678'), 'tracking code');
      assertBadPage(await get(h.app, newJar(), `/ita/e/AB%00CD`), 'survey code');
      assertBadPage(await get(h.app, await staffJar(A_OFFICER), `/staff/cases/${reference}%00`), 'case reference');
    });

    it('refuses user ids such as 1.5 and 99999999999 without a 500', async () => {
      const admin = await staffJar(ADMIN);
      for (const id of ['1.5', '99999999999', '-1', '1e3']) {
        // an id in a URL that no row can have names nothing: 404, as for an unknown id
        assert.equal((await get(h.app, admin, `/staff/admin/users/${id}`)).statusCode, 404, `GET users/${id}`);
        const page = await get(h.app, admin, '/staff/admin/users');
        assert.equal(
          (
            await postForm(h.app, admin, `/staff/admin/users/${id}/roles`, {
              _csrf: csrfOf(page.body),
              roles: 'investigator',
            })
          ).statusCode,
          404,
          `POST users/${id}/roles`,
        );
        assert.equal((await get(h.app, admin, `/staff/ita/${id}/links`)).statusCode, 404, `GET ita/${id}/links`);
      }
      const supervisor = await staffJar(SUPERVISOR);
      const casePage = await get(h.app, supervisor, `/staff/cases/${reference}`);
      const escrow = await get(h.app, admin, '/staff/admin/escrow');
      for (const id of ['1.5', '99999999999', '']) {
        // an id typed into a form is invalid input
        assertBadPage(
          await postForm(h.app, supervisor, `/staff/cases/${reference}/assign`, {
            _csrf: csrfOf(casePage.body),
            userId: id,
          }),
          `assign ${id}`,
        );
        assertBadPage(
          await postForm(h.app, admin, '/staff/admin/escrow/restore', { _csrf: csrfOf(escrow.body), userId: id }),
          `escrow restore ${id}`,
        );
      }
    });
  });

  describe('attachment names', () => {
    const BIDI = 'invoice\u202Efdp.exe'; // shows as "invoiceexe.pdf"
    const THAI = 'หลักฐาน การโอนเงิน ให้ปลัด.pdf'; // vowels and tone marks (Mn) stay
    const disposition = (res: LightMyRequestResponse) =>
      decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(String(res.headers['content-disposition']))![1]);

    it('takes out format characters when a name is uploaded, and keeps a Thai name whole', async () => {
      const { reference, caseId } = await fileReport({ ...TYPED, what: 'ไฟล์ชื่อหลอก' }, [
        textFile(BIDI, 10),
        textFile(`ใบเสร็จ\u200B${THAI}`, 10),
      ]);
      const staff = await staffJar(A_OFFICER);
      const page = await get(h.app, staff, `/staff/cases/${reference}`);
      assert.doesNotMatch(page.body, /[\u202A-\u202E\u2066-\u2069\u200B]/);
      assert.match(page.body, /invoicefdp\.exe/);
      assert.ok(page.body.includes(`ใบเสร็จ${THAI}`), 'the Thai name is shown whole');
      const token = await staffToken(A_OFFICER);
      const names = (
        (await api('GET', `/api/v1/cases/${reference}`, token)).json() as { attachments: { name: string }[] }
      ).attachments
        .map((f) => f.name)
        .sort();
      assert.deepEqual(names, ['invoicefdp.exe', `ใบเสร็จ${THAI}`].sort());
      const [first, second] = await attachmentIds(caseId);
      const downloads = [
        await get(h.app, staff, `/staff/cases/${reference}/attachments/${first}`),
        await get(h.app, staff, `/staff/cases/${reference}/attachments/${second}`),
      ];
      assert.deepEqual(downloads.map(disposition).sort(), ['invoicefdp.exe', `ใบเสร็จ${THAI}`].sort());
    });

    it('takes them out of a name stored before, on the page, in the API and in the download', async () => {
      const { receipt, reference, caseId } = await fileReport({ ...TYPED, what: 'ชื่อไฟล์ที่เก็บไว้ก่อน' }, [
        textFile('plain.txt', 10),
      ]);
      const [id] = await attachmentIds(caseId);
      // as an older version stored it: the name sealed as uploaded
      const s = await openReporterSession({
        db: h.db,
        kdf: h.config.kdf,
        receiptSalt: h.deps.secrets.receiptSalt,
        throttle: h.deps.limits.receipt,
        receipt,
      });
      const row = await h.db.selectFrom('attachment').select('meta').where('id', '=', id).executeTakeFirstOrThrow();
      const meta = openAttachmentMeta(s.keys.content, caseId, id, row.meta);
      await h.db
        .updateTable('attachment')
        .set({ meta: sealAttachmentMeta(s.keys.content, caseId, id, { ...meta, name: BIDI }) })
        .where('id', '=', id)
        .execute();

      const staff = await staffJar(A_OFFICER);
      const page = await get(h.app, staff, `/staff/cases/${reference}`);
      assert.doesNotMatch(page.body, /\u202E/);
      assert.match(page.body, /invoicefdp\.exe/);
      const token = await staffToken(A_OFFICER);
      assert.equal(
        ((await api('GET', `/api/v1/cases/${reference}`, token)).json() as { attachments: { name: string }[] })
          .attachments[0].name,
        'invoicefdp.exe',
      );
      const download = await get(h.app, staff, `/staff/cases/${reference}/attachments/${id}`);
      assert.equal(download.statusCode, 200);
      assert.doesNotMatch(String(download.headers['content-disposition']), /%E2%80%AE/i);
      assert.equal(disposition(download), 'invoicefdp.exe');
    });
  });

  describe('errors before routing', () => {
    const problems = (res: { status: number; headers: Record<string, unknown> }, url: string, kind: 'api' | 'page') => {
      const found = missingSecurityHeaders(res.headers).map((h) => `no ${h}`);
      if (res.status < 400 || res.status >= 500) found.push(`status ${res.status}`);
      const type = String(res.headers['content-type'] ?? '');
      if (kind === 'api' ? !type.startsWith('application/problem+json') : !type.startsWith('text/html'))
        found.push(`content-type ${type}`);
      return found.map((p) => `${url}: ${p}`);
    };

    it('answers bad percent-encoding and an over-long parameter like every other error', async () => {
      const found: string[] = [];
      for (const [url, kind] of [
        ['/staff/cases/%E0%A4%A', 'page'],
        ['/report%', 'page'],
        ['/api/v1/cases/%E0%A4%A', 'api'],
        [`/staff/cases/${'A'.repeat(300)}`, 'page'],
        [`/api/v1/cases/${'A'.repeat(300)}`, 'api'],
      ] as const) {
        const res = await h.app.inject({ url });
        found.push(...problems({ status: res.statusCode, headers: res.headers }, url, kind));
        if (kind === 'api') assert.equal((res.json() as { status: number }).status, res.statusCode);
      }
      assert.deepEqual(found, []);
    });

    it('answers a 20 KB cookie and an unknown method like every other error', async () => {
      const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
      const port = Number(new URL(address).port);
      const cookie = `Cookie: sj_lang=${'x'.repeat(20_000)}\r\n`;
      const found: string[] = [];
      for (const [request, kind] of [
        [`GET /report HTTP/1.1\r\nHost: x\r\n${cookie}\r\n`, 'page'],
        [`GET /api/v1/cases HTTP/1.1\r\nHost: x\r\n${cookie}\r\n`, 'api'],
        ['FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 'page'],
        ['FOO /api/v1/reports HTTP/1.1\r\nHost: x\r\n\r\n', 'api'],
      ] as const) {
        const res = await rawHttp(port, request);
        found.push(...problems(res, request.slice(0, 24), kind));
        if (kind === 'page') assert.match(res.body, /lang="en"/, 'the page is in Thai and English');
      }
      assert.deepEqual(found, []);
    });
  });

  describe('API content types', () => {
    it('refuses a form-encoded, text/plain or multipart report with 415 and files nothing', async () => {
      const before = await counts(h.db);
      const fields = { agency: A, category: 'bribery', what: 'แบบฟอร์มข้ามเว็บไซต์' };
      const { body, contentType } = await multipart(fields);
      for (const [type, payload] of [
        ['application/x-www-form-urlencoded', new URLSearchParams(fields).toString()],
        ['text/plain', JSON.stringify(fields)],
        [contentType, body],
      ] as const) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/v1/reports',
          headers: { 'content-type': type },
          payload,
        });
        assert.equal(res.statusCode, 415, `${type}: ${res.body}`);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.equal((res.json() as { title: string }).title, 'unsupported_media_type');
      }
      assert.deepEqual(await counts(h.db), before);
    });
  });

  describe('HEAD', () => {
    const rows = async () => {
      const n = async (table: 'audit_event' | 'case_key') =>
        Number(
          (
            await h.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return { audit: await n('audit_event'), keys: await n('case_key') };
    };

    it('runs no case handler: no audit row, no key hand-over', async () => {
      const { reference, caseId } = await fileReport({ ...TYPED, what: 'เปิดด้วย HEAD' }, [textFile('evidence.txt', 10)]);
      const [id] = await attachmentIds(caseId);
      const jar = await staffJar(A_OFFICER);
      const token = await staffToken(A_OFFICER);
      const before = await rows();
      const statuses: number[] = [];
      for (const url of [`/staff/cases/${reference}`, `/staff/cases/${reference}/attachments/${id}`, '/staff/cases']) {
        statuses.push((await h.app.inject({ method: 'HEAD', url, headers: { cookie: cookieHeader(jar) } })).statusCode);
      }
      statuses.push(
        (
          await h.app.inject({
            method: 'HEAD',
            url: `/api/v1/cases/${reference}`,
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode,
      );
      assert.deepEqual(await rows(), before);
      assert.deepEqual(statuses, [404, 404, 404, 404]);
    });

    it('keeps HEAD on the public log and static files', async () => {
      for (const url of ['/log/checkpoint', '/static/app.css', '/healthz']) {
        assert.equal((await h.app.inject({ method: 'HEAD', url })).statusCode, 200, url);
      }
    });
  });

  describe('database outage', () => {
    let down: FastifyInstance;
    let deadDb: Db;
    before(async () => {
      // Nothing listens on port 1: every query fails to connect (ECONNREFUSED), as when PostgreSQL is down.
      deadDb = connect('postgresql://sujarit@127.0.0.1:1/sujarit', 2);
      down = await buildApp({ ...h.deps, db: deadDb });
      await down.ready();
    });
    after(async () => {
      await down.close();
      await deadDb.destroy();
    });

    const what = 'ระบบล่มแต่ข้อความต้องอยู่ครบ';

    /** Lists every way the answer falls short, so one run shows them all. */
    const problemsOfFormBack = (res: LightMyRequestResponse): string[] => {
      const problems: string[] = [];
      if (res.statusCode !== 503) problems.push(`status ${res.statusCode}, not 503`);
      if (!res.headers['retry-after']) problems.push('no Retry-After header');
      if (hasReceipt(res.body)) problems.push('a receipt is shown');
      if (!res.body.includes(escapeHtml(t('error.unavailable')))) problems.push('no "not saved, try again" message');
      if (textareaOf(res.body, 'what') !== escapeHtml(what))
        problems.push('the text typed is not given back in the form');
      if (!/name="_csrf" value="[^"]+"/.test(res.body)) problems.push('no form to send again');
      return problems;
    };

    it('answers a report by form with 503, the text kept and no receipt', async () => {
      // The token comes from the working app: a CSRF token depends only on the cookie secret.
      const jar = newJar();
      const token = await formToken(jar);
      const { body, contentType } = await multipart({ _csrf: token, ...TYPED, what });
      const res = await down.inject({
        method: 'POST',
        url: '/report',
        headers: { cookie: cookieHeader(jar), 'content-type': contentType },
        payload: body,
      });
      assert.deepEqual(problemsOfFormBack(res), []);
    });

    it('answers a report with a file by form with 503, the text kept and no receipt', async () => {
      const jar = newJar();
      const token = await formToken(jar);
      const { body, contentType } = await multipart({ _csrf: token, ...TYPED, what }, [
        textFile('evidence.txt', 100_000),
      ]);
      const res = await down.inject({
        method: 'POST',
        url: '/report',
        headers: { cookie: cookieHeader(jar), 'content-type': contentType },
        payload: body,
      });
      const problems = problemsOfFormBack(res);
      if (!res.body.includes(escapeHtml(t('error.reselect_files'))))
        problems.push('no request to choose the files again');
      assert.deepEqual(problems, []);
    });

    it('answers a report by API with 503 problem+json and Retry-After', async () => {
      const res = await down.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: { agency: A, category: 'bribery', what },
      });
      assert.equal(res.statusCode, 503, res.body);
      assert.ok(res.headers['retry-after']);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const p = res.json() as { status: number; title: string; detail: string; receipt?: string };
      assert.equal(p.status, 503);
      assert.ok(p.title && p.detail);
      assert.equal(p.receipt, undefined);
    });

    it('answers a receipt login with 503, not as a wrong receipt', async () => {
      const jar = newJar();
      const page = await get(h.app, jar, '/followup');
      const res = await down.inject({
        method: 'POST',
        url: '/followup',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfOf(page.body), receipt: '1234 5678 1234 5678' }).toString(),
      });
      const problems: string[] = [];
      if (res.statusCode !== 503) problems.push(`status ${res.statusCode}, not 503`);
      if (!res.headers['retry-after']) problems.push('no Retry-After header');
      if (res.body.includes(escapeHtml(t('error.receipt_wrong')))) problems.push('told the receipt is wrong');
      if (!res.body.includes(escapeHtml(t('error.unavailable')))) problems.push('no "try again" message');
      assert.deepEqual(problems, []);
    });
  });
});
