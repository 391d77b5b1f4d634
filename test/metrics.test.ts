// /metrics of a single process and /readyz: the listener serves strict Prometheus text on its own
// port, counts requests by route pattern (hostile URLs carrying receipts and tracking codes leave
// no trace of them), reads queue depths, overdue cases and the backup age from the database (absent
// until a backup table records one), answers nothing but GET /metrics, and says when the database
// is gone; /readyz says whether the database and the ledger are ready.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startMetricsListener, type MetricsListener } from '../src/metrics/listener.ts';
import { connect } from '../src/db/connection.ts';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from './support/app.ts';
import { parsePrometheus } from './support/prometheus.ts';

const RECEIPT = '8246-1357-9753-1468';
const CODE = 'TRK9X7Q2M4';

describe('/metrics and /readyz', () => {
  let t: TestApp;
  let metrics: MetricsListener;
  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    await seedRecipient(t.db, 'OPDC', 'officer@opdc.example');
    metrics = await startMetricsListener({ db: t.db, host: '127.0.0.1', port: 0, cluster: false });
  });
  after(async () => {
    await metrics?.stop();
    await t?.close();
  });
  const scrape = async () => {
    const res = await fetch(metrics.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    return { text, families: parsePrometheus(text) };
  };

  it('counts requests by route pattern, never by the URL asked for', async () => {
    const filed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { agency: 'OPDC', category: 'bribery', what: 'เรื่องทดสอบ' },
    });
    assert.equal(filed.statusCode, 201, filed.body);
    const receipt = filed.json().receipt as string;
    for (const url of [
      `/followup/${RECEIPT}`,
      `/status?code=${CODE}`,
      `/api/v1/cases/${CODE}`,
      `/followup?code=${receipt}`,
      `/${receipt}`,
      '/%E0%B8',
      `/log/${'a'.repeat(5000)}`,
    ])
      await t.app.inject({ method: 'GET', url });
    const { text, families } = await scrape();
    for (const secret of [RECEIPT, CODE, receipt, receipt.replaceAll('-', ''), 'aaaaaaaaaa'])
      assert.ok(!text.includes(secret), `${secret} in /metrics`);
    const requests = families.get('sujarit_http_requests_total');
    assert.equal(requests?.type, 'counter');
    const find = (route: string, method: string, status: string) =>
      requests?.samples.find(
        (s) => s.labels.route === route && s.labels.method === method && s.labels.status === status,
      )?.value;
    assert.equal(find('/api/v1/reports', 'POST', '2xx'), 1);
    assert.ok((find('/api/v1/cases/:reference', 'GET', '4xx') ?? 0) >= 1);
    assert.ok((find('(unmatched)', 'GET', '4xx') ?? 0) >= 2);
    for (const s of requests?.samples ?? []) {
      assert.match(s.labels.method, /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|OTHER)$/);
      assert.match(s.labels.status, /^[1-5]xx$/);
      assert.ok(s.labels.route === '(unmatched)' || s.labels.route.startsWith('/'), s.labels.route);
    }
    assert.equal(families.get('sujarit_http_request_duration_seconds')?.type, 'histogram');
  });

  it('reads queues, overdue cases per agency and the backup age from the database', async () => {
    const first = await scrape();
    const depth = (q: string, state: string) =>
      first.families.get('sujarit_queue_depth')?.samples.find((s) => s.labels.queue === q && s.labels.state === state)
        ?.value;
    assert.ok((depth('ledger_outbox', 'pending') ?? 0) >= 1, 'the filing waits in the ledger outbox');
    assert.equal(depth('line_event', 'pending'), 0);
    assert.equal(depth('mail_permit_reminder', 'due'), 0);
    const overdue = first.families.get('sujarit_cases_overdue')?.samples ?? [];
    assert.deepEqual(
      overdue.map((s) => [s.labels.agency, s.value]),
      [
        ['NACC', 0],
        ['OPDC', 0],
      ],
    );
    assert.deepEqual(first.families.get('sujarit_backup_age_seconds')?.samples, [], 'no backup made yet: no age');
    assert.equal(first.families.get('sujarit_database_up')?.samples[0].value, 1);

    await t.db
      .updateTable('report_case')
      .set({ ack_due_at: new Date(Date.now() - 86_400_000) })
      .execute();
    await sql`insert into backup_run (started_at, finished_at, made_by, file_name, bytes, table_count, row_count)
      values (now() - interval '2 hours 1 minute', now() - interval '2 hours', 'command', 'b.age', 1, 1, 1)`.execute(
      t.db,
    );
    await t.sequence();
    const second = await scrape();
    assert.deepEqual(
      second.families.get('sujarit_cases_overdue')?.samples.map((s) => [s.labels.agency, s.value]),
      [
        ['NACC', 0],
        ['OPDC', 1],
      ],
    );
    const age = second.families.get('sujarit_backup_age_seconds')?.samples[0];
    assert.equal(age?.labels.made_by, 'command');
    assert.ok(age && age.value >= 7200 && age.value < 7300, String(age?.value));
    assert.equal(
      second.families.get('sujarit_queue_depth')?.samples.find((s) => s.labels.queue === 'ledger_outbox')?.value,
      0,
    );
  });

  it('answers GET /metrics only', async () => {
    const base = metrics.url.replace('/metrics', '');
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics/../healthz`)).status, 404);
    assert.equal((await fetch(metrics.url, { method: 'POST', body: 'x' })).status, 405);
    assert.equal((await fetch(`${metrics.url}?name[]=x`)).status, 200);
  });

  it('still answers with the HTTP figures when the database is gone, and says so', async () => {
    const gone = connect('postgresql://nobody:wrong@127.0.0.1:1/none', 1);
    const lonely = await startMetricsListener({ db: gone, host: '127.0.0.1', port: 0, cluster: false });
    try {
      const res = await fetch(lonely.url);
      assert.equal(res.status, 200);
      const families = parsePrometheus(await res.text());
      assert.equal(families.get('sujarit_database_up')?.samples[0].value, 0);
      assert.ok(families.has('sujarit_http_requests_total'));
    } finally {
      await lonely.stop();
      await gone.destroy();
    }
  });

  it('/readyz: ready with the database and the ledger; not ready without the ledger key', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', database: true, ledger: true });
    const vkey = t.deps.ledgerVkey;
    t.deps.ledgerVkey = () => null;
    try {
      const notYet = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(notYet.statusCode, 503);
      assert.deepEqual(notYet.json(), { status: 'not ready', database: true, ledger: false });
    } finally {
      t.deps.ledgerVkey = vkey;
    }
    assert.equal((await t.app.inject({ method: 'HEAD', url: '/readyz' })).statusCode, 200);
  });
});
