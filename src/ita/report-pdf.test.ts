import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { renderMonitoringPdf } from './report-pdf.ts';
import { toThaiDigits } from '../pdf/thai-text.ts';
import type { MonitoringReport, ReportProject } from './types.ts';

const execFile = promisify(execFileCb);

// Paragraphs in the manner of seed 003 (a real six-month report).
const OBJECTIVE =
  'ส่งเสริม สนับสนุน และสร้างความรู้ ความเข้าใจเกี่ยวกับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (Integrity and Transparency Assessment : ITA) ให้กับบุคลากรของสำนักงาน เพื่อนำไปสู่การปฏิบัติให้เป็นไปในทิศทางเดียวกัน และบรรลุผลสำเร็จตามเป้าหมายที่กำหนดไว้อย่างเป็นรูปธรรม\nสนับสนุนและผลักดันให้สำนักงานมีการพัฒนาระดับคุณธรรมและความโปร่งใสในการดำเนินงานที่สอดคล้องตามเกณฑ์การประเมิน';
const STEPS =
  '1) จัดตั้งคณะทำงานส่งเสริมคุณธรรมและความโปร่งใสในการดำเนินงาน ปีงบประมาณ พ.ศ. 2569\n2) ประชุมคณะทำงานเพื่อชี้แจงแนวทางการขับเคลื่อน “นโยบาย No Gift Policy จากการปฏิบัติหน้าที่” และรับฟังความเห็นแนวทางการดำเนินงานเพื่อยกระดับคะแนน\n3) ติดตาม เร่งรัดการดำเนินการ และรายงานความก้าวหน้าต่อผู้บริหาร';
const PROGRESS =
  'จัดประชุมรับฟังความคิดเห็นแก่ส่วนราชการ เพื่อสร้างความเข้าใจในการดำเนินการตามหลักการของการปรับปรุงพระราชบัญญัติการอำนวยความสะดวกในการพิจารณาอนุญาตของทางราชการ พ.ศ. 2558 และรับฟังความคิดเห็นต่อการดำเนินการตามหลักการดังกล่าว เมื่อวันที่ 2 ธันวาคม 2568 และเปิดช่องทางไลน์ @goodgov4U สำหรับประชาชนในการร้องเรียนหรือแจ้งข้อมูลเกี่ยวกับการไม่ได้รับความสะดวกในการติดต่อราชการกับหน่วยงานของรัฐ';
const SUGGESTION =
  'การยกระดับการประเมิน ITA ให้ถึงเป้าหมายที่กำหนด จำเป็นต้องอาศัยความร่วมมือจากบุคลากร รวมทั้งผู้บริหารเห็นถึงความสำคัญในการนำผลประเมิน ITA มาปรับปรุงการดำเนินงาน โดยเฉพาะการให้ความสำคัญกับผู้รับบริการในการสร้างการมีส่วนร่วม';
const AGENCY = 'สำนักงานคณะกรรมการพัฒนาระบบราชการ (ก.พ.ร.)';
const TITLE = 'รายงานการกำกับติดตามการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส';

function project(over: Partial<ReportProject> = {}): ReportProject {
  return {
    indicator: 1,
    indicatorName: 'การปฏิบัติหน้าที่',
    title: 'กิจกรรมการยกระดับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของสำนักงาน',
    objective: OBJECTIVE,
    steps: STEPS,
    responsibleUnit: 'กลุ่มงานคุ้มครองจริยธรรม',
    startsOn: '2025-10-01',
    endsOn: '2026-09-30',
    budget: '12500.00',
    progress: { text: PROGRESS, percent: 60, budgetUsed: '4241300.00', problems: '', suggestions: SUGGESTION },
    ...over,
  };
}

