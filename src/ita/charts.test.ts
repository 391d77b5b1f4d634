// The server-built SVG charts: values reach screen readers, labels are escaped, nothing runs, and an
// empty chart is a "no data" panel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeXml, GRADE_COLOURS, indicatorChart, SERIES_COLOURS, yearChart } from './charts.ts';
import type { Grade } from './types.ts';

const GRADES: Grade[] = [
  { grade: 'AA', min: 9500 },
  { grade: 'A', min: 8500 },
  { grade: 'B', min: 7500 },
  { grade: 'C', min: 6500 },
  { grade: 'D', min: 5500 },
  { grade: 'E', min: 5000 },
  { grade: 'F', min: 0 },
];
const TEXTS = { noData: 'No data yet', withheld: 'not shown yet', passMark: 'Pass mark' };

/** WCAG relative luminance contrast against white. */
function contrastOnWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

describe('indicatorChart', () => {
  it('draws a bar per indicator coloured by grade, the pass mark line, and lists every value in <desc>', () => {
    const svg = indicatorChart({
      id: 'c1',
      title: 'Indicators',
      grades: GRADES,
      passMark: 8500,
      texts: TEXTS,
      bars: [
        { label: '1 Duty', score: 8834 },
        { label: '2 Service', score: 7333 },
        { label: '3 Open data', score: null },
      ],
    });
    assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="c1-t c1-d"/);
    assert.match(svg, /<title id="c1-t">Indicators<\/title>/);
    const desc = /<desc id="c1-d">([^<]*)<\/desc>/.exec(svg)![1];
    assert.equal(desc, '1 Duty: 88.34 (A); 2 Service: 73.33 (C); 3 Open data: not shown yet. Pass mark: 85.00');
    assert.ok(svg.includes(`fill="${GRADE_COLOURS.A}"`) && svg.includes(`fill="${GRADE_COLOURS.C}"`));
    assert.match(svg, /width="283" height="22"/, '88.34 of 320 px');
    const x = 270 + 0.85 * 320;
    assert.match(svg, new RegExp(`<line x1="${x}" y1="\\d+" x2="${x}"[^>]*stroke-dasharray`), 'the pass mark at 85');
    assert.doesNotMatch(svg, /<script|on[a-z]+=/i);
  });

  it('escapes a hostile label everywhere it appears', () => {
    const svg = indicatorChart({
      id: 'x"><script>',
      title: '<script>alert(1)</script>',
      grades: GRADES,
      passMark: 8500,
      texts: TEXTS,
      bars: [{ label: '<script>alert(1)</script>', score: 5000 }],
    });
    assert.doesNotMatch(svg, /<script/i);
    assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(svg, /id="x&quot;&gt;&lt;script&gt;-t"/);
  });

  it('prints a no-data panel, not an error, when no bar has a score', () => {
    for (const bars of [[], [{ label: 'a', score: null }]]) {
      const svg = indicatorChart({ id: 'n', title: 'T', grades: GRADES, passMark: 8500, texts: TEXTS, bars });
      assert.match(svg, /role="img"/);
      assert.match(svg, /<desc id="n-d">No data yet<\/desc>/);
      assert.match(svg, /<text[^>]*>No data yet<\/text>/);
      assert.doesNotMatch(svg, /stroke-dasharray="6 4"><\/line>/, 'no pass mark line');
    }
  });

  it('keeps scores outside 0–100 inside the axis', () => {
    const svg = indicatorChart({
      id: 'o',
      title: 'T',
      grades: GRADES,
      passMark: 8500,
      texts: TEXTS,
      bars: [{ label: 'a', score: 12000 }],
    });
    assert.match(svg, /width="320" height="22"/);
  });
});

describe('yearChart', () => {
  it('draws a labelled bar per instrument and year and lists the values', () => {
    const svg = yearChart({
      id: 'y',
      title: 'Years',
      texts: TEXTS,
      groups: [
        {
          label: 'FY 2563',
          bars: [
            { label: 'IIT', score: 8079 },
            { label: 'EIT', score: 8447 },
            { label: 'OIT', score: 9750 },
            { label: 'ITA', score: 8858 },
          ],
        },
        {
          label: 'FY 2564',
          bars: [
            { label: 'IIT', score: 8341 },
            { label: 'EIT', score: null },
            { label: 'OIT', score: 10000 },
            { label: 'ITA', score: null },
          ],
        },
      ],
    });
    const desc = /<desc id="y-d">([^<]*)<\/desc>/.exec(svg)![1];
    assert.equal(
      desc,
      'FY 2563: IIT 80.79, EIT 84.47, OIT 97.50, ITA 88.58; FY 2564: IIT 83.41, EIT not shown yet, OIT 100.00, ITA not shown yet',
    );
    assert.equal((svg.match(/<rect /g) ?? []).length, 8);
    assert.equal(
      (svg.match(/>IIT<\/text>/g) ?? []).length,
      2,
      'each bar carries its code, so colour is not the only cue',
    );
  });

  it('prints a no-data panel when there is no year or no score', () => {
    for (const groups of [[], [{ label: '<b>2569</b>', bars: [{ label: 'IIT', score: null }] }]]) {
      const svg = yearChart({ id: 'e', title: 'T', texts: TEXTS, groups });
      assert.match(svg, /No data yet<\/text>/);
      assert.doesNotMatch(svg, /<b>/);
    }
  });
});

describe('chart colours', () => {
  it('contrast at least 4.5:1 with the white page (WCAG 2.2 AA asks 3:1 of graphics)', () => {
    for (const c of [...Object.values(GRADE_COLOURS), ...SERIES_COLOURS])
      assert.ok(contrastOnWhite(c) >= 4.5, `${c}: ${contrastOnWhite(c).toFixed(2)}`);
  });

  it('escapeXml escapes the five XML specials', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
