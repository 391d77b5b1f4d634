import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bahtAmount,
  beLongDate,
  cleanText,
  decomposeSaraAm,
  isZeroAmount,
  toThaiDigits,
  wrapText,
} from './thai-text.ts';

// A measure where every character is 1 wide, except marks (Thai above/below vowels and tone marks), which are 0.
const MARKS = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/g;
const measure = (s: string) => s.replace(MARKS, '').length;

describe('toThaiDigits', () => {
  it('converts every ASCII digit and nothing else', () => {
    assert.equal(
      toThaiDigits('รอบ 6 เดือน ปี 2569: 12,500.00 บาท (83.41%)'),
      'รอบ ๖ เดือน ปี ๒๕๖๙: ๑๒,๕๐๐.๐๐ บาท (๘๓.๔๑%)',
    );
    assert.equal(toThaiDigits('0123456789'), '๐๑๒๓๔๕๖๗๘๙');
    assert.equal(toThaiDigits('no digits, ๑๒ already Thai'), 'no digits, ๑๒ already Thai');
  });
});

describe('decomposeSaraAm', () => {
  it('writes ำ as nikhahit + sara aa, after any tone mark, which NFKC maps back', () => {
    assert.equal(decomposeSaraAm('ทำ'), 'ท\u0E4D\u0E32');
    assert.equal(decomposeSaraAm('น้ำ'), 'น\u0E49\u0E4D\u0E32');
    for (const s of ['การดำเนินงาน', 'น้ำ', 'สำนักงาน ก.พ.ร.', 'no sara am'])
      assert.equal(decomposeSaraAm(s).normalize('NFKC'), s.normalize('NFKC'));
  });
});

describe('cleanText', () => {
  const cases: [string, string, string][] = [
    ['C0 and C1 controls', 'a\u0000b\u0007c\u001Bd\u007Fe\u0085f', 'abcdef'],
    ['zero-width and bidi format characters', 'การ\u200Bดำเนิน\u200D\u202Eงาน\uFEFF\u00AD', 'การดำเนินงาน'],
    ['line ends become "\\n"', 'a\r\nb\rc\u2028d', 'a\nb\nc\nd'],
    ['tabs and other spaces become spaces, no-break space stays', 'a\tb\u2003c\u00A0d\u202Fe', 'a b c\u00A0d\u00A0e'],
    ['a lone surrogate becomes U+FFFD', 'a\uD800b', 'a\uFFFDb'],
    ['< > & and quotes are text', `<b>"&'</b>`, `<b>"&'</b>`],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.equal(cleanText(input), expected));
});

describe('beLongDate', () => {
  it('prints the Buddhist Era long form in Thai and in English', () => {
    assert.equal(beLongDate('th', '2026-11-21'), '21 พฤศจิกายน 2569');
    assert.equal(beLongDate('en', '2026-11-21'), '21 November 2569');
    assert.equal(beLongDate('th', '2025-10-01'), '1 ตุลาคม 2568');
    assert.equal(toThaiDigits(beLongDate('th', '2026-11-21')), '๒๑ พฤศจิกายน ๒๕๖๙');
  });
  it('keeps the calendar day whatever the time zone (the last and first day of a year)', () => {
    assert.equal(beLongDate('en', '2025-12-31'), '31 December 2568');
    assert.equal(beLongDate('en', '2026-01-01'), '1 January 2569');
  });
  it('prints "–" for anything that is not a real day', () => {
    for (const bad of ['', '2026-02-30', '2026-13-01', '21/11/2026', '2026-11-21T00:00:00Z', 'x'])
      assert.equal(beLongDate('th', bad), '–', bad);
  });
});

describe('bahtAmount', () => {
  const cases: [string, string][] = [
    ['12500.00', '12,500.00'],
    ['12500', '12,500.00'],
    ['0.5', '0.50'],
    ['0', '0.00'],
    ['4241300', '4,241,300.00'],
    ['999999999999999.99', '999,999,999,999,999.99'], // exact: beyond a double's precision
  ];
  for (const [input, expected] of cases)
    it(`${input} → ${expected}`, () => {
      assert.equal(bahtAmount('th', input), expected);
      assert.equal(bahtAmount('en', input), expected);
    });
  it('prints "–" for what is not an amount', () => {
    for (const bad of ['', 'abc', '1e5', '12.345', 'NaN', '1,000']) assert.equal(bahtAmount('th', bad), '–', bad);
  });
  it('isZeroAmount tells zero from the rest', () => {
    for (const zero of ['0', '0.00', '00.0']) assert.equal(isZeroAmount(zero), true, zero);
    for (const other of ['0.01', '10', '', 'abc']) assert.equal(isZeroAmount(other), false, other);
  });
});