function report(over: Partial<MonitoringReport> = {}): MonitoringReport {
  return {
    lang: 'th',
    thaiDigits: true,
    agencyName: AGENCY,
    fiscalYear: 2569,
    round: 6,
    generatedOn: '2026-04-30',
    scores: [
      { fiscalYear: 2567, iit: 8079, eit: 8447, oit: 9750, ita: 8858, grade: 'A' },
      { fiscalYear: 2568, iit: 8341, eit: 9221, oit: 10000, ita: 9269, grade: 'A' },
      { fiscalYear: 2569, iit: null, eit: null, oit: null, ita: null, grade: null },
    ],
    projects: [
      project(),
      project({
        indicator: 9,
        indicatorName: 'การเปิดเผยข้อมูล',
        title: 'โครงการพัฒนาระบบการให้บริการภาครัฐ',
        budget: '0',
        progress: null,
      }),
      project({
        indicator: 6,
        indicatorName: 'การป้องกันการทุจริต',
        title: 'กิจกรรมการดำเนินงานตามข้อเสนอแนะเพื่อยกระดับดัชนีรับรู้การทุจริต',
        budget: '0',
        progress: {
          text: PROGRESS,
          percent: 100,
          budgetUsed: '0',
          problems: 'ข้อจำกัดของช่องทางการเผยแพร่ผลการดำเนินงาน',
          suggestions: '',
        },
      }),
    ],
    ...over,
  };
}

/** NFKC (the font decomposes ำ: see decomposeSaraAm) and runs of whitespace as one space. */
const normal = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ');
/** For text that may wrap onto two lines, where the break adds whitespace. */
const squeezed = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

let dir = '';
let n = 0;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sujarit-report-pdf-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saved(r: MonitoringReport): Promise<{ file: string; pdf: Buffer }> {
  const pdf = await renderMonitoringPdf(r);
  const file = path.join(dir, `report-${n++}.pdf`);
  await writeFile(file, pdf);
  return { file, pdf };
}

async function text(file: string, opts: { page?: number; layout?: boolean } = {}): Promise<string> {
  const pages = opts.page === undefined ? [] : ['-f', String(opts.page), '-l', String(opts.page)];
  const { stdout } = await execFile('pdftotext', [
    ...pages,
    ...(opts.layout ? ['-layout'] : []),
    '-enc',
    'UTF-8',
    file,
    '-',
  ]);
  return stdout;
}

