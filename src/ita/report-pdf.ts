// The monitoring report as a PDF (seed 003's structure, Thai official style): A4, Sarabun 16 pt,
// margins 3 cm left, 2 cm right, 2.5 cm top, 2 cm bottom, the page number "- ๒ -" centred at the top
// of every page after the first. The fonts and the Thai line layout are pdf/thai-pdf.ts.
import { LINE, MM, OFFICIAL_PAGE, openThaiDocument, Writer, type Font } from '../pdf/thai-pdf.ts';
import { bahtAmount, beLongDate, cleanText, isZeroAmount, toThaiDigits, wrapText } from '../pdf/thai-text.ts';
import type { MonitoringReport, ReportProject } from './types.ts';

const { left: LEFT, right: RIGHT, bottom: BOTTOM } = OFFICIAL_PAGE;
const WIDTH = RIGHT - LEFT;
const SECTION_INDENT = 10 * MM;
const PARAGRAPH_INDENT = 15 * MM; // with SECTION_INDENT: the official 2.5 cm first-line indent
const YEAR_COLUMN = 72; // "๑๐๐.๐๐" and "ปี ๒๕๖๙" on one line
const MAX_YEARS = 3; // the latest three: more would squeeze the instrument names below readability
const CELL_PAD = 4;
const MAX_CELL_LINES = 3; // a table row always fits on a page

type Lang = MonitoringReport['lang'];

const LABELS = {
  th: {
    title: 'รายงานการกำกับติดตามการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส',
    period: (fy: number, round: 6 | 12) => `ประจำปีงบประมาณ พ.ศ. ${fy} รอบ ${round} เดือน`,
    scores: 'ผลการประเมินคุณธรรมและความโปร่งใส (ITA)',
    instrument: 'แบบวัด',
    year: (fy: number) => `ปี ${fy}`,
    iit: 'แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน (IIT)',
    eit: 'แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก (EIT)',
    oit: 'แบบตรวจการเปิดเผยข้อมูลสาธารณะ (OIT)',
    ita: 'คะแนนรวม (ITA)',
    grade: 'ระดับผลการประเมิน',
    noScores: 'ยังไม่มีผลการประเมิน',
    measures: 'ผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส',
    noProjects: 'ไม่มีมาตรการหรือโครงการที่ต้องรายงานในรอบนี้',
    indicator: (n: number, name: string) => `ตัวชี้วัดที่ ${n} ${name}`,
    objective: 'วัตถุประสงค์',
    steps: 'ขั้นตอนการดำเนินงานและผู้รับผิดชอบ',
    progress: 'ความก้าวหน้าการดำเนินการ',
    budget: 'งบประมาณที่ใช้ดำเนินงาน',
    problems: 'ปัญหา/อุปสรรค',
    suggestions: 'ข้อเสนอแนะ',
    responsible: 'ผู้รับผิดชอบ',
    duration: 'ระยะเวลาดำเนินการ',
    fromTo: (a: string, b: string) => `${a} ถึง ${b}`,
    percent: (p: string) => `ดำเนินการแล้วร้อยละ\u00A0${p}`,
    noProgress: 'ยังไม่ได้รายงานความก้าวหน้า',
    budgetUsed: (used: string, planned: string) => `ใช้ไป ${used}\u00A0บาท จากงบประมาณ ${planned}\u00A0บาท`,
    budgetPlanned: (planned: string) => `งบประมาณ ${planned}\u00A0บาท (ยังไม่ได้รายงานการใช้จ่าย)`,
    noBudget: 'ไม่ใช้งบประมาณ',
    none: 'ไม่มี',
    notReported: 'ยังไม่ได้รายงาน',
    madeOn: (date: string) => `จัดทำเมื่อ ${date}`,
  },
  en: {
    title: 'Monitoring report on the integrity and transparency measures',
    period: (fy: number, round: 6 | 12) => `Fiscal year ${fy} (B.E.), ${round === 6 ? 'six' : 'twelve'}-month report`,
    scores: 'Integrity and Transparency Assessment (ITA) results',
    instrument: 'Instrument',
    year: (fy: number) => `FY ${fy}`,
    iit: 'Internal integrity and transparency assessment (IIT)',
    eit: 'External integrity and transparency assessment (EIT)',
    oit: 'Open data integrity and transparency assessment (OIT)',
    ita: 'ITA score',
    grade: 'Grade',
    noScores: 'Not assessed yet',
    measures: 'Progress of the integrity and transparency measures',
    noProjects: 'There are no measures or projects to report for this round.',
    indicator: (n: number, name: string) => `Indicator ${n}: ${name}`,
    objective: 'Objectives',
    steps: 'Steps and responsibility',
    progress: 'Progress',
    budget: 'Budget',
    problems: 'Problems and obstacles',
    suggestions: 'Suggestions',
    responsible: 'Responsible unit',
    duration: 'Period',
    fromTo: (a: string, b: string) => `${a} to ${b}`,
    percent: (p: string) => `Progress: ${p}%`,
    noProgress: 'No progress reported yet',
    budgetUsed: (used: string, planned: string) => `${used}\u00A0baht used of ${planned}\u00A0baht`,
    budgetPlanned: (planned: string) => `${planned}\u00A0baht planned (spending not reported yet)`,
    noBudget: 'No budget used',
    none: 'None',
    notReported: 'Not reported yet',
    madeOn: (date: string) => `Prepared on ${date}`,
  },
} satisfies Record<Lang, unknown>;
type Labels = (typeof LABELS)[Lang];

