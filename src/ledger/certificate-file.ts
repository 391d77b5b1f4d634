// Reading a filing certificate from the file a reporter kept: the JSON itself, or the PDF with the
// JSON embedded (certificate-pdf.ts). No PDF library: pdfkit writes an embedded file as one
// indirect object, `<< /Type /EmbeddedFile … /Length N /Filter /FlateDecode >> stream … endstream`,
// and that much is found and inflated here. A PDF rewritten by another program (object streams,
// other filters, "print to PDF" drops attachments) is refused with a message saying to use the JSON.
import { inflateSync } from 'node:zlib';
import { CERTIFICATE_FORMAT } from './certificate.ts';

const STREAM = /(?<!end)stream\r?\n/g;
const MAX_CERTIFICATE_BYTES = 1 << 20;

/** The dictionary text of the object whose stream starts at `at`: from its last "obj" to "stream". */
function dictionaryBefore(pdf: string, at: number): string {
  const start = pdf.lastIndexOf(' obj', at);
  return start < 0 ? '' : pdf.slice(start, at);
}

/** Every embedded file of a pdfkit PDF, inflated. */
export function embeddedFiles(pdf: Buffer): Buffer[] {
  const text = pdf.toString('latin1'); // one character per byte: offsets are byte offsets
  const files: Buffer[] = [];
  for (const m of text.matchAll(STREAM)) {
    const dict = dictionaryBefore(text, m.index);
    if (!/\/Type\s*\/EmbeddedFile\b/.test(dict)) continue;
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    if (!length) continue;
    const from = m.index + m[0].length;
    const raw = pdf.subarray(from, from + Number(length[1]));
    const filters = /\/Filter\s*(\[[^\]]*\]|\/\w+)/.exec(dict)?.[1] ?? '';
    if (filters === '') files.push(raw);
    else if (/^(\[\s*)?\/FlateDecode(\s*\])?$/.test(filters)) {
      try {
        files.push(inflateSync(raw, { maxOutputLength: MAX_CERTIFICATE_BYTES }));
      } catch {
        // damaged or too large: not a certificate this reader can use
      }
    }
  }
  return files;
}

/**
 * The certificate in `bytes`: parsed JSON, or the embedded certificate of a PDF. Throws an Error
 * saying what is wrong when neither holds one. The result is unverified (verifyCertificate).
 */
export function readCertificateFile(bytes: Buffer): unknown {
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return JSON.parse(bytes.toString('utf8')) as unknown;
  for (const file of embeddedFiles(bytes)) {
    try {
      const parsed = JSON.parse(file.toString('utf8')) as { format?: unknown };
      if (parsed?.format === CERTIFICATE_FORMAT) return parsed;
    } catch {
      // another attachment: keep looking
    }
  }
  throw new Error(
    `this PDF carries no embedded ${CERTIFICATE_FORMAT} file: use the JSON certificate (or scan the QR code on its second page into a file)`,
  );
}
