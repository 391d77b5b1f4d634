// ITA charts as SVG built on the server (STYLE rule 8): no script, every label escaped, role="img"
// with a <title> and a <desc> that lists the values (screen readers get the data, not a picture),
// and a "no data" panel instead of an error. Scores are hundredths (8341 = 83.41).
import { formatScore } from './score.ts';
import type { Grade } from './types.ts';

/** Texts the charts print, already translated. */
export type ChartTexts = { noData: string; withheld: string; passMark: string };

/** The charts' fixed texts in the page's language. */
export function chartTexts(t: (key: string) => string): ChartTexts {
  return { noData: t('ita.chart.nodata'), withheld: t('ita.chart.withheld'), passMark: t('ita.results.pass_mark') };
}

/** One bar: a label and a score in hundredths; null = no score, or withheld (printed as `texts.withheld`). */
export type ChartBar = { label: string; score: number | null };

/** One group of the year-over-year chart: a fiscal year and a bar per instrument (and the ITA). */
export type ChartGroup = { label: string; bars: ChartBar[] };

/**
 * Grade band fill colours. Each has a contrast of at least 4.5:1 against white (WCAG 2.2 SC 1.4.11
 * asks 3:1 of graphics), and the grade is also printed next to every bar, so colour is never the
 * only carrier of the meaning (SC 1.4.1).
 */
export const GRADE_COLOURS: Readonly<Record<string, string>> = {
  AA: '#14532d',
  A: '#1a7f37',
  B: '#0b4f8a',
  C: '#7a4d00',
  D: '#9a3c00',
  E: '#b3261e',
  F: '#7f1d1d',
};
const OTHER_COLOUR = '#3d4650';
/** Instrument colours of the year-over-year chart; each bar is labelled with its code too. */
export const SERIES_COLOURS: readonly string[] = ['#0b4f8a', '#6a3d9a', '#1a7f37', '#1b1f24'];
const INK = '#1b1f24';

/** Escapes text for SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The grade band of a score (minimums in hundredths); null for no score. */
function bandOf(grades: readonly Grade[], score: number | null): string | null {
  if (score === null) return null;
  return [...grades].sort((a, b) => b.min - a.min).find((g) => score >= g.min)?.grade ?? null;
}

const clamp = (h: number) => Math.max(0, Math.min(10_000, h));
/** Labels longer than this are cut in the picture; the <desc> and the table beside carry them whole. */
const MAX_LABEL = 34;
const cut = (s: string) => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);

