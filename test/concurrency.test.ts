// Many reporters at once, and a server killed (-9) in the middle of them. The server runs as a
// child process on a test database; clients talk real HTTP to it, each with its own cookies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import { seedAgency, seedRecipient } from './support/app.ts';
import {
  api,
  cookieJar,
  followPost,
  httpGet,
  httpPostForm,
  openReportByReceipt,
  send,
  type CookieJar,
} from './support/http.ts';
import { serverFixture, startServerProcess, type ServerProcess } from './support/server.ts';
import { csrfOf, multipart, receiptOf } from './support/web.ts';
import type { TestDatabase } from './support/db.ts';

const AGENCY = 'OPDC';

function referenceOf(html: string): string {
  const m = new RegExp(`${AGENCY}-\\d{4}-\\d{6}`).exec(html);
  if (!m) throw new Error('no case reference on the page');
  return m[0];
}

/** A text file of about `size` bytes, different for every `tag`. */
function textFile(tag: string, size: number): Buffer {
  const line = `หลักฐาน ${tag} ${randomBytes(8).toString('hex')}\n`;
  return Buffer.from(line.repeat(Math.ceil(size / Buffer.byteLength(line)))).subarray(0, size);
}

/** A reporter with a cookie jar and the CSRF token of the report form. */
async function openForm(base: string): Promise<{ jar: CookieJar; csrf: string }> {
  const jar = cookieJar();
  const form = await httpGet(base, jar, '/report');
  assert.equal(form.status, 200);
  return { jar, csrf: csrfOf(form.body) };
}

function reportFields(csrf: string, what: string): Record<string, string> {
  return {
    _csrf: csrf,
    agency: AGENCY,
    category: 'bribery',
    what,
    when: 'เมื่อวาน',
    where: 'สำนักงานเขต',
    who: 'หัวหน้าฝ่าย',
  };
}

/** Downloads an attachment as the reporter would: receipt login on the web, then the file link. */
async function downloadAsReporter(base: string, receipt: string, attachmentId: string): Promise<Buffer> {
  const jar = cookieJar();
  const login = await httpGet(base, jar, '/followup');
  const opened = await httpPostForm(base, jar, '/followup', { _csrf: csrfOf(login.body), receipt });
  assert.equal(opened.status, 303, opened.body);
  const file = await httpGet(base, jar, `/followup/case/attachments/${attachmentId}`);
  assert.equal(file.status, 200, file.body);
  return file.bytes;
}

async function integrity(db: TestDatabase['db']) {
  const one = async (query: RawBuilder<{ n: number }>) => Number((await query.execute(db)).rows[0].n);
  return {
    reports: await one(sql`select count(*)::int as n from report_case`),
    attachments: await one(sql`select count(*)::int as n from attachment`),
    attachmentsWithoutBlob: await one(
      sql`select count(*)::int as n from attachment a left join blob b on b.id = a.blob_id where b.id is null`,
    ),
    // every attached blob has its chunks 0 … n-1, none missing
    attachmentsWithIncompleteBlob: await one(sql`
      select count(*)::int as n from attachment a
      left join (select blob_id, count(*) as c, min(seq) as lo, max(seq) as hi from blob_chunk group by blob_id) k on k.blob_id = a.blob_id
      where k.blob_id is null or k.lo <> 0 or k.hi <> k.c - 1`),
    reportsWithoutReporterAccess: await one(
      sql`select count(*)::int as n from report_case c where not exists (select 1 from reporter_access r where r.case_id = c.id)`,
    ),
    reportsWithoutRecipientKey: await one(
      sql`select count(*)::int as n from report_case c where not exists (select 1 from case_key k where k.case_id = c.id and k.purpose = 'content')`,
    ),
    orphanBlobs: await one(
      sql`select count(*)::int as n from blob b where not exists (select 1 from attachment a where a.blob_id = b.id)`,
    ),
  };
}

