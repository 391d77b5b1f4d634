// The monitoring report as a PDF (seed 003's structure, Thai official style): A4, Sarabun 16 pt,
// margins 3 cm left, 2 cm right, 2.5 cm top, 2 cm bottom, the page number "- ๒ -" centred at the top
// of every page after the first. pdfkit cannot break Thai lines (no spaces between words), so every
// line is wrapped here (thai-text.ts) and drawn at an explicit position with pdfkit's own line
// breaking off; pages are added here too.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { bahtAmount, beLongDate, cleanText, decomposeSaraAm, isZeroAmount, toThaiDigits, wrapText } from './thai-text.ts';
import type { MonitoringReport, ReportProject } from './types.ts';

const MM = 72 / 25.4;
const PAGE_HEIGHT = 841.89; // A4 in points
const PAGE_WIDTH = 595.28;
const LEFT = 30 * MM;
const RIGHT = PAGE_WIDTH - 20 * MM;
const TOP = 25 * MM;
const BOTTOM = PAGE_HEIGHT - 20 * MM;
const WIDTH = RIGHT - LEFT;
const PAGE_NUMBER_TOP = 12 * MM;
const SIZE = 16;
const LINE = SIZE * 1.3; // Sarabun's ascent + descent: room for stacked Thai marks
const SECTION_INDENT = 10 * MM;
const PARAGRAPH_INDENT = 15 * MM; // with SECTION_INDENT: the official 2.5 cm first-line indent
const YEAR_COLUMN = 72; // "๑๐๐.๐๐" and "ปี ๒๕๖๙" on one line
const MAX_YEARS = 3; // the latest three: more would squeeze the instrument names below readability
const CELL_PAD = 4;
const MAX_CELL_LINES = 3; // a table row always fits on a page

type Font = 'regular' | 'bold';
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

const FONT_FILES: Record<Font, string> = {
  regular: '@expo-google-fonts/sarabun/400Regular/Sarabun_400Regular.ttf',
  bold: '@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf',
};

// fontkit is pdfkit's own font engine (same copy); pdfkit accepts its font objects in place of a
// file, which lets one parsed font serve every document. Only what is used here is typed.
type GlyphPosition = { xAdvance: number; xOffset: number };
type FontkitFont = { layout(text: string, features?: unknown): { positions: GlyphPosition[] } };
const fontkit = createRequire(import.meta.url)('fontkit') as { create(data: Buffer): FontkitFont };

/**
 * Sarabun places some Thai marks a few units to the right of the end of their base letter (at
 * most 40/1000 em, 0.6 pt at 16 pt). A mark drawn to the right of where the next letter starts
 * makes pdftotext and copy-paste reorder the text ("ส่วน" reads back "สว ่น"), so such a mark is
 * drawn at the end of its base instead: invisible at print size, and the text layer stays in order.
 */
function keepMarksInOrder(font: FontkitFont): FontkitFont {
  const layout = font.layout.bind(font);
  font.layout = (text, features) => {
    const run = layout(text, features);
    for (const p of run.positions) if (p.xAdvance === 0 && p.xOffset > 0) p.xOffset = 0;
    return run;
  };
  return font;
}

// One parsed font per process. fontkit keeps each glyph with the code points it was first made
// from, and pdfkit writes those into the text layer: every string reaching the font, measured or
// drawn, MUST go through decomposeSaraAm so the glyphs of ำ always read back as "ํา".
let fontCache: Promise<Record<Font, FontkitFont>> | null = null;

/** The Sarabun fonts, read and parsed once per process (a failed read is retried on the next call). */
function loadFonts(): Promise<Record<Font, FontkitFont>> {
  const load = async (f: Font) => keepMarksInOrder(fontkit.create(await readFile(fileURLToPath(import.meta.resolve(FONT_FILES[f])))));
  fontCache ??= Promise.all([load('regular'), load('bold')]).then(
    ([regular, bold]) => ({ regular, bold }),
    (e: unknown) => {
      fontCache = null;
      throw e;
    },
  );
  return fontCache;
}

type Align = 'left' | 'center' | 'right';
type BlockOptions = {
  x: number;
  width: number;
  font?: Font;
  align?: Align;
  /** first-line indent of every paragraph */
  indent?: number;
  /** drawn at the start of the first line; `hanging`: the other lines start under the text after it */
  lead?: { text: string; font: Font; hanging: boolean };
};

/** Draws lines top to bottom, adding pages (with their page number) when a line would not fit. */
class Writer {
  readonly doc: PDFKit.PDFDocument;
  readonly thaiDigits: boolean;
  y = TOP;
  page = 1;

  constructor(doc: PDFKit.PDFDocument, thaiDigits: boolean) {
    this.doc = doc;
    this.thaiDigits = thaiDigits;
  }

  /** Text as printed, before measuring (Thai digits are wider than Arabic ones). */
  prepare(s: string): string {
    const clean = cleanText(s);
    return this.thaiDigits ? toThaiDigits(clean) : clean;
  }