function frame(id: string, title: string, desc: string, width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${escapeXml(id)}-t ${escapeXml(id)}-d" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" font-family="Sarabun, sans-serif">` +
    `<title id="${escapeXml(id)}-t">${escapeXml(title)}</title><desc id="${escapeXml(id)}-d">${escapeXml(desc)}</desc>${body}</svg>`
  );
}

function noDataPanel(id: string, title: string, texts: ChartTexts): string {
  return frame(
    id,
    title,
    texts.noData,
    700,
    80,
    `<rect x="1" y="1" width="698" height="78" fill="#ffffff" stroke="${INK}" stroke-dasharray="6 4"></rect><text x="350" y="46" font-size="16" text-anchor="middle" fill="${INK}">${escapeXml(texts.noData)}</text>`,
  );
}

const LABEL_W = 270;
const BAR_W = 320;
const ROW = 30;

/** A value printed after a bar: the score, and the grade when there are grade bands. */
function valueText(
  bar: ChartBar,
  grades: readonly Grade[] | null,
  fmt: (h: number) => string,
  texts: ChartTexts,
): string {
  if (bar.score === null) return texts.withheld;
  const grade = grades ? bandOf(grades, bar.score) : null;
  return grade ? `${fmt(bar.score)} (${grade})` : fmt(bar.score);
}

function barRow(y: number, label: string, bar: ChartBar, fill: string, value: string, indent = 0): string {
  const w = bar.score === null ? 0 : Math.round((clamp(bar.score) / 10_000) * BAR_W);
  return (
    `<text x="${indent}" y="${y + 19}" font-size="14" fill="${INK}">${escapeXml(cut(label))}</text>` +
    `<rect x="${LABEL_W}" y="${y + 4}" width="${w}" height="22" fill="${fill}"></rect>` +
    `<text x="${LABEL_W + w + 6}" y="${y + 19}" font-size="14" fill="${INK}">${escapeXml(value)}</text>`
  );
}

function axis(top: number, bottom: number, fmtTick: (n: number) => string): string {
  let out = `<line x1="${LABEL_W}" y1="${top}" x2="${LABEL_W}" y2="${bottom}" stroke="${INK}" stroke-width="1"></line>`;
  for (const tick of [0, 25, 50, 75, 100]) {
    const x = LABEL_W + (tick / 100) * BAR_W;
    out += `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="${INK}"></line><text x="${x}" y="${bottom + 20}" font-size="12" text-anchor="middle" fill="${INK}">${escapeXml(fmtTick(tick))}</text>`;
  }
  return out;
}

/**
 * A horizontal bar chart of indicator scores on a 0–100 scale, bars coloured by grade band with the
 * grade printed, and a dashed line at the pass mark. MUST escape every label; prints the no-data
 * panel when no bar has a score. `id` MUST be unique on the page (it names the title and desc).
 */
export function indicatorChart({
  id,
  title,
  bars,
  grades,
  passMark,
  texts,
  fmt = formatScore,
}: {
  id: string;
  title: string;
  bars: ChartBar[];
  grades: readonly Grade[];
  passMark: number;
  texts: ChartTexts;
  fmt?: (h: number) => string;
}): string {
  if (!bars.some((b) => b.score !== null)) return noDataPanel(id, title, texts);
  const values = bars.map((b) => `${b.label}: ${valueText(b, grades, fmt, texts)}`);
  const desc = `${values.join('; ')}. ${texts.passMark}: ${fmt(passMark)}`;
  const top = 28;
  const bottom = top + bars.length * ROW;
  let body = '';
  bars.forEach((b, i) => {
    body += barRow(
      top + i * ROW,
      b.label,
      b,
      GRADE_COLOURS[bandOf(grades, b.score) ?? ''] ?? OTHER_COLOUR,
      valueText(b, grades, fmt, texts),
    );
  });
  const px = LABEL_W + (clamp(passMark) / 10_000) * BAR_W;
  // A white casing under the dashed line keeps it visible where it crosses a dark bar.
  body +=
    `<line x1="${px}" y1="${top - 6}" x2="${px}" y2="${bottom}" stroke="#ffffff" stroke-width="5"></line>` +
    `<line x1="${px}" y1="${top - 6}" x2="${px}" y2="${bottom}" stroke="${INK}" stroke-width="2" stroke-dasharray="6 4"></line>` +
    `<text x="${px}" y="${top - 10}" font-size="13" text-anchor="middle" fill="${INK}">${escapeXml(`${texts.passMark} ${fmt(passMark)}`)}</text>`;
  body += axis(top, bottom, (n) => fmt(n * 100).replace(/[.,]0+$/, ''));
  return frame(id, title, desc, 700, bottom + 28, body);
}

/**
 * A grouped bar chart of scores year over year: one group per fiscal year, one labelled bar per
 * instrument (the series colours repeat per group, the code is printed on every row). MUST escape
 * every label; prints the no-data panel when no bar of any group has a score.
 */
export function yearChart({
  id,
  title,
  groups,
  texts,
  fmt = formatScore,
}: {
  id: string;
  title: string;
  groups: ChartGroup[];
  texts: ChartTexts;
  fmt?: (h: number) => string;
}): string {
  if (!groups.some((g) => g.bars.some((b) => b.score !== null))) return noDataPanel(id, title, texts);
  const desc = groups
    .map((g) => `${g.label}: ${g.bars.map((b) => `${b.label} ${valueText(b, null, fmt, texts)}`).join(', ')}`)
    .join('; ');
  let y = 6;
  let body = '';
  for (const g of groups) {
    body += `<text x="0" y="${y + 18}" font-size="15" font-weight="bold" fill="${INK}">${escapeXml(cut(g.label))}</text>`;
    y += 26;
    g.bars.forEach((b, i) => {
      body += barRow(y, b.label, b, SERIES_COLOURS[i % SERIES_COLOURS.length], valueText(b, null, fmt, texts), 24);
      y += ROW;
    });
    y += 8;
  }
  body += axis(6, y, (n) => fmt(n * 100).replace(/[.,]0+$/, ''));
  return frame(id, title, desc, 700, y + 28, body);
}