/** A score in hundredths as "83.41"; "–" when not assessed. */
function scoreText(hundredths: number | null): string {
  return hundredths === null || !Number.isFinite(hundredths) ? '–' : (hundredths / 100).toFixed(2);
}

/** Seed 004's table: one row per instrument and for the total and grade, one column per fiscal year. */
function scoreTable(w: Writer, report: MonitoringReport, L: Labels): void {
  w.heading(L.scores, LEFT);
  const years = report.scores.slice(-MAX_YEARS);
  if (years.length === 0) {
    w.block(L.noScores, { x: LEFT + SECTION_INDENT, width: WIDTH - SECTION_INDENT });
    return;
  }
  const labelWidth = WIDTH - years.length * YEAR_COLUMN;
  const rows: string[][] = [
    [L.instrument, ...years.map((y) => L.year(y.fiscalYear))],
    [L.iit, ...years.map((y) => scoreText(y.iit))],
    [L.eit, ...years.map((y) => scoreText(y.eit))],
    [L.oit, ...years.map((y) => scoreText(y.oit))],
    [L.ita, ...years.map((y) => scoreText(y.ita))],
    [L.grade, ...years.map((y) => y.grade ?? '–')],
  ];
  const laidOut = rows.map((cells, r) => {
    const font: Font = r === 0 ? 'bold' : 'regular';
    const wrapped = cells.map((c, i) => {
      const lines = wrapText(w.prepare(c), (i === 0 ? labelWidth : YEAR_COLUMN) - 2 * CELL_PAD, (s) =>
        w.measure(font, s),
      );
      return lines.length > MAX_CELL_LINES
        ? [...lines.slice(0, MAX_CELL_LINES - 1), `${lines[MAX_CELL_LINES - 1]}…`]
        : lines;
    });
    return { font, wrapped, height: Math.max(1, ...wrapped.map((l) => l.length)) * LINE + 2 * CELL_PAD };
  });
  w.room(laidOut.reduce((h, r) => h + r.height, 0));
  const { doc } = w;
  doc.lineWidth(0.5);
  let top = w.y;
  for (const row of laidOut) {
    row.wrapped.forEach((lines, i) => {
      const cellX = i === 0 ? LEFT : LEFT + labelWidth + (i - 1) * YEAR_COLUMN;
      const cellWidth = i === 0 ? labelWidth : YEAR_COLUMN;
      lines.forEach((l, j) => {
        const x = i === 0 ? cellX + CELL_PAD : cellX + (cellWidth - w.measure(row.font, l)) / 2;
        w.draw(l, x, top + CELL_PAD + j * LINE, row.font);
      });
      doc.rect(cellX, top, cellWidth, row.height).stroke();
    });
    top += row.height;
  }
  w.y = top;
}

/** A BE long date that a line never splits (no-break spaces: they read back as spaces under NFKC). */
function dateText(lang: Lang, ymd: string): string {
  return beLongDate(lang, ymd).replace(/ /g, '\u00A0');
}

function percentText(p: number): string {
  return Number.isFinite(p) ? String(Math.round(p * 100) / 100) : '–';
}

function budgetText(lang: Lang, L: Labels, p: ReportProject): string {
  const used = p.progress?.budgetUsed ?? '';
  if (isZeroAmount(p.budget) && (p.progress === null || isZeroAmount(used))) return L.noBudget;
  return p.progress === null
    ? L.budgetPlanned(bahtAmount(lang, p.budget))
    : L.budgetUsed(bahtAmount(lang, used), bahtAmount(lang, p.budget));
}