describe('wrapText', () => {
  it('breaks Thai at word boundaries and fills lines greedily', () => {
    const text = 'การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส';
    const lines = wrapText(text, 12, measure);
    assert.equal(lines.join(''), text);
    assert.ok(lines.length > 1);
    for (const l of lines) assert.ok(measure(l) <= 12, l);
    // every break falls between two of the segmenter's words
    const words = new Set<number>();
    let at = 0;
    for (const { segment } of new Intl.Segmenter('th', { granularity: 'word' }).segment(text))
      words.add((at += segment.length));
    let end = 0;
    for (const l of lines.slice(0, -1)) assert.ok(words.has((end += l.length)), `break after "${l}"`);
  });

  it('cuts a word longer than a line between grapheme clusters, never splitting a mark from its letter', () => {
    const long = 'ก้ำ'.repeat(30) + 'ที่'.repeat(30);
    const lines = wrapText(long, 7, measure);
    assert.equal(lines.join(''), long);
    for (const l of lines) {
      assert.ok(measure(l) <= 7, l);
      assert.doesNotMatch(l, /^[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/u, `line starts with a mark: ${l}`);
    }
  });

  it('keeps a line of at least one grapheme when the width is smaller than a letter', () => {
    assert.deepEqual(wrapText('abc', 0.5, measure), ['a', 'b', 'c']);
  });

  it('wraps mixed Thai and English, dropping the spaces it breaks at', () => {
    const lines = wrapText('ประเมินคุณธรรม (Integrity and Transparency Assessment : ITA) ของหน่วยงาน', 20, measure);
    for (const l of lines) {
      assert.ok(measure(l) <= 20, l);
      assert.equal(l, l.trim());
    }
    assert.equal(lines.join(' ').replace(/\s+/g, ''), 'ประเมินคุณธรรม(IntegrityandTransparencyAssessment:ITA)ของหน่วยงาน');
    assert.ok(
      lines.some((l) => l.includes('Transparency')),
      'English words stay whole',
    );
  });

  it('keeps punctuation with its word: no line starts with ")" or ends with "("', () => {
    const lines = wrapText('แบบตรวจการเปิดเผยข้อมูลสาธารณะ (OIT) “นโยบาย” ต่าง ๆ 60% ร้อยละ\u00A060', 6, measure);
    for (const l of lines) {
      assert.doesNotMatch(l, /^[)”%ๆ]|[(“]$/u, l);
    }
    assert.deepEqual(
      wrapText('ดำเนินการแล้วร้อยละ\u00A060', 12, measure),
      ['ดำเนินการแล้ว', 'ร้อยละ\u00A060'],
      'a no-break space holds',
    );
  });

  it('keeps paragraphs: one per "\\n", a blank one inside as an empty line', () => {
    assert.deepEqual(wrapText('หนึ่ง\nสอง\n\nสาม', 100, measure), ['หนึ่ง', 'สอง', '', 'สาม']);
  });

  it('gives no lines for empty text or only spaces', () => {
    assert.deepEqual(wrapText('', 10, measure), []);
    assert.deepEqual(wrapText('     ', 10, measure), []);
    assert.deepEqual(wrapText(' \n  \n', 10, measure), []);
  });

  it('honours a narrower first line', () => {
    const lines = wrapText('aa bb cc dd', 5, measure, { firstWidth: 2 });
    assert.deepEqual(lines, ['aa', 'bb cc', 'dd']);
  });

  it('measures each piece once', () => {
    const seen = new Map<string, number>();
    wrapText('ทดสอบ ทดสอบ ทดสอบ ทดสอบ ทดสอบ ทดสอบ', 12, (s) => {
      seen.set(s, (seen.get(s) ?? 0) + 1);
      return measure(s);
    });
    for (const [s, n] of seen) assert.equal(n, 1, s);
  });
});
