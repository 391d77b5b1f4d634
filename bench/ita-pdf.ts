// The ITA monitoring report as a PDF (src/ita/report-pdf.ts), in process, for a realistic report:
// 10 indicators × 2 measures, each with long Thai paragraphs of objective, steps, progress and
// suggestions (seed 003's length), Thai digits. Measured:
//   a. cold: importing the renderer (pdfkit, fontkit) and the first render, which reads and parses
//      the Sarabun fonts; the goal is 2 s, what a person waits for after pressing "download";
//   b. warm: the median of BENCH_ITA_PDF_RUNS (10) renders after it;
//   c. the document: pages and bytes.
// Alone: `node bench/ita-pdf.ts`.
import { fmt, median } from './lib.ts';
import type { MonitoringReport, ReportProject } from '../src/ita/types.ts';

export type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

const RUNS = (() => {
  const n = Number(process.env.BENCH_ITA_PDF_RUNS);
  return Number.isInteger(n) && n > 0 ? n : 10;
})();
const GOAL_MS = 2000;

const INDICATORS = [
  'การปฏิบัติหน้าที่',
  'การใช้งบประมาณ',
  'การใช้อำนาจ',
  'การใช้ทรัพย์สินของราชการ',
  'การแก้ไขปัญหาการทุจริต',
  'คุณภาพการดำเนินงาน',
  'ประสิทธิภาพการสื่อสาร',
  'การปรับปรุงการทำงาน',
  'การเปิดเผยข้อมูล',
  'การป้องกันการทุจริต',
];
const OBJECTIVE =
  'ส่งเสริม สนับสนุน และสร้างความรู้ ความเข้าใจเกี่ยวกับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (Integrity and Transparency Assessment : ITA) ให้กับบุคลากรของหน่วยงาน เพื่อนำไปสู่การปฏิบัติให้เป็นไปในทิศทางเดียวกัน และบรรลุผลสำเร็จตามเป้าหมายที่กำหนดไว้อย่างเป็นรูปธรรม\nสนับสนุนและผลักดันให้หน่วยงานมีการพัฒนาระดับคุณธรรมและความโปร่งใสในการดำเนินงานที่สอดคล้องตามเกณฑ์การประเมิน เพื่อยกระดับคุณธรรมและความโปร่งใสในการดำเนินงานที่เป็นรูปธรรมยิ่งขึ้น';
const STEPS =
  '1) จัดตั้งคณะทำงานส่งเสริมคุณธรรมและความโปร่งใสในการดำเนินงาน ปีงบประมาณ พ.ศ. 2569\n2) ประชุมคณะทำงานเพื่อชี้แจงแนวทางการขับเคลื่อน “นโยบาย No Gift Policy จากการปฏิบัติหน้าที่” และรับฟังความเห็นแนวทางการดำเนินงานเพื่อยกระดับคะแนนการประเมิน รวมทั้งมอบหมายผู้รับผิดชอบเพื่อดำเนินการในส่วนที่เกี่ยวข้อง\n3) ติดตาม เร่งรัดการดำเนินการ และรายงานความก้าวหน้าในการดำเนินงานต่อผู้บริหาร';
const PROGRESS =
  'จัดประชุมรับฟังความคิดเห็นแก่ส่วนราชการ เพื่อสร้างความเข้าใจในการดำเนินการตามหลักการของการปรับปรุงพระราชบัญญัติการอำนวยความสะดวกในการพิจารณาอนุญาตของทางราชการ พ.ศ. 2558 และรับฟังความคิดเห็นต่อการดำเนินการตามหลักการดังกล่าว เมื่อวันที่ 2 ธันวาคม 2568\nจัดกิจกรรมเวทีสัญจร 4 ภาค เพื่อสร้างความเข้าใจเกี่ยวกับการดำเนินการตามพระราชบัญญัติ ให้แก่ส่วนราชการประจำจังหวัดรวมถึงองค์กรปกครองส่วนท้องถิ่นสามารถพัฒนาบริการให้เป็นไปตามแนวทางที่กฎหมายกำหนดได้อย่างมีประสิทธิภาพ จำนวน 4 ครั้ง ซึ่งพบว่าหน่วยงานส่วนภูมิภาคและท้องถิ่นมีความเข้าใจถึงการดำเนินการตามพระราชบัญญัติทั้งสองฉบับ และสามารถดำเนินการตามแนวทางต่าง ๆ ได้ชัดเจนยิ่งขึ้น';
