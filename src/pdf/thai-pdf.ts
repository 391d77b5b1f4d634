// Thai official documents as PDF with pdfkit: the Sarabun fonts, parsed once per process, and a
// Writer that lays out Thai lines itself. pdfkit cannot break Thai lines (no spaces between words),
// so every line is wrapped here (thai-text.ts) and drawn at an explicit position with pdfkit's own
// line breaking off; pages are added here too. Used by the ITA monitoring report and the filing
// certificate.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { cleanText, decomposeSaraAm, toThaiDigits, wrapText } from './thai-text.ts';

export const MM = 72 / 25.4;
export const PAGE_HEIGHT = 841.89; // A4 in points
export const PAGE_WIDTH = 595.28;
export const SIZE = 16;
export const LINE = SIZE * 1.3; // Sarabun's ascent + descent: room for stacked Thai marks

export type Font = 'regular' | 'bold';

/** Where text goes on an A4 page, in points. */
export type PageLayout = {
  left: number;
  right: number;
  top: number;
  bottom: number;
  pageNumberTop: number;
  line: number;
};

/** The official style: margins 3 cm left, 2 cm right, 2.5 cm top, 2 cm bottom, "- ๒ -" at 1.2 cm. */
export const OFFICIAL_PAGE: PageLayout = {
  left: 30 * MM,
  right: PAGE_WIDTH - 20 * MM,
  top: 25 * MM,
  bottom: PAGE_HEIGHT - 20 * MM,
  pageNumberTop: 12 * MM,
  line: LINE,
};

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
export function loadFonts(): Promise<Record<Font, FontkitFont>> {
  const load = async (f: Font) =>
    keepMarksInOrder(fontkit.create(await readFile(fileURLToPath(import.meta.resolve(FONT_FILES[f])))));
  fontCache ??= Promise.all([load('regular'), load('bold')]).then(
    ([regular, bold]) => ({ regular, bold }),
    (e: unknown) => {
      fontCache = null;
      throw e;
    },
  );
  return fontCache;
}

export type Align = 'left' | 'center' | 'right';
export type BlockOptions = {
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
export class Writer {
  readonly doc: PDFKit.PDFDocument;
  readonly thaiDigits: boolean;
  readonly layout: PageLayout;
  y: number;
  page = 1;

  constructor(doc: PDFKit.PDFDocument, thaiDigits: boolean, layout: PageLayout = OFFICIAL_PAGE) {
    this.doc = doc;
    this.thaiDigits = thaiDigits;
    this.layout = layout;
    this.y = layout.top;
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
    const { top, bottom, left, right, pageNumberTop } = this.layout;
    if (this.y + height <= bottom) return;
    this.doc.addPage();
    this.page++;
    this.y = top;
    this.line(`- ${this.page} -`, { x: left, width: right - left, align: 'center' }, pageNumberTop);
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
    const paragraphs = this.prepare(text)
      .split('\n')
      .filter((p) => p.trim() !== '');
    if (paragraphs.length === 0) paragraphs.push('');
    paragraphs.forEach((paragraph, i) => {
      const offset = i === 0 && lead ? (lead.hanging ? 0 : leadWidth) : (o.indent ?? 0);
      const lines = wrapText(paragraph, width, (s) => this.measure(font, s), { firstWidth: width - offset });
      if (lines.length === 0) lines.push('');
      lines.forEach((l, j) => {
        this.room(this.layout.line);
        if (i === 0 && j === 0 && lead) this.draw(lead.text, o.x, this.y, lead.font);
        const lx = x + (j === 0 ? offset : 0);
        const lw = j === 0 ? width - offset : width;
        const free =
          o.align === 'center'
            ? (lw - this.measure(font, l)) / 2
            : o.align === 'right'
              ? lw - this.measure(font, l)
              : 0;
        this.draw(l, lx + free, this.y, font);
        this.y += this.layout.line;
      });
    });
  }

  /** A bold heading kept with the line after it. */
  heading(text: string, x: number, lead?: string): void {
    this.room(2 * this.layout.line);
    this.block(text, {
      x,
      width: this.layout.right - x,
      font: 'bold',
      lead: lead ? { text: lead, font: 'bold', hanging: true } : undefined,
    });
  }

  gap(fraction = 0.5): void {
    this.y += this.layout.line * fraction;
  }
}

/**
 * A new A4 document with Sarabun registered as 'regular' and 'bold' at 16 pt, and its bytes once
 * `doc.end()` is called. `info` and `lang` go to the document as given.
 */
export async function openThaiDocument(o: {
  layout?: PageLayout;
  lang: string;
  info: PDFKit.DocumentInfo;
}): Promise<{ doc: PDFKit.PDFDocument; bytes: Promise<Buffer> }> {
  const fonts = await loadFonts();
  const layout = o.layout ?? OFFICIAL_PAGE;
  const doc = new PDFDocument({
    size: 'A4',
    margins: {
      top: layout.top,
      bottom: PAGE_HEIGHT - layout.bottom,
      left: layout.left,
      right: PAGE_WIDTH - layout.right,
    },
    lang: o.lang,
    displayTitle: true,
    info: o.info,
  });
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // pdfkit takes a fontkit font where its types say file or bytes (PDFFontFactory.open).
  doc.registerFont('regular', fonts.regular as unknown as Buffer);
  doc.registerFont('bold', fonts.bold as unknown as Buffer);
  doc.fontSize(SIZE).fillColor('black').strokeColor('black');
  return { doc, bytes };
}
