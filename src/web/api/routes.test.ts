import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { CATEGORIES, TEXT_LIMITS } from '../../intake/limits.ts';
import { lastCompleteMonth, releaseMonth } from '../../opendata/release.ts';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedRecipient,
  type TestApp,
} from '../../../test/support/app.ts';

type Method = 'GET' | 'POST' | 'PUT';
type OpenApiOperation = {
  operationId: string;
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
};
type OpenApiDoc = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
type Problem = { type: string; title: string; status: number; detail: string; errors?: Record<string, string> };

const OPERATION_IDS = [
  'submitReport',
  'openReporterSession',
  'getReporterReport',
  'postReporterMessage',
  'reporterLogout',
  'staffLogin',
  'staffLogout',
  'listCases',
  'getCase',
  'postCaseMessage',
  'transitionCase',
] as const;
/** The open-data catalogue's read-only operations (issue 17): public, cacheable. */
const OPEN_DATA_IDS = ['listDatasets', 'getDataset', 'getDatasetRelease'] as const;
type OperationId = (typeof OPERATION_IDS)[number] | (typeof OPEN_DATA_IDS)[number];

const STAFF_EMAIL = 'officer@opdc.example';

/** Where the document says an operation lives: its method and its path template. */
function locate(doc: OpenApiDoc, id: OperationId): { method: Method; path: string } {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op.operationId === id) return { method: method.toUpperCase() as Method, path };
    }
  }
  throw new Error(`operation ${id} is not in the document`);
}

/** A JSON Schema 2020-12 validator holding the document's components (refs as `openapi#/components/schemas/X`). */
function openApiAjv(doc: OpenApiDoc): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  return ajv;
}

function problemOf(res: LightMyRequestResponse, status: number): Problem {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const p = res.json() as Problem;
  assert.equal(p.status, status);
  assert.equal(typeof p.title, 'string');
  assert.ok(p.title.length > 0);
  assert.equal(typeof p.detail, 'string');
  assert.ok(p.detail.length > 0);
  return p;
}