describe('32 reporters at the same moment', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess | null = null;
  before(async () => {
    fixture = await serverFixture();
    await seedAgency(fixture.database.db, AGENCY);
    await seedRecipient(fixture.database.db, AGENCY, 'officer@opdc.example');
    // 32 receipt logins at once would pass the default burst of the receipt limit (20, which bounds
    // guessing; src/web/login-limits.test.ts tests it): here the subject is concurrent filing.
    server = await startServerProcess({
      databaseUrl: fixture.database.url,
      dataDir: fixture.dataDir,
      env: { SUJARIT_LIMIT_RECEIPT_BURST: '64' },
    });
  });
  after(async () => {
    await server?.stop();
    await fixture?.cleanup();
  });

  it('gives each its own receipt and reference, and each receipt opens its own report', async (t) => {
    const base = server!.url;
    const N = 32;
    const run = randomBytes(4).toString('hex');
    const clients = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const { jar, csrf } = await openForm(base);
        const what = `รายงานพร้อมกัน ${run} หมายเลข ${i}`;
        const file = {
          name: `evidence-${i}.txt`,
          type: 'text/plain',
          data: textFile(`${run}-${i}`, 40_000 + i * 5_000),
        };
        return { jar, what, file, body: await multipart(reportFields(csrf, what), [file]) };
      }),
    );

    // All 32 bodies are ready; they go out together.
    const results = await Promise.all(
      clients.map(async (c) =>
        followPost(
          base,
          c.jar,
          await send(base, c.jar, '/report', {
            method: 'POST',
            headers: { 'content-type': c.body.contentType },
            body: new Uint8Array(c.body.body),
          }),
        ),
      ),
    );
    for (const [i, res] of results.entries())
      assert.equal(res.status, 200, `submission ${i}: ${res.body.slice(0, 500)}`);
    const receipts = results.map((r) => receiptOf(r.body));
    const references = results.map((r) => referenceOf(r.body));
    assert.equal(new Set(receipts).size, N, 'receipts are distinct');
    assert.equal(new Set(references).size, N, 'references are distinct');
    t.diagnostic(`${N} submissions: references ${[...references].sort()[0]} … ${[...references].sort()[N - 1]}`);

    const opened = await Promise.all(receipts.map((r) => openReportByReceipt(base, r)));
    for (const [i, o] of opened.entries()) {
      assert.equal(o.status, 200, `receipt ${i}: ${o.detail}`);
      assert.equal(o.report!.content.what, clients[i].what);
      assert.equal(o.report!.reference, references[i]);
      assert.deepEqual(
        o.report!.attachments.map((a) => [a.name, a.size]),
        [[clients[i].file.name, clients[i].file.data.length]],
      );
    }
    // A file comes back whole for a few of them (all 32 would only repeat the same path).
    for (const i of [0, N - 1]) {
      assert.ok(
        (await downloadAsReporter(base, receipts[i], opened[i].report!.attachments[0].id)).equals(clients[i].file.data),
      );
    }
    const check = await integrity(fixture.database.db);
    assert.equal(check.reports, N);
    assert.equal(check.attachments, N);
    assert.equal(check.orphanBlobs, 0);
  });
});

