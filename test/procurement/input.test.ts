// Bad input and the input formats: JSON lines with malformed and oversized lines, release and record
// packages, the e-GP CSV with its Thai columns, the Thai flags on it, and the CLI's output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readEgpCsv } from '../../src/procurement/egp-csv.ts';
import { createRun, finishRun, foldRun } from '../../src/procurement/redflags.ts';
import { resultsJson } from '../../src/procurement/results.ts';
import { parseSettings } from '../../src/procurement/settings.ts';
import { jsonl, priced, run } from './fixtures.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');

describe('JSON lines: bad input', () => {
  it('reports each malformed line with its number, counts the skipped ones, and goes on', async () => {
    const good = JSON.stringify(
      priced('A', undefined, [
        ['V', 1],
        ['D', 1],
      ]),
    );
    const input = [good, '{"ocid": "B", "bids": ', '', '   ', '[1, 2', good.replace('"A"', '"C"'), 'null'].join('\n');
    const r = await run(input, '[R028]\n');
    assert.deepEqual(
      r.report.faults.map((f) => f.line),
      [2, 5],
    );
    assert.match(r.report.faults[0]!.reason, /invalid JSON/);
    assert.equal(r.report.skipped, 2);
    assert.equal(r.report.lines, 7);
    assert.equal(r.ignored, 1); // null: not an object with an ocid
    assert.deepEqual([...r.results.groups.get('OCID')!.keys()], ['A', 'C']);
  });

  it('refuses a line over the limit without holding it, and reads the next one', async () => {
    const huge = JSON.stringify({ ocid: 'H', filler: 'x'.repeat(5000) });
    const ok = JSON.stringify(
      priced('K', undefined, [
        ['V', 1],
        ['D', 1],
      ]),
    );
    const chunks = [huge.slice(0, 1000), huge.slice(1000), `\n${ok}\n`, huge, `\n${ok.replace('"K"', '"L"')}`];
    const { redFlagsOf } = await import('../../src/procurement/redflags.ts');
    const r = await redFlagsOf(Readable.from(chunks.map((c) => Buffer.from(c))), parseSettings('[R028]\n'), {
      maxLineBytes: 2048,
    });
    assert.deepEqual(
      r.report.faults.map((f) => [f.line, f.reason]),
      [
        [1, 'longer than 2048 bytes, refused'],
        [3, 'longer than 2048 bytes, refused'],
      ],
    );
    assert.deepEqual([...r.results.groups.get('OCID')!.keys()], ['K', 'L']);
  });

  it('reads release packages and record packages (their compiledRelease), one per line', async () => {
    const a = priced('A', undefined, [
      ['V', 1],
      ['D', 1],
    ]);
    const b = priced('B', undefined, [
      ['V', 2],
      ['D', 2],
    ]);
    const lines = [
      { uri: 'x', releases: [a, b] },
      {
        records: [
          {
            ocid: 'C',
            compiledRelease: priced('C', undefined, [
              ['V', 3],
              ['D', 3],
            ]),
          },
          { ocid: 'D' },
        ],
      },
      { records: [] },
    ];
    const r = await run(jsonl(lines), '[R028]\n');
    assert.deepEqual([...r.results.groups.get('OCID')!.keys()], ['A', 'B', 'C']);
    assert.deepEqual(r.report.faults, [{ line: 3, reason: 'a package with no releases or compiled releases' }]);
    assert.equal(r.report.releases, 3);
  });
});

const HEADER =
  'รหัสโครงการ,ชื่อโครงการ,ชื่อหน่วยงาน,วิธีจัดซื้อฯ,งบประมาณ(บาท),ราคากลาง(บาท),ราคาตกลงซื้อ/จ้าง,ชื่อผู้ชนะ,เลขนิติบุคคล,วันที่ประกาศ,วันที่ลงนามสัญญา';