describe('JSON API', () => {
  let t: TestApp;
  let doc: OpenApiDoc;

  /** Calls an operation at the method and path the OpenAPI document gives for it. */
  const call = async (
    id: OperationId,
    opts: {
      params?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
      rawBody?: string;
      token?: string;
      authorization?: string;
    } = {},
  ) => {
    const { method, path } = locate(doc, id);
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(opts.params?.[name] ?? ''));
    const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
    const headers: Record<string, string> = {};
    const authorization = opts.authorization ?? (opts.token !== undefined ? `Bearer ${opts.token}` : undefined);
    if (authorization !== undefined) headers.authorization = authorization;
    const hasBody = opts.body !== undefined || opts.rawBody !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    return t.app.inject({
      method,
      url: url + qs,
      headers,
      ...(hasBody ? { payload: opts.rawBody ?? JSON.stringify(opts.body) } : {}),
    });
  };

  const submit = async (what: string) => {
    const res = await call('submitReport', { body: { agency: 'OPDC', category: 'bribery', what } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { receipt: string; reference: string };
  };

  const staffToken = async () => {
    const res = await call('staffLogin', {
      body: { email: STAFF_EMAIL, password: PASSWORD, code: loginCode(STAFF_EMAIL) },
    });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { token: string }).token;
  };

  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', STAFF_EMAIL);
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200, res.body);
    doc = res.json() as OpenApiDoc;
  });
  after(() => t.close());

  describe('GET /api/openapi.json', () => {
    it('publishes an OpenAPI 3.1 document', () => {
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      assert.equal(typeof doc.info.title, 'string');
      assert.ok(doc.components.schemas.Problem);
      assert.ok(doc.components.securitySchemes.staffToken);
      assert.ok(doc.components.securitySchemes.reporterToken);
    });

    it('names every operation once', () => {
      const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
      for (const id of [...OPERATION_IDS, ...OPEN_DATA_IDS])
        assert.equal(ids.filter((x) => x === id).length, 1, `operationId ${id}`);
      assert.equal(new Set(ids).size, ids.length, 'no operationId twice');
    });

    it('is a valid document: every $ref resolves, every path parameter is declared, every schema compiles', () => {
      const refs: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object')
          for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? refs.push(x) : walk(x);
      };
      walk(doc);
      for (const ref of new Set(refs)) {
        assert.match(ref, /^#\/components\/schemas\/\w+$/, ref);
        assert.ok(doc.components.schemas[ref.split('/').at(-1) as string], `${ref} resolves`);
      }
      for (const [path, item] of Object.entries(doc.paths)) {
        assert.match(path, /^\/api\/v1\//);
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const [method, op] of Object.entries(item)) {
          assert.ok(['get', 'post', 'put', 'delete', 'patch'].includes(method), `${path} ${method}`);
          const params = (
            (op as { parameters?: { name: string; in: string; required?: boolean }[] }).parameters ?? []
          ).filter((p) => p.in === 'path');
          assert.deepEqual(params.map((p) => p.name).sort(), [...names].sort(), `${op.operationId}: path parameters`);
          assert.ok(
            params.every((p) => p.required === true),
            `${op.operationId}: path parameters are required`,
          );
          for (const [status, r] of Object.entries(op.responses)) {
            assert.match(status, /^[1-5]\d\d$/, `${op.operationId} ${status}`);
            assert.equal(typeof (r as { description?: unknown }).description, 'string', `${op.operationId} ${status}`);
          }
        }
      }
      // OpenAPI 3.1's schemas are JSON Schema 2020-12: each compiles with the components beside it.
      const ajv = openApiAjv(doc);
      for (const name of Object.keys(doc.components.schemas))
        assert.ok(ajv.getSchema(`openapi#/components/schemas/${name}`), `schema ${name} compiles`);
    });

    it('documents the open-data operations as public, cacheable (304) and not found (404 problem)', () => {
      for (const id of OPEN_DATA_IDS) {
        const { method, path } = locate(doc, id);
        assert.equal(method, 'GET', id);
        const op = doc.paths[path].get;
        assert.deepEqual(op.security, [], `${id} needs no token`);
        assert.ok(op.responses['200'] && op.responses['304'], `${id} 200 and 304`);
        if (id !== 'listDatasets')
          assert.ok((op.responses['404'] as { content: Record<string, unknown> }).content['application/problem+json']);
      }
    });

    it('describes errors as application/problem+json', () => {
      for (const id of OPERATION_IDS) {
        const { method, path } = locate(doc, id);
        const op = doc.paths[path][method.toLowerCase()];
        const bad = op.responses['400'] as { content: Record<string, unknown> };
        assert.ok(bad.content['application/problem+json'], `${id} 400`);
      }
    });
  });

  describe('operations', () => {
    it('answers every operation at the path and method the document gives', async () => {
      // submitReport
      const what = 'API: เจ้าหน้าที่เรียกเงินค่าธรรมเนียมพิเศษ';
      const submitted = await call('submitReport', {
        body: {
          agency: 'OPDC',
          category: 'procurement_fraud',
          what,
          when: 'มีนาคม',
          where: 'เขตบางรัก',
          who: 'หัวหน้างาน',
          identity: { name: 'สมชาย', contact: '081-000-0000' },
        },
      });
      assert.equal(submitted.statusCode, 201, submitted.body);
      const { receipt, reference } = submitted.json() as { receipt: string; reference: string };
      assert.match(receipt, /^\d{16}$/);
      assert.match(reference, /^OPDC-\d{4}-\d{6}$/);

      // openReporterSession
      const opened = await call('openReporterSession', { body: { receipt } });
      assert.equal(opened.statusCode, 200, opened.body);
      const session = opened.json() as { token: string; expiresAt: string };
      assert.ok(session.token.length > 0);
      assert.ok(Date.parse(session.expiresAt) > Date.now());

      // getReporterReport
      const own = await call('getReporterReport', { token: session.token });
      assert.equal(own.statusCode, 200, own.body);
      const ownCase = own.json() as {
        reference: string;
        status: string;
        category: string;
        content: { what: string; when: string };
        hasIdentity: boolean;
        messages: unknown[];
      };
      assert.equal(ownCase.reference, reference);
      assert.equal(ownCase.content.what, what);
      assert.equal(ownCase.content.when, 'มีนาคม');
      assert.equal(ownCase.category, 'procurement_fraud');
      assert.equal(ownCase.status, 'new');
      assert.equal(ownCase.hasIdentity, true);
      assert.equal(
        JSON.stringify(ownCase).includes('สมชาย'),
        false,
        'the reporter view does not echo the sealed identity',
      );

      // postReporterMessage
      const posted = await call('postReporterMessage', { token: session.token, body: { text: 'ข้อมูลเพิ่มเติมจากผู้แจ้ง' } });
      assert.equal(posted.statusCode, 201, posted.body);
      assert.match((posted.json() as { id: string }).id, /^[0-9a-f-]{36}$/);

      // staffLogin
      const login = await call('staffLogin', {
        body: { email: STAFF_EMAIL, password: PASSWORD, code: loginCode(STAFF_EMAIL) },
      });
      assert.equal(login.statusCode, 200, login.body);
      const staff = (login.json() as { token: string }).token;

      // listCases
      const list = await call('listCases', { token: staff });
      assert.equal(list.statusCode, 200, list.body);
      const page = list.json() as {
        items: { reference: string; status: string; hasIdentity: boolean }[];
        total: number;
        page: number;
      };
      const item = page.items.find((i) => i.reference === reference);
      assert.ok(item, 'the new case is listed');
      assert.equal(item.status, 'new');
      assert.equal(item.hasIdentity, true);
      const filtered = await call('listCases', { token: staff, query: { status: 'closed' } });
      assert.equal(filtered.statusCode, 200, filtered.body);
      assert.equal(
        (filtered.json() as { items: { reference: string }[] }).items.some((i) => i.reference === reference),
        false,
      );

      // getCase
      const got = await call('getCase', { token: staff, params: { reference } });
      assert.equal(got.statusCode, 200, got.body);
      const staffView = got.json() as {
        reference: string;
        content: { what: string };
        messages: { author: string; text: string }[];
      };
      assert.equal(staffView.reference, reference);
      assert.equal(staffView.content.what, what);
      assert.deepEqual(
        staffView.messages.map((m) => [m.author, m.text]),
        [['reporter', 'ข้อมูลเพิ่มเติมจากผู้แจ้ง']],
      );

      // postCaseMessage
      const reply = await call('postCaseMessage', {
        token: staff,
        params: { reference },
        body: { text: 'ขอบคุณ เราได้รับเรื่องแล้ว' },
      });
      assert.equal(reply.statusCode, 201, reply.body);

      // transitionCase
      const status = await call('transitionCase', {
        token: staff,
        params: { reference },
        body: { to: 'acknowledged', reason: 'รับเรื่องแล้ว' },
      });
      assert.equal(status.statusCode, 200, status.body);
      assert.deepEqual(status.json(), { from: 'new', to: 'acknowledged' });

      // The reporter sees the reply by role only, and the new status.
      const again = await call('getReporterReport', { token: session.token });
      assert.equal(again.statusCode, 200, again.body);
      const seen = again.json() as { status: string; messages: { author: string; text: string }[] };
      assert.equal(seen.status, 'acknowledged');
      assert.deepEqual(
        seen.messages.map((m) => [m.author, m.text]),
        [
          ['reporter', 'ข้อมูลเพิ่มเติมจากผู้แจ้ง'],
          ['intake_officer', 'ขอบคุณ เราได้รับเรื่องแล้ว'],
        ],
      );
      assert.equal(again.body.includes(STAFF_EMAIL), false, 'the staff email never reaches the reporter');
      assert.equal(again.body.includes(`${STAFF_EMAIL.split('@')[0]}@`), false);
    });

    it('times the reporter-side fields to the minute', async () => {
      const { receipt } = await submit('เวลาต้องปัดเป็นนาที');
      const session = (await call('openReporterSession', { body: { receipt } })).json() as {
        token: string;
        expiresAt: string;
      };
      assert.equal(new Date(session.expiresAt).getUTCSeconds(), 0);
      await call('postReporterMessage', { token: session.token, body: { text: 'ข้อความ' } });
      const v = (await call('getReporterReport', { token: session.token })).json() as {
        createdAt: string;
        updatedAt: string;
        messages: { createdAt: string }[];
      };
      for (const stamp of [v.createdAt, v.updatedAt, ...v.messages.map((m) => m.createdAt)]) {
        const d = new Date(stamp);
        assert.equal(d.getUTCSeconds() * 1000 + d.getUTCMilliseconds(), 0, stamp);
      }
    });
  });

  describe('open data operations', () => {
    it('answer at the documented paths as their schemas say, with ETag and 304; hostile ids are 404 problems', async () => {
      await releaseMonth({ db: t.db });
      const month = lastCompleteMonth();
      const ajv = openApiAjv(doc);
      const valid = (id: OperationId, res: LightMyRequestResponse) => {
        assert.equal(res.statusCode, 200, `${id}: ${res.body.slice(0, 200)}`);
        const { path } = locate(doc, id);
        const ref = (doc.paths[path].get.responses['200'] as { content: Record<string, { schema: { $ref: string } }> })
          .content['application/json'].schema.$ref;
        const check = ajv.getSchema(`openapi${ref}`);
        assert.ok(check, ref);
        assert.ok(check(res.json()), `${id}: ${JSON.stringify(check.errors)}`);
        assert.match(String(res.headers.etag), /^"[\w-]+"$/, `${id} ETag`);
        assert.match(String(res.headers['cache-control']), /^public, max-age=\d+/, `${id} Cache-Control`);
      };
      const list = await call('listDatasets');
      valid('listDatasets', list);
      const items = (list.json() as { items: { id: string; latest: string | null }[] }).items;
      assert.ok(items.length >= 5 && items.every((i) => i.latest === month));
      const again = await call('listDatasets', {});
      assert.equal(again.headers.etag, list.headers.etag, 'the same answer, the same ETag');
      const notModified = await t.app.inject({
        method: 'GET',
        url: '/api/v1/datasets',
        headers: { 'if-none-match': `W/${String(list.headers.etag)}, "other"` },
      });
      assert.equal(notModified.statusCode, 304);
      assert.equal(notModified.body, '');
      valid('getDataset', await call('getDataset', { params: { id: 'complaints-and-tips' } }));
      const release = await call('getDatasetRelease', { params: { id: 'complaints-and-tips', month } });
      valid('getDatasetRelease', release);
      assert.match(String(release.headers['cache-control']), /immutable/);
      for (const params of [
        { id: 'no-such-dataset', month },
        { id: '../../etc/passwd', month },
        { id: 'complaints-and-tips', month: '2026-13' },
        { id: 'complaints-and-tips', month: `${month}'; drop table agency; --` },
        { id: 'complaints-and-tips', month: '1999-01' },
      ]) {
        const res = await call(params.month === month ? 'getDataset' : 'getDatasetRelease', { params });
        problemOf(res, 404);
      }
      problemOf(await call('getDatasetRelease', { params: { id: 'no-such-dataset', month } }), 404);
      // an oversized id is refused before routing, as the document's 400 says
      problemOf(await call('getDataset', { params: { id: 'x'.repeat(500) } }), 400);
    });
  });

  describe('logout', () => {
    it('refuses a reporter token on every reporter operation once it has logged out', async () => {
      const { receipt } = await submit('ทดสอบการออกจากระบบของผู้แจ้ง');
      const { token } = (await call('openReporterSession', { body: { receipt } })).json() as { token: string };
      const other = ((await call('openReporterSession', { body: { receipt } })).json() as { token: string }).token;
      assert.equal((await call('getReporterReport', { token })).statusCode, 200);
      const out = await call('reporterLogout', { token });
      assert.equal(out.statusCode, 204, out.body);
      problemOf(await call('getReporterReport', { token }), 401);
      problemOf(await call('postReporterMessage', { token, body: { text: 'หลังออกจากระบบ' } }), 401);
      problemOf(await call('reporterLogout', { token }), 401);
      assert.equal(
        (await call('getReporterReport', { token: other })).statusCode,
        200,
        'another session of the same receipt goes on',
      );
    });

    it('refuses a staff token on every staff operation once it has logged out', async () => {
      const { reference } = await submit('ทดสอบการออกจากระบบของเจ้าหน้าที่');
      const token = await staffToken();
      assert.equal((await call('listCases', { token })).statusCode, 200);
      const out = await call('staffLogout', { token });
      assert.equal(out.statusCode, 204, out.body);
      problemOf(await call('listCases', { token }), 401);
      problemOf(await call('getCase', { token, params: { reference } }), 401);
      problemOf(await call('postCaseMessage', { token, params: { reference }, body: { text: 'สวัสดี' } }), 401);
      problemOf(
        await call('transitionCase', { token, params: { reference }, body: { to: 'acknowledged', reason: 'x' } }),
        401,
      );
      problemOf(await call('staffLogout', { token }), 401);
    });
  });

  describe('errors', () => {
    it('refuses a wrong receipt with 401', async () => {
      await submit('มีเรื่องอยู่จริง');
      const wrong = await call('openReporterSession', { body: { receipt: '0000 0000 0000 0001' } });
      problemOf(wrong, 401);
      const malformed = await call('openReporterSession', { body: { receipt: 'abc' } });
      problemOf(malformed, 401);
    });

    it('refuses a reporter operation without a valid bearer token with 401', async () => {
      problemOf(await call('getReporterReport'), 401);
      problemOf(await call('getReporterReport', { token: 'not-a-token' }), 401);
      problemOf(await call('getReporterReport', { authorization: 'Basic dXNlcjpwYXNz' }), 401);
      problemOf(await call('postReporterMessage', { body: { text: 'สวัสดี' } }), 401);
      // A staff token is not a reporter token.
      problemOf(await call('getReporterReport', { token: await staffToken() }), 401);
    });

    it('refuses a staff operation without a valid bearer token with 401', async () => {
      const { reference } = await submit('เรื่องสำหรับทดสอบสิทธิ์');
      problemOf(await call('listCases'), 401);
      problemOf(await call('listCases', { token: 'x'.repeat(64) }), 401);
      problemOf(await call('getCase', { params: { reference } }), 401);
      problemOf(await call('postCaseMessage', { params: { reference }, body: { text: 'สวัสดี' } }), 401);
      problemOf(
        await call('transitionCase', { params: { reference }, body: { to: 'acknowledged', reason: 'x' } }),
        401,
      );
      // A reporter token is not a staff token.
      const { receipt } = await submit('อีกเรื่อง');
      const reporter = (await call('openReporterSession', { body: { receipt } })).json() as { token: string };
      problemOf(await call('listCases', { token: reporter.token }), 401);
    });

    it('refuses a wrong staff password with 401', async () => {
      problemOf(
        await call('staffLogin', { body: { email: STAFF_EMAIL, password: 'wrong password!!', code: '123456' } }),
        401,
      );
      problemOf(await call('staffLogin', { body: { email: STAFF_EMAIL, password: PASSWORD, code: '000000' } }), 401);
      problemOf(
        await call('staffLogin', { body: { email: 'nobody@opdc.example', password: PASSWORD, code: '123456' } }),
        401,
      );
    });

    it('refuses an invalid page or status filter with 400', async () => {
      const staff = await staffToken();
      problemOf(await call('listCases', { token: staff, query: { page: '0' } }), 400);
      problemOf(await call('listCases', { token: staff, query: { page: 'abc' } }), 400);
      problemOf(await call('listCases', { token: staff, query: { status: 'deleted' } }), 400);
    });

    it('refuses an unknown case with 404', async () => {
      const staff = await staffToken();
      problemOf(await call('getCase', { token: staff, params: { reference: 'OPDC-2569-999999' } }), 404);
      problemOf(
        await call('postCaseMessage', {
          token: staff,
          params: { reference: 'OPDC-2569-999999' },
          body: { text: 'สวัสดี' },
        }),
        404,
      );
      problemOf(
        await call('transitionCase', {
          token: staff,
          params: { reference: 'OPDC-2569-999999' },
          body: { to: 'acknowledged', reason: 'x' },
        }),
        404,
      );
    });

    it('refuses an invalid status with 400', async () => {
      const { reference } = await submit('สถานะไม่ถูกต้อง');
      const staff = await staffToken();
      problemOf(
        await call('transitionCase', { token: staff, params: { reference }, body: { to: 'deleted', reason: 'x' } }),
        400,
      );
      problemOf(await call('transitionCase', { token: staff, params: { reference }, body: { to: 'closed' } }), 400);
      problemOf(await call('transitionCase', { token: staff, params: { reference }, body: {} }), 400);
      const v = (await call('getCase', { token: staff, params: { reference } })).json() as { status: string };
      assert.equal(v.status, 'new');
    });

    it('refuses a submission without what with 400', async () => {
      const before = await countCases(t);
      problemOf(await call('submitReport', { body: { agency: 'OPDC', category: 'bribery' } }), 400);
      problemOf(await call('submitReport', { body: { agency: 'OPDC', category: 'bribery', what: '' } }), 400);
      assert.equal(await countCases(t), before);
    });

    it('refuses an unknown category with 400', async () => {
      const before = await countCases(t);
      assert.equal((CATEGORIES as readonly string[]).includes('littering'), false);
      problemOf(await call('submitReport', { body: { agency: 'OPDC', category: 'littering', what: 'ทิ้งขยะ' } }), 400);
      assert.equal(await countCases(t), before);
    });

    it('refuses extra properties with 400', async () => {
      const before = await countCases(t);
      // Every case is tried, so that a failure names all the operations that let extra properties in.
      const tries = {
        submitReport: await call('submitReport', {
          body: { agency: 'OPDC', category: 'bribery', what: 'มีช่องเกิน', reporterIp: '10.0.0.1' },
        }),
        'submitReport identity': await call('submitReport', {
          body: { agency: 'OPDC', category: 'bribery', what: 'ตัวตนมีช่องเกิน', identity: { name: 'ก', phone: '1' } },
        }),
        openReporterSession: await call('openReporterSession', {
          body: { receipt: '1234567812345678', remember: true },
        }),
        staffLogin: await call('staffLogin', {
          body: { email: STAFF_EMAIL, password: PASSWORD, code: '123456', role: 'admin' },
        }),
      };
      assert.deepEqual(Object.fromEntries(Object.entries(tries).map(([k, r]) => [k, r.statusCode])), {
        submitReport: 400,
        'submitReport identity': 400,
        openReporterSession: 400,
        staffLogin: 400,
      });
      for (const r of Object.values(tries)) problemOf(r, 400);
      assert.equal(await countCases(t), before);
    });

    it('refuses a value of the wrong type with 400', async () => {
      const before = await countCases(t);
      const tries = {
        number: await call('submitReport', { body: { agency: 'OPDC', category: 'bribery', what: 42 } }),
        array: await call('submitReport', { body: { agency: 'OPDC', category: 'bribery', what: ['ในอาร์เรย์'] } }),
        object: await call('submitReport', { body: { agency: 'OPDC', category: 'bribery', what: { text: 'วัตถุ' } } }),
      };
      assert.deepEqual(Object.fromEntries(Object.entries(tries).map(([k, r]) => [k, r.statusCode])), {
        number: 400,
        array: 400,
        object: 400,
      });
      for (const r of Object.values(tries)) problemOf(r, 400);
      assert.equal(await countCases(t), before);
    });

    it('refuses over-long text with 400', async () => {
      const before = await countCases(t);
      problemOf(
        await call('submitReport', {
          body: { agency: 'OPDC', category: 'bribery', what: 'ก'.repeat(TEXT_LIMITS.what + 1) },
        }),
        400,
      );
      problemOf(
        await call('submitReport', {
          body: { agency: 'OPDC', category: 'bribery', what: 'ok', when: 'x'.repeat(TEXT_LIMITS.when + 1) },
        }),
        400,
      );
      assert.equal(await countCases(t), before);
      const { receipt } = await submit('ข้อความยาวเกิน');
      const reporter = (await call('openReporterSession', { body: { receipt } })).json() as { token: string };
      problemOf(
        await call('postReporterMessage', {
          token: reporter.token,
          body: { text: 'x'.repeat(TEXT_LIMITS.message + 1) },
        }),
        400,
      );
    });

    it('refuses a malformed JSON body with 400', async () => {
      const before = await countCases(t);
      problemOf(
        await call('submitReport', { rawBody: '{"agency": "OPDC", "category": "bribery", "what": "ไม่จบ' }),
        400,
      );
      problemOf(await call('submitReport', { rawBody: 'not json at all' }), 400);
      problemOf(await call('openReporterSession', { rawBody: '{"receipt":' }), 400);
      assert.equal(await countCases(t), before);
    });

    it('refuses a body over the limit with 413', async () => {
      const before = await countCases(t);
      const huge = JSON.stringify({ agency: 'OPDC', category: 'bribery', what: 'x'.repeat(1024 * 1024) });
      problemOf(await call('submitReport', { rawBody: huge }), 413);
      const staff = await staffToken();
      problemOf(
        await call('staffLogin', {
          rawBody: JSON.stringify({ email: STAFF_EMAIL, password: 'p'.repeat(1024 * 1024) }),
        }),
        413,
      );
      problemOf(
        await call('transitionCase', {
          token: staff,
          params: { reference: 'OPDC-2569-000001' },
          rawBody: JSON.stringify({ to: 'closed', reason: 'x'.repeat(1024 * 1024) }),
        }),
        413,
      );
      assert.equal(await countCases(t), before);
    });

    it('answers an unknown API path with 404 problem+json', async () => {
      problemOf(await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }), 404);
    });
  });
});

async function countCases(t: TestApp): Promise<number> {
  const r = await t.db
    .selectFrom('report_case')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