/** One measure, numbered as in seed 003: "๑. title", then ๑.๑ … ๑.๖. */
function project(w: Writer, lang: Lang, L: Labels, p: ReportProject, n: number): void {
  const sub = LEFT + SECTION_INDENT;
  const body = { x: sub, width: RIGHT - sub, indent: PARAGRAPH_INDENT };
  const section = (k: number, title: string) => {
    w.gap(0.25);
    w.heading(title, sub, `${n}.${k} `);
  };
  const orNone = (s: string | undefined) => (s === undefined ? L.notReported : s.trim() === '' ? L.none : s);

  w.room(4 * LINE); // the title, its indicator and the first heading stay together
  w.heading(p.title.trim() === '' ? '–' : p.title, LEFT, `${n}. `);
  w.block(L.indicator(p.indicator, p.indicatorName), { x: sub, width: RIGHT - sub });
  section(1, L.objective);
  w.block(p.objective.trim() === '' ? '–' : p.objective, body);
  section(2, L.steps);
  w.block(p.steps.trim() === '' ? '–' : p.steps, { x: sub, width: RIGHT - sub });
  w.block(p.responsibleUnit.trim() === '' ? '–' : p.responsibleUnit, {
    x: sub,
    width: RIGHT - sub,
    lead: { text: `${L.responsible} `, font: 'bold', hanging: false },
  });
  w.block(L.fromTo(dateText(lang, p.startsOn), dateText(lang, p.endsOn)), {
    x: sub,
    width: RIGHT - sub,
    lead: { text: `${L.duration} `, font: 'bold', hanging: false },
  });
  section(3, L.progress);
  if (p.progress === null) {
    w.block(L.noProgress, { x: sub, width: RIGHT - sub });
  } else {
    w.block(L.percent(percentText(p.progress.percent)), { x: sub, width: RIGHT - sub });
    if (p.progress.text.trim() !== '') w.block(p.progress.text, body);
  }
  section(4, L.budget);
  w.block(budgetText(lang, L, p), body);
  section(5, L.problems);
  w.block(orNone(p.progress?.problems), body);
  section(6, L.suggestions);
  w.block(orNone(p.progress?.suggestions), body);
}

/** Midnight in Bangkok of `ymd`, or the epoch: a fixed date keeps the output reproducible. */
function creationDate(ymd: string): Date {
  const d = new Date(`${ymd}T00:00:00+07:00`);
  return /^\d{4}-\d{2}-\d{2}$/.test(ymd) && !Number.isNaN(d.getTime()) ? d : new Date(0);
}

/**
 * Renders the report: A4, Sarabun, Buddhist Era dates, every digit Thai when `thaiDigits`. User
 * text is drawn as given (control characters removed, "\n" a paragraph break); nothing in it can
 * make rendering fail. The output depends only on `report` (the creation date is `generatedOn`).
 */
export async function renderMonitoringPdf(report: MonitoringReport): Promise<Buffer> {
  const L: Labels = LABELS[report.lang];
  const agency = cleanText(report.agencyName).replace(/\n/g, ' ').trim();
  const periodLine = L.period(report.fiscalYear, report.round);
  const digits = (s: string) => (report.thaiDigits ? toThaiDigits(s) : s);
  const { doc, bytes } = await openThaiDocument({
    lang: report.lang === 'th' ? 'th-TH' : 'en',
    info: {
      Title: digits(`${L.title} ${periodLine}`),
      Author: agency,
      Creator: 'Sujarit',
      CreationDate: creationDate(report.generatedOn),
    },
  });

  const w = new Writer(doc, report.thaiDigits);
  const title = { x: LEFT, width: WIDTH, align: 'center' as const, font: 'bold' as const };
  w.block(L.title, title);
  w.block(agency === '' ? '–' : agency, title);
  w.block(periodLine, title);
  w.gap(1);
  scoreTable(w, report, L);
  w.gap(1);
  w.heading(L.measures, LEFT);
  w.gap(0.5);
  if (report.projects.length === 0) w.block(L.noProjects, { x: LEFT + SECTION_INDENT, width: WIDTH - SECTION_INDENT });
  report.projects.forEach((p, i) => {
    if (i > 0) w.gap(0.5);
    project(w, report.lang, L, p, i + 1);
  });
  w.room(2 * LINE);
  w.line(L.madeOn(dateText(report.lang, report.generatedOn)), { x: LEFT, width: WIDTH, align: 'right' }, BOTTOM - LINE);
  doc.end();
  return bytes;
}