  measure(font: Font, s: string): number {
    return this.doc.font(font).widthOfString(decomposeSaraAm(s));
  }

  /** One prepared line at (x, y); no wrapping, no page break. */
  draw(s: string, x: number, y: number, font: Font): void {
    if (s !== '') this.doc.font(font).text(decomposeSaraAm(s), x, y, { lineBreak: false });
  }

  /** Starts a new page when `height` does not fit below the current line. */
  room(height: number): void {
    if (this.y + height <= BOTTOM) return;
    this.doc.addPage();
    this.page++;
    this.y = TOP;
    this.line(`- ${this.page} -`, { x: LEFT, width: WIDTH, align: 'center' }, PAGE_NUMBER_TOP);
  }

  /** One short line of text (not wrapped) aligned in (x, width), at `y` or the current line. */
  line(s: string, o: { x: number; width: number; font?: Font; align?: Align }, y = this.y): void {
    const text = this.prepare(s);
    const font = o.font ?? 'regular';
    const free = o.align && o.align !== 'left' ? o.width - this.measure(font, text) : 0;
    this.draw(text, o.x + (o.align === 'center' ? free / 2 : free), y, font);
  }

  /** `text` wrapped into the column (x, width), paragraph by paragraph. */
  block(text: string, o: BlockOptions): void {
    const font = o.font ?? 'regular';
    const lead = o.lead ? { ...o.lead, text: this.prepare(o.lead.text) } : null;
    const leadWidth = lead ? this.measure(lead.font, lead.text) : 0;
    const x = lead?.hanging ? o.x + leadWidth : o.x;
    const width = lead?.hanging ? o.width - leadWidth : o.width;
    const paragraphs = this.prepare(text).split('\n').filter((p) => p.trim() !== '');
    if (paragraphs.length === 0) paragraphs.push('');
    paragraphs.forEach((paragraph, i) => {
      const offset = i === 0 && lead ? (lead.hanging ? 0 : leadWidth) : (o.indent ?? 0);
      const lines = wrapText(paragraph, width, (s) => this.measure(font, s), { firstWidth: width - offset });
      if (lines.length === 0) lines.push('');
      lines.forEach((l, j) => {
        this.room(LINE);
        if (i === 0 && j === 0 && lead) this.draw(lead.text, o.x, this.y, lead.font);
        const lx = x + (j === 0 ? offset : 0);
        const lw = j === 0 ? width - offset : width;
        const free = o.align === 'center' ? (lw - this.measure(font, l)) / 2 : o.align === 'right' ? lw - this.measure(font, l) : 0;
        this.draw(l, lx + free, this.y, font);
        this.y += LINE;
      });
    });
  }

  /** A bold heading kept with the line after it. */
  heading(text: string, x: number, lead?: string): void {
    this.room(2 * LINE);
    this.block(text, { x, width: RIGHT - x, font: 'bold', lead: lead ? { text: lead, font: 'bold', hanging: true } : undefined });
  }

  gap(fraction = 0.5): void {
    this.y += LINE * fraction;
  }
}

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
      const lines = wrapText(w.prepare(c), (i === 0 ? labelWidth : YEAR_COLUMN) - 2 * CELL_PAD, (s) => w.measure(font, s));
      return lines.length > MAX_CELL_LINES ? [...lines.slice(0, MAX_CELL_LINES - 1), `${lines[MAX_CELL_LINES - 1]}…`] : lines;
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
  return p.progress === null ? L.budgetPlanned(bahtAmount(lang, p.budget)) : L.budgetUsed(bahtAmount(lang, used), bahtAmount(lang, p.budget));
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
  w.block(p.responsibleUnit.trim() === '' ? '–' : p.responsibleUnit, { x: sub, width: RIGHT - sub, lead: { text: `${L.responsible} `, font: 'bold', hanging: false } });
  w.block(L.fromTo(dateText(lang, p.startsOn), dateText(lang, p.endsOn)), { x: sub, width: RIGHT - sub, lead: { text: `${L.duration} `, font: 'bold', hanging: false } });
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
  const fonts = await loadFonts();
  const L: Labels = LABELS[report.lang];
  const agency = cleanText(report.agencyName).replace(/\n/g, ' ').trim();
  const periodLine = L.period(report.fiscalYear, report.round);
  const digits = (s: string) => (report.thaiDigits ? toThaiDigits(s) : s);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: TOP, bottom: PAGE_HEIGHT - BOTTOM, left: LEFT, right: PAGE_WIDTH - RIGHT },
    lang: report.lang === 'th' ? 'th-TH' : 'en',
    displayTitle: true,
    info: { Title: digits(`${L.title} ${periodLine}`), Author: agency, Creator: 'Sujarit', CreationDate: creationDate(report.generatedOn) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // pdfkit takes a fontkit font where its types say file or bytes (PDFFontFactory.open).
  doc.registerFont('regular', fonts.regular as unknown as Buffer);
  doc.registerFont('bold', fonts.bold as unknown as Buffer);
  doc.fontSize(SIZE).fillColor('black').strokeColor('black');

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
  return done;
}
