// Thai text for printed documents, pure: Thai digits, Buddhist Era dates, baht amounts, the text
// clean-up a PDF needs, and line wrapping at Thai word boundaries (Thai writes no spaces between
// words, so a layout engine that breaks at spaces cannot wrap it).

const THAI_ZERO = 0x0e50;
const SARA_AM = /\u0E33/g;
const NIKHAHIT_SARA_AA = '\u0E4D\u0E32';

/** Every ASCII digit 0–9 of `s` as the Thai digit ๐–๙; nothing else changes. */
export function toThaiDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(THAI_ZERO + d.charCodeAt(0) - 48));
}

/**
 * SARA AM (ำ, U+0E33) as NIKHAHIT + SARA AA (U+0E4D U+0E32), its compatibility decomposition, in
 * the same place (after any tone mark). MUST be applied only to text about to be drawn, after
 * wrapping: the Sarabun font draws ำ as those two glyphs and the PDF's text layer would otherwise
 * read back "ำา"; drawn pre-decomposed it reads back "ํา", equal to the original under NFKC.
 */
export function decomposeSaraAm(s: string): string {
  return s.replace(SARA_AM, NIKHAHIT_SARA_AA);
}

/**
 * `s` made safe to draw: well-formed UTF-16, line ends as "\n", tabs as spaces, and no control or
 * format characters (C0/C1 controls, zero-width spaces and joiners, bidi overrides, soft hyphens),
 * which the font has no glyph for and which would print as boxes or reorder text. Newlines stay:
 * they are the paragraph breaks; a no-break space (U+00A0) stays too (wrapText never breaks at it);
 * other Unicode spaces become plain spaces.
 */
export function cleanText(s: string): string {
  return s
    .toWellFormed()
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/(?!\n)[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\u202F/g, '\u00A0') // the font has no narrow no-break space; a no-break space keeps its meaning
    .replace(/[^\S\n \u00A0]/g, ' '); // other Unicode spaces (em, ideographic…) print as a plain space
}

type Ymd = { y: number; m: number; d: number };

/** A real calendar day from "YYYY-MM-DD", or null (no rollover: 2026-02-30 is null). */
function parseYmd(ymd: string): Ymd | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? { y, m: mo, d } : null;
}

const BE_FORMAT = {
  th: new Intl.DateTimeFormat('th-TH-u-ca-buddhist-nu-latn', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }),
  en: new Intl.DateTimeFormat('en-GB-u-ca-buddhist-nu-latn', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }),
};

/**
 * A day ("YYYY-MM-DD", Gregorian) in the Buddhist Era long form with Arabic digits: "21 พฤศจิกายน
 * 2569" / "21 November 2569" (no "BE" suffix; the caller converts digits). "–" when `ymd` is not a
 * real day. The day is a calendar day, not an instant: it is formatted in UTC so no time zone can
 * move it.
 */