/** The cross-agency report's own lines (issue 17): its title, the scope line and the summary. */
const CROSS = {
  th: {
    title: 'รายงานการกำกับติดตามการดำเนินการป้องกันการทุจริตของหน่วยงานในความกำกับดูแล',
    scope: (n: number, body: string) => `${body} (${n}\u00A0หน่วยงาน)`,
    summary: 'สรุปรายหน่วยงาน',
    line: (ita: string, measures: number, percent: string, onTime: string) =>
      `คะแนน ITA ${ita} · มาตรการ ${measures}\u00A0รายการ · ความก้าวหน้าเฉลี่ยร้อยละ\u00A0${percent} · ตอบรับเรื่องร้องเรียนทันกำหนดร้อยละ\u00A0${onTime}`,
    part: 'หน่วยงานที่',
  },
  en: {
    title: 'Monitoring report on the corruption-prevention measures of the agencies overseen',
    scope: (n: number, body: string) => `${body} (${n}\u00A0agencies)`,
    summary: 'Summary by agency',
    line: (ita: string, measures: number, percent: string, onTime: string) =>
      `ITA ${ita} · ${measures}\u00A0measures · mean progress ${percent}% · complaints acknowledged on time ${onTime}%`,
    part: 'Agency',
  },
} satisfies Record<Lang, unknown>;

/** One agency of the cross-agency report: its own report, and the figures of the summary line. */
export type CrossAgencyPart = MonitoringReport & { meanPercent: number | null; ackOnTimePercent: number | null };

/**
 * The cross-agency six-month (or twelve-month) monitoring report: a title and the overseer's scope,
 * a summary line per agency, then each agency in seed 003's structure (scores, then every measure
 * numbered with its objective, steps, progress, budget, problems and suggestions), each agency
 * starting a new page. Same page, fonts and digits as renderMonitoringPdf.
 */
export async function renderCrossAgencyPdf(report: {
  lang: Lang;
  thaiDigits: boolean;
  fiscalYear: number;
  round: 6 | 12;
  generatedOn: string;
  body: string;
  agencies: CrossAgencyPart[];
}): Promise<Buffer> {
  const L: Labels = LABELS[report.lang];
  const X = CROSS[report.lang];
  const digits = (s: string) => (report.thaiDigits ? toThaiDigits(s) : s);
  const { doc, bytes } = await openThaiDocument({
    lang: report.lang === 'th' ? 'th-TH' : 'en',
    info: {
      Title: digits(`${X.title} ${L.period(report.fiscalYear, report.round)}`),
      Author: cleanText(report.body),
      Creator: 'Sujarit',
      CreationDate: creationDate(report.generatedOn),
    },
  });
  const w = new Writer(doc, report.thaiDigits);
  const title = { x: LEFT, width: WIDTH, align: 'center' as const, font: 'bold' as const };
  w.block(X.title, title);
  w.block(L.period(report.fiscalYear, report.round), title);
  w.block(X.scope(report.agencies.length, cleanText(report.body).replace(/\n/g, ' ')), title);
  w.gap(1);
  w.heading(X.summary, LEFT);
  const num = (n: number | null) => (n === null ? '–' : String(Math.round(n * 10) / 10));
  report.agencies.forEach((a, i) => {
    const latest = a.scores.at(-1);
    w.block(cleanText(a.agencyName).replace(/\n/g, ' '), {
      x: LEFT + SECTION_INDENT,
      width: WIDTH - SECTION_INDENT,
      lead: { text: `${i + 1}. `, font: 'bold', hanging: true },
    });
    w.block(X.line(scoreText(latest?.ita ?? null), a.projects.length, num(a.meanPercent), num(a.ackOnTimePercent)), {
      x: LEFT + 2 * SECTION_INDENT,
      width: WIDTH - 2 * SECTION_INDENT,
    });
  });
  for (const [i, a] of report.agencies.entries()) {
    w.room(Number.POSITIVE_INFINITY); // each agency on a new page, numbered
    w.block(`${X.part} ${i + 1}: ${cleanText(a.agencyName).replace(/\n/g, ' ')}`, title);
    w.gap(0.5);
    scoreTable(w, a, L);
    w.gap(1);
    w.heading(L.measures, LEFT);
    w.gap(0.5);
    if (a.projects.length === 0) w.block(L.noProjects, { x: LEFT + SECTION_INDENT, width: WIDTH - SECTION_INDENT });
    a.projects.forEach((p, k) => {
      if (k > 0) w.gap(0.5);
      project(w, report.lang, L, p, k + 1);
    });
  }
  w.room(2 * LINE);
  w.line(L.madeOn(dateText(report.lang, report.generatedOn)), { x: LEFT, width: WIDTH, align: 'right' }, BOTTOM - LINE);
  doc.end();
  return bytes;
}
