// The open-data catalogue over HTTP: the pages in Thai and English, the files (BOM, ETag, 304,
// immutable caching), the DCAT-AP catalogue expanded with the jsonld library and checked for the
// properties DCAT-AP requires, the CKAN actions answering as CKAN's API guide shows, and hostile
// input (unknown datasets, forged months, path tricks, oversized parameters).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsonld from 'jsonld';
import { createTestApp, seedAgency, type TestApp } from '../../../test/support/app.ts';
import { get, newJar } from '../../../test/support/web.ts';
import { NOW, seedFixture } from '../../../test/support/opendata.ts';
import { datasets } from '../../opendata/datasets.ts';
import { releaseMonth } from '../../opendata/release.ts';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';

type Node = Record<string, unknown[]> & { '@id'?: string; '@type'?: string[] };

describe('open data over HTTP', () => {
  let h: TestApp;
  const page = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });
  before(async () => {
    h = await createTestApp({ SUJARIT_PUBLIC_URL: 'https://sujarit.example.go.th' });
    for (const code of ['LOCAL1', 'LOCAL2', 'CENT1']) await seedAgency(h.db, code);
    await seedFixture(h.db);
    await releaseMonth({ db: h.db, now: NOW });
  });
  after(() => h.close());

  it('the home page leads a citizen to the open data and the scorecards, in Thai and English', async () => {
    for (const [url, data, cards] of [
      ['/', 'ข้อมูลเปิดด้านความซื่อตรง', 'เปรียบเทียบหน่วยงาน (บัตรคะแนน)'],
      ['/?lang=en', 'Open integrity data', 'Compare agencies (scorecards)'],
    ]) {
      const home = await get(h.app, newJar(), url);
      assert.equal(home.statusCode, 200);
      assert.ok(home.body.includes(`<a href="/data">${data}</a>`), `${url} links the open data`);
      assert.ok(home.body.includes(`<a href="/scorecards">${cards}</a>`), `${url} links the scorecards`);
    }
  });

  it('lists every dataset in Thai and English, with its latest release and the machine links', async () => {
    const th = await get(h.app, newJar(), '/data');
    assert.equal(th.statusCode, 200);
    assert.match(th.body, /<html lang="th">/);
    assert.match(th.body, /เรื่องร้องเรียนและเบาะแสการทุจริต รายหน่วยงานรายเดือน/);
    assert.match(th.body, /href="\/data\/complaints-and-tips\/2026-10.csv" download/);
    assert.match(th.body, /ฉบับล่าสุด: ตุลาคม 2569/, 'months in the Buddhist Era');
    assert.match(th.body, /href="https:\/\/creativecommons.org\/licenses\/by\/4.0\/" rel="license"/);
    const en = await get(h.app, newJar(), '/data?lang=en');
    assert.match(en.body, /Complaints and corruption tips by agency and month/);
    assert.doesNotMatch(en.body, /<script/i);
  });

  it('a dataset page shows the licence, frequency, releases with their digest, and the dictionary', async () => {
    const res = await get(h.app, newJar(), '/data/complaints-and-tips?lang=en');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /monthly/);
    assert.match(res.body, /Release October 2569 BE/);
    assert.match(res.body, /<code>[0-9a-f]{64}<\/code>/);
    assert.match(res.body, /<code>ack_on_time<\/code>[\s\S]*?Cases – acknowledgement: on time/);
    assert.equal((await get(h.app, newJar(), '/data/no-such-dataset')).statusCode, 404);
  });

  it('serves a release as CSV with a BOM and as JSON, immutable, with an ETag and 304', async () => {
    const csv = await page('/data/ratings/2026-10.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.deepEqual([...csv.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(String(csv.headers['cache-control']), /immutable/);
    assert.match(String(csv.headers['x-release-sha256']), /^[0-9a-f]{64}$/);
    const etag = String(csv.headers.etag);
    assert.equal((await page('/data/ratings/2026-10.csv', { 'if-none-match': etag })).statusCode, 304);
    const json = await page('/data/ratings/latest.json');
    assert.deepEqual(JSON.parse(json.body).records[0].agency_code, 'LOCAL1');
    const dict = JSON.parse((await page('/data/ratings/dictionary.json')).body);
    assert.equal(dict.columns.find((c: { name: string }) => c.name === 'score_5').label.th, 'จำนวนการให้คะแนน 5 จาก 5');
  });

  it('refuses forged files and months: 404, never a path outside the releases', async () => {
    for (const url of [
      '/data/ratings/2026-13.csv',
      '/data/ratings/2026-09.csv',
      '/data/ratings/2026-10.xlsx',
      '/data/ratings/..%2F..%2Fetc%2Fpasswd',
      `/data/ratings/${'9'.repeat(5000)}.csv`,
      '/data/RATINGS/2026-10.csv',
    ]) {
      const status = (await page(url)).statusCode;
      assert.ok(status === 404 || (status === 400 && url.length > 1000), `${url.slice(0, 60)}: ${status}`);
    }
  });

  it('the DCAT-AP catalogue expands with jsonld and has every property DCAT-AP requires', async () => {
    const res = await page('/data/catalog.jsonld');
    assert.match(String(res.headers['content-type']), /^application\/ld\+json/);
    const expanded = (await jsonld.expand(JSON.parse(res.body))) as Node[];
    const catalog = expanded.find((n) => n['@type']?.includes(`${DCAT}Catalog`)) as Node;
    assert.ok(catalog, 'a dcat:Catalog');
    for (const p of [`${DCT}title`, `${DCT}description`, `${DCT}publisher`, `${DCAT}dataset`])
      assert.ok(catalog[p]?.length, `catalogue ${p}`);
    const publisher = catalog[`${DCT}publisher`][0] as Node;
    assert.ok(publisher[`${FOAF}name`]?.length, 'the publisher (an Agent) has foaf:name');
    const sets = catalog[`${DCAT}dataset`] as Node[];
    assert.equal(sets.length, datasets().length);
    for (const d of sets) {
      assert.ok(d['@type']?.includes(`${DCAT}Dataset`));
      for (const p of [`${DCT}title`, `${DCT}description`]) assert.ok(d[p]?.length, `${d['@id']} ${p}`);
      const langs = (d[`${DCT}title`] as { '@language': string }[]).map((t) => t['@language']).sort();
      assert.deepEqual(langs, ['en', 'th']);
      const dists = d[`${DCAT}distribution`] as Node[];
      assert.equal(dists.length, 2, `${d['@id']}: CSV and JSON`);
      for (const x of dists) {
        assert.ok(x[`${DCAT}accessURL`]?.length, 'distribution dcat:accessURL');
        assert.ok(x[`${DCT}license`]?.length, 'distribution dct:license (recommended)');
        assert.ok(x[`${DCAT}downloadURL`]?.length);
      }
    }
  });

  it('CKAN package_list, package_show and package_search answer {help, success, result}', async () => {
    const list = JSON.parse((await page('/api/3/action/package_list')).body);
    assert.equal(list.success, true);
    assert.match(list.help, /^https:\/\/sujarit.example.go.th\/api\/3\/action\/help_show\?name=package_list$/);
    assert.deepEqual(
      list.result,
      datasets()
        .map((d) => d.id)
        .sort(),
    );
    const paged = JSON.parse((await page('/api/3/action/package_list?limit=2&offset=1')).body);
    assert.deepEqual(paged.result, list.result.slice(1, 3));
    const show = JSON.parse((await page('/api/3/action/package_show?id=late-permits')).body);
    assert.equal(show.success, true);
    const pkg = show.result;
    assert.equal(pkg.name, 'late-permits');
    assert.equal(pkg.license_id, 'CC-BY-4.0');
    assert.equal(pkg.organization.name, 'sujarit');
    assert.equal(pkg.num_resources, 2);
    assert.deepEqual(
      pkg.resources.map((r: { format: string; url: string }) => [r.format, r.url]),
      [
        ['CSV', 'https://sujarit.example.go.th/data/late-permits/2026-10.csv'],
        ['JSON', 'https://sujarit.example.go.th/data/late-permits/2026-10.json'],
      ],
    );
    assert.match(pkg.resources[0].hash, /^sha256:[0-9a-f]{64}$/);
    assert.match(pkg.metadata_modified, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    const search = JSON.parse((await page('/api/3/action/package_search?q=permits&rows=5')).body);
    assert.equal(search.success, true);
    assert.equal(search.result.count, 1);
    assert.equal(search.result.results[0].name, 'late-permits');
    const all = JSON.parse((await page('/api/3/action/package_search')).body);
    assert.equal(all.result.count, datasets().length);
  });

  it('CKAN errors answer as CKAN does: not found, validation, unknown action', async () => {
    const missing = await page('/api/3/action/package_show?id=nope');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(JSON.parse(missing.body).error, { __type: 'Not Found Error', message: 'Not found' });
    assert.equal(JSON.parse(missing.body).success, false);
    assert.equal((await page('/api/3/action/package_show')).statusCode, 409);
    assert.equal((await page('/api/3/action/package_list?limit=-1')).statusCode, 409);
    assert.equal((await page('/api/3/action/package_search?rows=abc')).statusCode, 409);
    const unknown = await page('/api/3/action/package_create');
    assert.equal(unknown.statusCode, 400);
    assert.equal(JSON.parse(unknown.body).success, false);
    const long = await page(`/api/3/action/package_search?q=${'ก'.repeat(3000)}`);
    assert.equal(JSON.parse(long.body).result.count, 0);
  });

  it('the JSON API: datasets, one dataset, one release, with ETag, Cache-Control and 304; in the OpenAPI document', async () => {
    const list = await page('/api/v1/datasets');
    assert.equal(list.statusCode, 200);
    assert.match(String(list.headers['cache-control']), /max-age=600/);
    const items = JSON.parse(list.body).items as { id: string; latest: string | null; licence: string }[];
    assert.equal(items.length, datasets().length);
    assert.ok(items.every((i) => i.latest === '2026-10' && i.licence === 'CC-BY-4.0'));
    assert.equal((await page('/api/v1/datasets', { 'if-none-match': String(list.headers.etag) })).statusCode, 304);
    const one = JSON.parse((await page('/api/v1/datasets/ratings')).body);
    assert.equal(one.releases[0].csv, 'https://sujarit.example.go.th/data/ratings/2026-10.csv');
    assert.match(one.releases[0].sha256, /^[0-9a-f]{64}$/);
    const rel = await page('/api/v1/datasets/ratings/releases/2026-10');
    assert.match(String(rel.headers['cache-control']), /immutable/);
    assert.equal(JSON.parse(rel.body).records[0].agency_code, 'LOCAL1');
    for (const url of [
      '/api/v1/datasets/nope',
      '/api/v1/datasets/ratings/releases/2026-13',
      '/api/v1/datasets/ratings/releases/1999-01',
    ])
      assert.equal((await page(url)).statusCode, 404, url);
    const doc = JSON.parse((await page('/api/openapi.json')).body);
    for (const p of ['/api/v1/datasets', '/api/v1/datasets/{id}', '/api/v1/datasets/{id}/releases/{month}'])
      assert.ok(doc.paths[p]?.get, p);
    assert.ok(doc.paths['/api/v1/datasets'].get.responses['304']);
  });
});