async function egp(csv: string, ini: string) {
  const r = createRun(parseSettings(ini));
  const releases: any[] = [];
  const report = await readEgpCsv(Readable.from([Buffer.from(csv)]), (rel) => {
    releases.push(rel);
    foldRun(r, rel);
  });
  return { report, releases, results: finishRun(r) };
}

describe('e-GP open-data CSV', () => {
  const rows = [
    HEADER,
    '66019000001,ซื้อวัสดุสำนักงาน,กรมตัวอย่าง,วิธีเฉพาะเจาะจง,"100,000.00","99,000.00","98,500.00",บริษัท ก จำกัด,0105555000001,01/09/2566,15/09/2566',
    '66019000002,ซื้อวัสดุคอมพิวเตอร์,กรมตัวอย่าง,วิธีเฉพาะเจาะจง,"100,000.00","100,000.00","95,000.00",บริษัท ก จำกัด,0105555000001,05/09/2566,20/09/2566',
    '66019000003,จ้างก่อสร้างถนน,กรมตัวอย่าง,วิธีประกาศเชิญชวนทั่วไป (e-bidding),"5,000,000","4,900,000",abc,บริษัท ข จำกัด,0105555000002,01/03/2566,01/05/2566',
    '66019000004,จ้างเหมาบริการ,กรมตัวอย่าง,วิธีคัดเลือก,"400,000","380,000","300,000",บริษัท ค จำกัด,0105555000003,01/02/2566,31/02/2566',
    '66019000005,จ้างที่ปรึกษา,กรมตัวอย่าง,วิธีคัดเลือก,"900,000","900,000","600,000",บริษัท ง จำกัด,0105555000004,2023-01-10,2023-02-10',
    '66019000005,จ้างที่ปรึกษา,กรมตัวอย่าง,วิธีคัดเลือก,"900,000","900,000","250,000",บริษัท จ จำกัด,0105555000005,2023-01-10,2023-02-11',
  ];
  it('maps rows to OCDS releases; a project of several rows is one release; bad rows are reported by line', async () => {
    const { report, releases } = await egp(rows.join('\r\n'), '');
    assert.deepEqual(
      report.faults.map((f) => f.line),
      [4, 5],
    );
    assert.match(report.faults[0]!.reason, /ราคาตกลงซื้อ\/จ้าง "abc" is not an amount/);
    assert.match(report.faults[1]!.reason, /วันที่ลงนามสัญญา "31\/02\/2566" is not a date/);
    assert.equal(releases.length, 3);
    const first = releases[0];
    assert.equal(first.ocid, 'th-egp-66019000001');
    assert.equal(first.tender.procurementMethod, 'limited');
    assert.deepEqual(first.tender.value, { amount: 99000, currency: 'THB' });
    assert.equal(first.contracts[0].dateSigned, '2023-09-15T00:00:00+07:00');
    assert.deepEqual(first.awards[0].suppliers, [{ id: 'TH-DBD-0105555000001', name: 'บริษัท ก จำกัด' }]);
    assert.equal(releases[2].awards.length, 2);
    assert.equal(releases[2].tender.procurementMethod, 'selective');
  });

  it('computes the Thai flags: price near the reference, September specific-method purchases, splitting', async () => {
    const ini =
      '[TH_REFERENCE_PRICE]\n[TH_FISCAL_YEAR_END]\n[TH_SPLITTING]\n[TH_CONCENTRATION]\nminimum_contracting_processes = 2\n';
    const { results } = await egp(rows.join('\n'), ini);
    assert.equal(
      resultsJson(results, true),
      '{"OCID":{"th-egp-66019000001":{"TH_REFERENCE_PRICE":0.9949494949494949,"TH_FISCAL_YEAR_END":1.0,"TH_SPLITTING":2.0},' +
        '"th-egp-66019000002":{"TH_REFERENCE_PRICE":0.95,"TH_FISCAL_YEAR_END":1.0,"TH_SPLITTING":2.0}},' +
        // The project of two winners has no sole supplier: two of the buyer's processes count, both won by ก.
        '"Buyer":{"กรมตัวอย่าง":{"TH_CONCENTRATION":1.0}}}',
    );
  });

  it('refuses a file whose header lacks the required columns, and stops at a quote never closed', async () => {
    const notEgp = await egp('a,b,c\n1,2,3\n', '');
    assert.match(notEgp.report.faults[0]!.reason, /lacks รหัสโครงการ, ชื่อหน่วยงาน/);
    const open = await egp(`${HEADER}\n1,"ซื้อ,กรม\n`, '');
    assert.match(open.report.faults.at(-1)!.reason, /never closed; the rest of the file was not read/);
  });
});

