// The register's outputs besides the PDFs: the heat map (SVG built on the server, role="img" with a
// title and a description that lists the figures, and the same figures as a table for the page),
// and the register as CSV. Pure.
import { escapeXml } from '../ita/charts.ts';
import { csvText } from '../ita/results.ts';
import type { T } from '../i18n/messages.ts';
import { levelOf, type Level, type Matrix } from './matrix.ts';
import type { Register, Risk } from './register.ts';

export type HeatCell = { likelihood: number; impact: number; count: number; level: Level | null };

/** Counts of the risks in each likelihood × impact cell, likelihood from the highest row down. */
export function heatCells(m: Matrix, risks: readonly Risk[], which: 'inherent' | 'residual'): HeatCell[][] {
  const live = risks.filter((r) => r.state !== 'withdrawn');
  return [...m.likelihood].reverse().map((l) =>
    m.impact.map((i) => ({
      likelihood: l.value,
      impact: i.value,
      count: live.filter((r) => r[which].likelihood === l.value && r[which].impact === i.value).length,
      level: levelOf(m, l.value, i.value),
    })),
  );
}

const CELL = 64;
const LEFT = 90;
const TOP = 16;
const WHITE = '#ffffff';

/**
 * The heat map as SVG: each cell filled with its level's colour (white text on each colour keeps
 * 4.5:1), printing its count and the level's first letter, so colour is not the only carrier.
 */
export function heatMapSvg(cells: HeatCell[][], o: { id: string; title: string; t: T; lang: 'th' | 'en' }): string {
  const rows = cells.length;
  const cols = cells[0]?.length ?? 0;
  const width = LEFT + cols * CELL + 10;
  const height = TOP + rows * CELL + 56;
  const desc = cells
    .flat()
    .filter((c) => c.count > 0)
    .map((c) =>
      o.t('risk.heatmap.cell', { l: c.likelihood, i: c.impact, n: c.count, level: c.level?.name[o.lang] ?? '' }),
    )
    .join('; ');
  let body = '';
  cells.forEach((row, r) => {
    const y = TOP + r * CELL;
    body += `<text x="${LEFT - 8}" y="${y + CELL / 2 + 5}" font-size="14" text-anchor="end" fill="#1b1f24">${row[0]?.likelihood ?? ''}</text>`;
    row.forEach((c, i) => {
      const x = LEFT + i * CELL;
      body +=
        `<rect x="${x}" y="${y}" width="${CELL - 2}" height="${CELL - 2}" fill="${c.level?.colour ?? '#3d4650'}"></rect>` +
        `<text x="${x + CELL / 2 - 1}" y="${y + CELL / 2 + 6}" font-size="20" font-weight="bold" text-anchor="middle" fill="${WHITE}">${c.count}</text>` +
        `<text x="${x + 5}" y="${y + 14}" font-size="11" fill="${WHITE}">${escapeXml(c.level?.name[o.lang] ?? '')}</text>`;
    });
  });
  cells[0]?.forEach((c, i) => {
    body += `<text x="${LEFT + i * CELL + CELL / 2 - 1}" y="${TOP + rows * CELL + 18}" font-size="14" text-anchor="middle" fill="#1b1f24">${c.impact}</text>`;
  });
  body +=
    `<text x="${LEFT + (cols * CELL) / 2}" y="${TOP + rows * CELL + 42}" font-size="14" text-anchor="middle" fill="#1b1f24">${escapeXml(o.t('risk.impact'))}</text>` +
    `<text x="14" y="${TOP + (rows * CELL) / 2}" font-size="14" fill="#1b1f24">${escapeXml(o.t('risk.likelihood'))}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${o.id}-t ${o.id}-d" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" preserveAspectRatio="xMinYMin meet" font-family="Sarabun, sans-serif">` +
    `<title id="${o.id}-t">${escapeXml(o.title)}</title><desc id="${o.id}-d">${escapeXml(desc || o.t('risk.heatmap.desc'))}</desc>${body}</svg>`
  );
}

const rating = (r: Risk['inherent']) =>
  r.likelihood === null || r.impact === null ? '' : `${r.likelihood}×${r.impact}`;

/** The register as CSV: one row per risk and action (a risk without actions has one row). */
export function registerCsv(reg: Register, t: T, lang: 'th' | 'en'): string {
  const head = [
    'risk.number',
    'risk.area',
    'risk.process',
    'risk.unit',
    'risk.owner',
    'risk.cause',
    'risk.event',
    'risk.consequence',
    'risk.controls',
    'risk.inherent',
    'risk.residual',
    'risk.level',
    'risk.treatment',
    'risk.reviewedOn',
    'risk.nextReviewOn',
    'risk.action.title',
    'risk.action.owner',
    'risk.action.dueOn',
    'risk.action.budget',
    'risk.action.progress6',
    'risk.action.progress12',
    'risk.action.doneOn',
  ].map((k) => t(k));
  const lines: string[][] = [head];
  for (const r of reg.risks.filter((k) => k.state !== 'withdrawn')) {
    const risk = [
      String(r.number),
      t(`risk.area.${r.area}`),
      r.process,
      r.unit,
      r.owner,
      r.cause,
      r.event,
      r.consequence,
      r.controls,
      rating(r.inherent),
      rating(r.residual),
      r.residual.level?.name[lang] ?? r.inherent.level?.name[lang] ?? '',
      r.treatment ? t(`risk.treatment.${r.treatment}`) : '',
      r.reviewedOn ?? '',
      r.nextReviewOn ?? '',
    ];
    if (r.actions.length === 0) lines.push([...risk, '', '', '', '', '', '', '']);
    for (const a of r.actions)
      lines.push([...risk, a.title, a.owner, a.dueOn ?? '', a.budget, a.progress6, a.progress12, a.doneOn ?? '']);
  }
  return csvText(lines);
}
