// The scorecards' SVG bar charts, drawn for a phone: 340 units wide, so at 390 px (about 350 px of
// content) one unit is about one pixel and the 16-unit labels read at about 16 px. Each bar's label
// sits on its own line above the bar (no label is cut or crowded), the value beside the bar; the
// <title> and <desc> carry everything the picture shows, and the page gives a table beside it.
import { escapeXml } from '../ita/charts.ts';

export type Bar = { label: string; value: number | null; isPeer?: boolean };

const WIDTH = 340;
const ROW = 58;
const BAR_MAX = 250;
const INK = '#1b1f24';
const BLUE = '#0b4f8a';
const GREY = '#5b6470';

/**
 * Horizontal bars of values from 0 to `max` (100 for percentages), one row each: the label, then
 * the bar and its value (`format`); a null value says `noData` instead of a bar. A peer bar
 * (the median of the same type) is grey and hatched so it differs without colour.
 */
export function barChart({
  id,
  title,
  desc,
  bars,
  max = 100,
  format,
  noData,
}: {
  id: string;
  title: string;
  desc: string;
  bars: Bar[];
  max?: number;
  format: (n: number) => string;
  noData: string;
}): string {
  const height = bars.length * ROW + 8;
  const body = bars
    .map((b, i) => {
      const y = i * ROW;
      const label = `<text x="0" y="${y + 18}" font-size="16" fill="${INK}">${escapeXml(b.label)}</text>`;
      if (b.value === null)
        return `${label}<text x="0" y="${y + 44}" font-size="16" fill="${GREY}">${escapeXml(noData)}</text>`;
      const w = Math.max(2, Math.round((Math.min(b.value, max) / max) * BAR_MAX));
      const fill = b.isPeer ? `url(#${escapeXml(id)}-hatch)` : BLUE;
      return (
        `${label}<rect x="0" y="${y + 26}" width="${w}" height="22" fill="${fill}" stroke="${b.isPeer ? GREY : BLUE}"></rect>` +
        `<text x="${w + 6}" y="${y + 43}" font-size="16" fill="${INK}">${escapeXml(format(b.value))}</text>`
      );
    })
    .join('');
  const hatch = `<defs><pattern id="${escapeXml(id)}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e6e8eb"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="${GREY}" stroke-width="2"></line></pattern></defs>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${escapeXml(id)}-t ${escapeXml(id)}-d" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" font-family="Sarabun, sans-serif">` +
    `<title id="${escapeXml(id)}-t">${escapeXml(title)}</title><desc id="${escapeXml(id)}-d">${escapeXml(desc)}</desc>${hatch}${body}</svg>`
  );
}