async function info(file: string): Promise<Record<string, string>> {
  const { stdout } = await execFile('pdfinfo', ['-isodates', file]);
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

describe('renderMonitoringPdf', () => {
  it('draws page 1 as an A4 page that is not blank', async () => {
    const { file } = await saved(report());
    const prefix = path.join(dir, 'page1');
    await execFile('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    const png = sharp(`${prefix}.png`);
    const { width, height, format } = await png.metadata();
    assert.equal(format, 'png');
    assert.ok(width > 400 && width < 430, `width ${width}`); // 210 mm at 50 dpi ≈ 413 px
    assert.ok(Math.abs(height / width - Math.SQRT2) < 0.01, `A4 proportions: ${width}×${height}`);
    const stats = await png.stats();
    assert.ok(stats.channels[0].min < 64, 'some dark (text) pixels');
    assert.ok(stats.channels[0].mean < 250, `mostly but not all white: mean ${stats.channels[0].mean}`);
  });

  it('puts the title, agency, round in Thai digits and the first measure in the text layer of page 1', async () => {
    const r = report();
    const { file } = await saved(r);
    for (const layout of [false, true]) {
      const raw = await text(file, { page: 1, layout });
      const page = normal(raw);
      assert.ok(squeezed(raw).includes(squeezed(TITLE)), 'title');
      assert.ok(page.includes(normal(AGENCY)), 'agency');
      assert.ok(page.includes('ประจำปีงบประมาณ พ.ศ. ๒๕๖๙ รอบ ๖ เดือน'.normalize('NFKC')), 'fiscal year and round');
      assert.ok(squeezed(raw).includes(squeezed(`๑. ${r.projects[0].title}`)), 'first measure');
      assert.ok(page.includes('ตัวชี้วัดที่ ๑ การปฏิบัติหน้าที่'), 'indicator');
      assert.ok(page.includes('๘๓.๔๑') && page.includes('๑๐๐.๐๐'), 'scores as hundredths');
      assert.doesNotMatch(page, /[0-9]/, 'no Arabic digit anywhere');
      // The text layer reads back in order: marks stay with their letters, ำ is not doubled.
      assert.ok(page.includes('ผู้มีส่วนได้ส่วน'), 'marks in order');
      assert.ok(page.includes('นำไปสู่การปฏิบัติ'.normalize('NFKC')), 'marks in order in the body');
      assert.doesNotMatch(raw, /\u0E33\u0E32/, 'ำ is not read back as "ำา"');
    }
  });

  it('keeps Arabic digits when thaiDigits is false', async () => {
    const { file } = await saved(report({ thaiDigits: false }));
    const page = normal(await text(file));
    assert.ok(page.includes('ประจำปีงบประมาณ พ.ศ. 2569 รอบ 6 เดือน'.normalize('NFKC')));
    assert.ok(
      page.includes('1.1 วัตถุประสงค์') && page.includes('83.41') && page.includes('1 ตุลาคม 2568 ถึง 30 กันยายน 2569'),
    );
    assert.doesNotMatch(page, /[๐-๙]/, 'no Thai digit anywhere');
  });

  it('prints the sections of seed 003, the budget, and what is not reported', async () => {
    const { file } = await saved(report());
    const all = normal(await text(file));
    for (const heading of [
      '๑.๑ วัตถุประสงค์',
      '๑.๒ ขั้นตอนการดำเนินงานและผู้รับผิดชอบ',
      '๑.๓ ความก้าวหน้าการดำเนินการ',
      '๑.๔ งบประมาณที่ใช้ดำเนินงาน',
      '๑.๕ ปัญหา/อุปสรรค',
      '๑.๖ ข้อเสนอแนะ',
      '๓.๖ ข้อเสนอแนะ',
    ]) {
      assert.ok(all.includes(heading.normalize('NFKC')), heading);
    }
    assert.ok(all.includes('ใช้ไป ๔,๒๔๑,๓๐๐.๐๐ บาท จากงบประมาณ ๑๒,๕๐๐.๐๐ บาท'), 'budget used of planned');
    assert.ok(all.includes('ดำเนินการแล้วร้อยละ ๖๐'.normalize('NFKC')));
    assert.ok(all.includes('ยังไม่ได้รายงานความก้าวหน้า'), 'the measure without progress');
    assert.ok(all.includes('ไม่ใช้งบประมาณ'), 'no budget');
    assert.ok(all.includes('ผู้รับผิดชอบ กลุ่มงานคุ้มครองจริยธรรม'));
    assert.ok(all.includes('๑ ตุลาคม ๒๕๖๘ ถึง ๓๐ กันยายน ๒๕๖๙'));
    assert.ok(all.includes('ไม่มี'), 'empty problems');
    assert.ok(all.includes('จัดทำเมื่อ ๓๐ เมษายน ๒๕๖๙'.normalize('NFKC')), 'footer');
  });

  it('sets the metadata and language, and renders the same report to the same bytes', async () => {
    const { file, pdf } = await saved(report());
    const meta = await info(file);
    assert.equal(meta.Author, AGENCY);
    assert.equal(meta.Creator, 'Sujarit');
    assert.ok(meta.Title.startsWith(TITLE));
    assert.equal(new Date(meta.CreationDate).getTime(), new Date('2026-04-30T00:00:00+07:00').getTime());
    assert.equal(meta['Page size'].startsWith('595.28 x 841.89'), true);
    assert.ok(pdf.includes('/Lang (th-TH)'), 'document language');
    assert.ok((await renderMonitoringPdf(report())).equals(pdf), 'deterministic');
  });

  it('paginates a long report, numbers later pages "- n -" and loses no text', async () => {
    const projects = Array.from({ length: 40 }, (_, i) =>
      project({
        title: `โครงการที่ ${i + 1} ส่งเสริมคุณธรรมและความโปร่งใสของหน่วยงาน`,
        progress: i % 3 === 0 ? null : project().progress,
      }),
    );
    const { file } = await saved(report({ projects }));
    const pages = Number((await info(file)).Pages);
    assert.ok(pages > 5, `${pages} pages`);
    const all = squeezed(await text(file));
    for (const [i, p] of projects.entries())
      assert.ok(all.includes(squeezed(toThaiDigits(`${i + 1}. ${p.title}`))), p.title);
    const first = await text(file, { page: 1, layout: true });
    assert.doesNotMatch(
      squeezed(first.split('\n').find((l) => l.trim() !== '') ?? ''),
      /^-.*-$/,
      'no page number on page 1',
    );
    for (const page of [2, pages]) {
      const top = (await text(file, { page, layout: true })).split('\n').find((l) => l.trim() !== '') ?? '';
      assert.equal(squeezed(top), `-${toThaiDigits(String(page))}-`, `page number of page ${page}`);
    }
    assert.ok(normal(await text(file, { page: pages })).includes(normal('จัดทำเมื่อ')), 'footer on the last page');
    assert.ok(!normal(await text(file, { page: pages - 1 })).includes(normal('จัดทำเมื่อ')), 'and only there');
  });

  it('renders hostile input: a 5,000-character word, control characters, markup, empty strings', async () => {
    const word = 'ฎ'.repeat(5000);
    const { file, pdf } = await saved(
      report({
        agencyName: '<script>alert("x")</script> & \'quotes\'',
        scores: [{ fiscalYear: 2569, iit: null, eit: null, oit: null, ita: null, grade: '<b>&</b>' }],
        generatedOn: '',
        projects: [
          project({
            title: word,
            objective: 'ก่อน\u0000\u0007\u001B\u200B\u202Eหลัง\r\nบรรทัดใหม่\tแท็บ',
            steps: '',
            responsibleUnit: '',
            startsOn: '',
            endsOn: 'not a date',
            budget: '',
            indicatorName: '',
          }),
          project({
            title: '',
            objective: '',
            progress: { text: '', percent: Number.NaN, budgetUsed: 'abc', problems: '   ', suggestions: '\n\n' },
          }),
        ],
      }),
    );
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(Number((await info(file)).Pages) >= 2);
    const raw = await text(file);
    assert.equal(raw.match(/ฎ/g)?.length, 5000, 'every character of the long word is drawn');
    const cell = await saved(
      report({ scores: [{ fiscalYear: 2569, iit: null, eit: null, oit: null, ita: null, grade: 'ฏ'.repeat(2000) }] }),
    );
    const drawn = (await text(cell.file)).match(/ฏ/g)?.length ?? 0;
    assert.ok(drawn > 0 && drawn < 100, `a table cell is cut short, so its row fits on a page: ${drawn}`);
    const all = normal(raw);
    assert.ok(all.includes(`<script>alert("x")</script> & 'quotes'`), 'markup is text');
    assert.ok(squeezed(raw).includes('<b>&</b>'), 'markup in a table cell');
    assert.ok(all.includes('ก่อนหลัง'), 'control and format characters removed');
    assert.ok(all.includes('บรรทัดใหม่ แท็บ'));
    assert.doesNotMatch(raw, /[\u0000-\u0008\u000E-\u001F\u200B\u202E]/);
  });

  it('says so when there are no measures and no scores, and prints a twelve-month round', async () => {
    const { file } = await saved(report({ projects: [], scores: [], round: 12 }));
    const all = normal(await text(file));
    assert.ok(all.includes('รอบ ๑๒ เดือน'));
    assert.ok(all.includes('ไม่มีมาตรการหรือโครงการที่ต้องรายงานในรอบนี้'));
    assert.ok(all.includes('ยังไม่มีผลการประเมิน'));
  });

  it('prints the English version with English labels and Buddhist Era years', async () => {
    const { file, pdf } = await saved(
      report({ lang: 'en', thaiDigits: false, agencyName: 'Office of the Public Sector Development Commission' }),
    );
    const all = normal(await text(file));
    for (const label of [
      'Monitoring report on the integrity and transparency measures',
      'Office of the Public Sector Development Commission',
      'Fiscal year 2569 (B.E.), six-month report',
      'FY 2568',
      'Internal integrity and transparency assessment (IIT)',
      '1. ',
      'Indicator 1: ',
      '1.1 Objectives',
      '1.2 Steps and responsibility',
      '1.3 Progress',
      'Progress: 60%',
      '1.4 Budget',
      '4,241,300.00 baht used of 12,500.00 baht',
      '1.5 Problems and obstacles',
      '1.6 Suggestions',
      'None',
      '1 October 2568 to 30 September 2569',
      'No progress reported yet',
      'Prepared on 30 April 2569',
    ]) {
      assert.ok(all.includes(label), label);
    }
    assert.ok(pdf.includes('/Lang (en)'));
  });
});