const SUGGESTIONS =
  'การยกระดับการประเมิน ITA ให้ถึงเป้าหมายที่กำหนด จำเป็นต้องอาศัยความร่วมมือจากบุคลากร รวมทั้งผู้บริหารเห็นถึงความสำคัญในการนำผลประเมิน ITA มาปรับปรุงการดำเนินงาน โดยเฉพาะการให้ความสำคัญกับผู้รับบริการในการสร้างการมีส่วนร่วม และรับฟังความคิดเห็นเพื่อนำมาพัฒนาการดำเนินงานต่อไป';

/** 10 indicators × 2 measures, every one with progress, as an agency would file at six months. */
function realisticReport(): MonitoringReport {
  const projects: ReportProject[] = INDICATORS.flatMap((name, i) =>
    [1, 2].map((k) => ({
      indicator: i + 1,
      indicatorName: name,
      title: `${k === 1 ? 'โครงการ' : 'กิจกรรม'}ส่งเสริม${name}อย่างโปร่งใสและตรวจสอบได้ของหน่วยงาน ระยะที่ ${k}`,
      objective: OBJECTIVE,
      steps: STEPS,
      responsibleUnit: 'กลุ่มงานคุ้มครองจริยธรรม สำนักงานปลัด',
      startsOn: '2025-10-01',
      endsOn: '2026-09-30',
      budget: `${(i + 1) * 12500}.00`,
      progress: {
        text: PROGRESS,
        percent: 40 + i * 5,
        budgetUsed: `${(i + 1) * 6250}.50`,
        problems: k === 1 ? '' : SUGGESTIONS,
        suggestions: SUGGESTIONS,
      },
    })),
  );
  return {
    lang: 'th',
    thaiDigits: true,
    agencyName: 'สำนักงานคณะกรรมการพัฒนาระบบราชการ (ก.พ.ร.)',
    fiscalYear: 2569,
    round: 6,
    generatedOn: '2026-04-30',
    scores: [
      { fiscalYear: 2567, iit: 8079, eit: 8447, oit: 9750, ita: 8858, grade: 'A' },
      { fiscalYear: 2568, iit: 8341, eit: 9221, oit: 10000, ita: 9269, grade: 'A' },
    ],
    projects,
  };
}

/** Renders the realistic report cold then warm; pushes the 2 s goal of the cold render and the figures. */
export async function itaPdfSection(say: (l: string) => void, rows: Row[]): Promise<void> {
  say('\n== ITA monitoring report PDF (in process)');
  const report = realisticReport();
  const t0 = performance.now();
  const { renderMonitoringPdf } = await import('../src/ita/report-pdf.ts');
  const imported = performance.now();
  const first = await renderMonitoringPdf(report);
  const rendered = performance.now();
  const coldMs = rendered - t0;
  const warm: number[] = [];
  let pdf = first;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    pdf = await renderMonitoringPdf(report);
    warm.push(performance.now() - t);
  }
  const pages = pdf.toString('latin1').match(/\/Type \/Page(?!s)/g)?.length ?? 0;
  const warmMs = median(warm);
  say(
    `cold: ${fmt(coldMs)} ms (import ${fmt(imported - t0)} ms + first render with font loading ${fmt(rendered - imported)} ms)`,
  );
  say(
    `warm: median ${fmt(warmMs)} ms of ${RUNS} (min ${fmt(Math.min(...warm))}, max ${fmt(Math.max(...warm))}); ${pages} pages, ${fmt(pdf.length / 1024)} KiB, ${report.projects.length} measures`,
  );
  rows.push({
    metric: 'ITA report PDF, cold (import + fonts + render)',
    value: `${fmt(coldMs, 0)} ms`,
    limit: `${GOAL_MS} ms`,
    ratio: fmt(coldMs / GOAL_MS, 2),
    verdict: coldMs <= GOAL_MS ? 'PASS' : 'BELOW',
  });
  rows.push({
    metric: `ITA report PDF, warm median of ${RUNS}`,
    value: `${fmt(warmMs, 0)} ms`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
  rows.push({
    metric: 'ITA report PDF, document',
    value: `${pages} pages, ${fmt(pdf.length / 1024)} KiB`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
}

if (import.meta.main) {
  const rows: Row[] = [];
  await itaPdfSection((l) => console.log(l), rows);
  console.table(rows);
}