export function beLongDate(lang: 'th' | 'en', ymd: string): string {
  const day = parseYmd(ymd);
  if (!day) return '–';
  const parts = BE_FORMAT[lang].formatToParts(new Date(Date.UTC(day.y, day.m - 1, day.d, 12)));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('year')}`;
}

const AMOUNT = /^-?\d{1,15}(\.\d{1,2})?$/;
const BAHT_FORMAT = {
  th: new Intl.NumberFormat('th-TH-u-nu-latn', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

/**
 * A decimal string of baht ("12500.00", "12500", "0.5") with thousands separators and two decimals:
 * "12,500.00". Formatted from the string, exactly (no binary floating point). "–" for anything
 * that is not such a number.
 */
export function bahtAmount(lang: 'th' | 'en', amount: string): string {
  const s = amount.trim();
  if (!AMOUNT.test(s)) return '–';
  // Intl formats a numeric string as an exact decimal (ECMA-402 NumberFormat v3).
  return BAHT_FORMAT[lang].format(s as unknown as number);
}

/** True when `amount` is a decimal string equal to zero ("0", "0.00"). */
export function isZeroAmount(amount: string): boolean {
  return AMOUNT.test(amount.trim()) && /^-?0*(\.0*)?$/.test(amount.trim());
}

const WORDS = new Intl.Segmenter('th', { granularity: 'word' });
const GRAPHEMES = new Intl.Segmenter('th', { granularity: 'grapheme' });

export type WrapOptions = {
  /** The width of each paragraph's first line (an indent or a label before it); default `width`. */
  firstWidth?: number;
};

/**
 * `text` as lines no wider than `width` by `measure`: one paragraph per "\n", filled greedily at
 * word boundaries (Intl.Segmenter: Thai dictionary words, spaces, Latin words, numbers; punctuation
 * stays with its word, see breakUnits); a word wider
 * than a line is cut between grapheme clusters, so a mark never leaves its consonant. Spaces at a
 * break are dropped. A blank paragraph inside the text is an empty line; blank text gives []. A
 * line always holds at least one grapheme, so a width smaller than one character still ends.
 * Widths are summed per segment (each measured once): exact for Thai and Latin text set without
 * kerning across word boundaries.
 */
export function wrapText(
  text: string,
  width: number,
  measure: (s: string) => number,
  options: WrapOptions = {},
): string[] {
  const widths = new Map<string, number>();
  const widthOf = (s: string): number => {
    let w = widths.get(s);
    if (w === undefined) widths.set(s, (w = measure(s)));
    return w;
  };
  const paragraphs = text.split('\n').map((p) => p.trimEnd());
  while (paragraphs.length > 0 && paragraphs[0].trim() === '') paragraphs.shift();
  while (paragraphs.length > 0 && paragraphs[paragraphs.length - 1].trim() === '') paragraphs.pop();
  const lines: string[] = [];
  for (const p of paragraphs) lines.push(...wrapParagraph(p, width, options.firstWidth ?? width, widthOf));
  return lines;
}

type Unit = { text: string; isSpace: boolean };

const BREAKING_SPACE = /^[^\S\u00A0]+$/u;
const OPENING = /^[\p{Ps}\p{Pi}]+$/u;
const PUNCTUATION = /^[\p{P}\p{S}]+$/u;
const REPEAT = /^[\u0E46\u0E2F]/; // ๆ and ฯ never start a line

/**
 * The paragraph's word segments joined into the pieces a line may break between: a closing mark
 * (")", "”", ".", "%") sticks to what precedes it, an opening one ("(", "“", or any mark after a
 * space) to what follows, ๆ/ฯ to the word before them even across a space, and a no-break space
 * (U+00A0) joins its neighbours ("12,500.00 บาท").
 */
function breakUnits(paragraph: string): Unit[] {
  const units: Unit[] = [];
  let open = '';
  let glueNext = false;
  const last = () => units[units.length - 1];
  for (const { segment, isWordLike } of WORDS.segment(paragraph)) {
    if (BREAKING_SPACE.test(segment)) {
      if (open !== '') units.push({ text: open, isSpace: false });
      open = '';
      glueNext = false;
      units.push({ text: segment, isSpace: true });
      continue;
    }
    if (segment.includes('\u00A0') && !isWordLike && units.length > 0 && !last().isSpace) {
      last().text += open + segment;
      open = '';
      glueNext = true;
      continue;
    }
    if (!isWordLike && PUNCTUATION.test(segment)) {
      const isOpening = OPENING.test(segment) || units.length === 0 || last().isSpace || open !== '';
      if (isOpening && !glueNext) {
        open += segment;
        continue;
      }
      if (!isOpening) {
        last().text += segment;
        continue;
      }
    }
    const text = open + segment;
    open = '';
    if (glueNext && units.length > 0) {
      last().text += text;
    } else if (REPEAT.test(text) && units.length >= 2 && last().isSpace && !units[units.length - 2].isSpace) {
      const space = units.pop()!;
      last().text += space.text + text;
    } else if (REPEAT.test(text) && units.length >= 1 && !last().isSpace) {
      last().text += text;
    } else {
      units.push({ text, isSpace: false });
    }
    glueNext = false;
  }
  if (open !== '') units.push({ text: open, isSpace: false });
  return units;
}

function wrapParagraph(paragraph: string, width: number, firstWidth: number, widthOf: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  const limit = () => (lines.length === 0 ? firstWidth : width);
  const flush = () => {
    lines.push(line.trimEnd());
    line = '';
    used = 0;
  };
  for (const { text, isSpace } of breakUnits(paragraph)) {
    if (isSpace && line === '') continue; // no line starts with the space it broke at
    const w = widthOf(text);
    if (used + w <= limit()) {
      line += text;
      used += w;
      continue;
    }
    if (isSpace) {
      flush();
      continue;
    }
    if (line !== '') flush();
    if (w <= limit()) {
      line = text;
      used = w;
      continue;
    }
    // A piece wider than a whole line: cut it between grapheme clusters.
    for (const { segment: g } of GRAPHEMES.segment(text)) {
      const gw = widthOf(g);
      if (used + gw > limit() && line !== '') flush();
      line += g;
      used += gw;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}