describe('kill -9 while reports are being filed', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess | null = null;
  before(async () => {
    fixture = await serverFixture();
    await seedAgency(fixture.database.db, AGENCY);
    await seedRecipient(fixture.database.db, AGENCY, 'officer@opdc.example');
  });
  after(async () => {
    await server?.stop();
    await fixture?.cleanup();
  });

  it('keeps every report whose receipt reached its reporter, whole', async (t) => {
    const WEB = 20;
    const API = 20;
    const STALLED = 3;
    const KILL_AFTER_EACH = 3; // the kill comes once this many web and this many API reports are acknowledged
    const run = randomBytes(4).toString('hex');
    const first = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    server = first;
    const base = first.url;

    type Sent = { kind: 'web' | 'api'; what: string; file: { name: string; type: string; data: Buffer } | null };
    type Acked = Sent & { receipt: string; reference: string };
    const web = await Promise.all(
      Array.from({ length: WEB }, async (_, i) => {
        const { jar, csrf } = await openForm(base);
        const what = `ก่อนดับ ${run} เว็บ ${i}`;
        // Every fourth file is small (done early, so some web reports are acknowledged); the rest
        // grow to 1.4 MB (still streaming in when the server dies).
        const file = {
          name: `scan-${i}.txt`,
          type: 'text/plain',
          data: textFile(`${run}-w${i}`, i % 4 === 0 ? 20_000 + i * 100 : 100_000 + i * 65_000),
        };
        return {
          jar,
          sent: { kind: 'web' as const, what, file },
          body: await multipart(reportFields(csrf, what), [file]),
        };
      }),
    );
    // Uploads whose body stops half-way until the server is dead: certainly in flight at the kill.
    let markKilled: () => void = () => {};
    const killed = new Promise<void>((r) => (markKilled = r));
    const stalled = await Promise.all(
      Array.from({ length: STALLED }, async (_, i) => {
        const { jar, csrf } = await openForm(base);
        const { body, contentType } = await multipart(reportFields(csrf, `ค้าง ${run} ${i}`), [
          { name: `big-${i}.txt`, type: 'text/plain', data: textFile(`${run}-s${i}`, 3_000_000) },
        ]);
        let isHeadSent = false;
        const stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (!isHeadSent) {
              isHeadSent = true;
              controller.enqueue(new Uint8Array(body.subarray(0, 1_500_000)));
              return;
            }
            await killed;
            controller.error(new Error('upload abandoned'));
          },
        });
        return { jar, contentType, stream };
      }),
    );

    const acked: Acked[] = [];
    const byKind = (k: 'web' | 'api') => acked.filter((a) => a.kind === k).length;
    let failed = 0;
    let killing: Promise<void> | null = null;
    const kill = () => {
      killing ??= first.kill9().then(markKilled);
    };
    const onAck = (a: Acked) => {
      acked.push(a);
      if (byKind('web') >= KILL_AFTER_EACH && byKind('api') >= KILL_AFTER_EACH) kill();
    };

    const stalledRuns = stalled.map(async (s) => {
      try {
        const res = await send(base, s.jar, '/report', {
          method: 'POST',
          headers: { 'content-type': s.contentType },
          body: s.stream,
          duplex: 'half',
        });
        return res.status;
      } catch {
        return 'no answer';
      }
    });
    const apiBodies = Array.from({ length: API }, (_, i) => ({
      kind: 'api' as const,
      what: `ก่อนดับ ${run} เอพีไอ ${i}`,
      file: null,
    }));
    const runs: Promise<void>[] = [];
    for (let i = 0; i < Math.max(WEB, API); i++) {
      if (i < WEB) {
        const w = web[i];
        runs.push(
          (async () => {
            // Only the transport may fail (the server dies); a 200 without a receipt fails the test.
            // Acknowledged = the receipt page reached the reporter (the POST's 303, then GET /receipt).
            const res = await send(base, w.jar, '/report', {
              method: 'POST',
              headers: { 'content-type': w.body.contentType },
              body: new Uint8Array(w.body.body),
            })
              .then((r) => followPost(base, w.jar, r))
              .catch(() => null);
            if (res?.status === 200)
              onAck({ ...w.sent, receipt: receiptOf(res.body), reference: referenceOf(res.body) });
            else failed++;
          })(),
        );
      }
      if (i < API) {
        const a = apiBodies[i];
        runs.push(
          (async () => {
            const res = await api<{ receipt: string; reference: string }>(base, 'POST', '/api/v1/reports', {
              agency: AGENCY,
              category: 'other',
              what: a.what,
            }).catch(() => null);
            if (res?.status === 201) onAck({ ...a, receipt: res.json.receipt, reference: res.json.reference });
            else failed++;
          })(),
        );
      }
    }
    await Promise.all(runs);
    kill(); // in case too few were acknowledged: the assertions below then fail
    await killing;
    const stalledOutcomes = await Promise.all(stalledRuns);
    t.diagnostic(
      `acknowledged before the kill: ${acked.length} of ${WEB + API} (web ${byKind('web')}, api ${byKind('api')}); failed or unanswered: ${failed}; stalled uploads: ${stalledOutcomes.join(', ')}`,
    );
    assert.ok(
      byKind('web') >= KILL_AFTER_EACH && byKind('api') >= KILL_AFTER_EACH,
      'the server answered both kinds before it was killed',
    );
    assert.equal(acked.length + failed, WEB + API);
    assert.ok(
      stalledOutcomes.every((o) => o !== 200),
      'an upload whose body never ended got no receipt',
    );

    // Start again on the same database and data folder.
    const second = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    server = second;
    const check = await integrity(fixture.database.db);
    t.diagnostic(`after restart: ${JSON.stringify(check)}`);
    assert.equal(check.attachmentsWithoutBlob, 0, 'no attachment points to a missing blob');
    assert.equal(check.attachmentsWithIncompleteBlob, 0, 'no attachment has a blob with missing chunks');
    assert.equal(check.reportsWithoutReporterAccess, 0, 'no report without its reporter access');
    assert.equal(check.reportsWithoutRecipientKey, 0, 'no report without its recipient key');
    assert.ok(check.reports >= acked.length, 'every acknowledged report is in the database');

    assert.equal(new Set(acked.map((a) => a.receipt)).size, acked.length);
    for (const a of acked) {
      const o = await openReportByReceipt(second.url, a.receipt);
      assert.equal(o.status, 200, `acknowledged receipt of "${a.what}" does not open: ${o.detail}`);
      assert.equal(o.report!.content.what, a.what);
      assert.equal(o.report!.reference, a.reference);
      if (a.file) {
        assert.deepEqual(
          o.report!.attachments.map((f) => [f.name, f.size]),
          [[a.file.name, a.file.data.length]],
        );
        assert.ok(
          (await downloadAsReporter(second.url, a.receipt, o.report!.attachments[0].id)).equals(a.file.data),
          `the file of "${a.what}" comes back whole`,
        );
      } else {
        assert.deepEqual(o.report!.attachments, []);
      }
    }

    // And the restarted server takes new reports.
    const later = await api<{ receipt: string }>(second.url, 'POST', '/api/v1/reports', {
      agency: AGENCY,
      category: 'other',
      what: `หลังเริ่มใหม่ ${run}`,
    });
    assert.equal(later.status, 201, later.text);
    assert.equal((await openReportByReceipt(second.url, later.json.receipt)).report?.content.what, `หลังเริ่มใหม่ ${run}`);
  });
});