describe('few bidders where bids are known', () => {
  it('flags fewer than 3 bidders, not a process without bid data', async () => {
    const two = priced('T', 'A', [
      ['A', 1],
      ['B', 2],
    ]);
    const four = priced('F', 'A', [
      ['A', 1],
      ['B', 2],
      ['C', 3],
      ['D', 4],
    ]);
    const unknown = { ocid: 'U' };
    const r = await run(jsonl([two, four, unknown]), '[TH_FEW_BIDDERS]\n');
    assert.equal(resultsJson(r.results, true), '{"OCID":{"T":{"TH_FEW_BIDDERS":2.0}}}');
  });
});

describe('npm run sujarit -- redflags', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sj-redflags-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints what ocdscardinal prints for the R024 demonstration, and reports skipped lines on stderr', async () => {
    const demo = [
      priced('F', 'W', [
        ['W', 1],
        ['L', 2],
      ]),
      ...['1', '2', '3', '4'].map((o) =>
        priced(o, 'W', [
          ['W', 1],
          ['L', 100],
        ]),
      ),
    ];
    await writeFile(path.join(dir, 'in.jsonl'), `${jsonl(demo)}\n{broken\n`);
    await writeFile(path.join(dir, 'settings.ini'), '[R024]\n');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        'src/cli/main.ts',
        'redflags',
        '--input',
        path.join(dir, 'in.jsonl'),
        '--settings',
        path.join(dir, 'settings.ini'),
      ],
      { cwd: ROOT },
    );
    assert.equal(
      stdout,
      '{"OCID":{"F":{"R024":1.0}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}},' +
        '"Meta":{"R024":{"q1":66.3333,"q3":99.0,"lower_fence":17.3333}}}\n',
    );
    assert.match(stderr, /line 6: invalid JSON/);
    assert.match(stderr, /6 lines read, 1 skipped; 5 releases/);
  });

  it('writes a result larger than a pipe’s buffer whole before exiting', async () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({
      ocid: `ocds-long-${i}`,
      tender: { numberOfTenderers: 1, procurementMethod: 'open' },
    }));
    await writeFile(path.join(dir, 'many.jsonl'), jsonl(many));
    await writeFile(path.join(dir, 'r018.ini'), '[R018]\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'src/cli/main.ts',
        'redflags',
        '--input',
        path.join(dir, 'many.jsonl'),
        '--settings',
        path.join(dir, 'r018.ini'),
      ],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    assert.ok(stdout.length > 150_000); // more than a pipe takes at once (64 KiB)
    assert.equal(Object.keys(JSON.parse(stdout).OCID).length, 6000);
  });

  it('refuses a bad settings file with the reason', async () => {
    await writeFile(path.join(dir, 'bad.ini'), '[R024]\nthreshold = lots\n');
    await assert.rejects(
      promisify(execFile)(
        process.execPath,
        ['src/cli/main.ts', 'redflags', '--input', '-', '--settings', path.join(dir, 'bad.ini')],
        { cwd: ROOT },
      ),
      (e: any) => /"lots" is not a number/.test(e.stderr) && e.code === 1,
    );
  });
});
