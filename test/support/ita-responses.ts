// Responses CSV files of a large agency, generated with a fixed seed (so every run reads the same
// file), for the `ita score` tests and bench/ita-score.ts: staff (IIT) and outside (EIT)
// respondents interleaved, 9 staff to 2 outside, each answering every question of their
// survey, about 2% left empty as on paper forms, EIT yes/no answers in Thai, then the OIT verdicts.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Framework } from '../../src/ita/types.ts';
import { seededRandom } from './random.ts';

/** The rows (no line ends, no header) of `respondents` respondents, one array each, then one of the checklist's verdicts. */
export function* responseBlocks(framework: Framework, respondents: number, seed = 2569): Generator<string[]> {
  const rnd = seededRandom(seed);
  const instrumentOf = new Map(framework.indicators.map((i) => [i.number, i.instrument]));
  const iit = framework.questions.filter((q) => instrumentOf.get(q.indicator) === 'IIT');
  const eit = framework.questions.filter((q) => instrumentOf.get(q.indicator) === 'EIT');
  for (let k = 1; k <= respondents; k++) {
    const isOutside = k % 11 >= 9;
    const name = isOutside ? `public-${k}` : `staff-${k}`;
    const [yes, no] = isOutside ? ['ใช่', 'ไม่ใช่'] : ['yes', 'no'];
    yield (isOutside ? eit : iit).map((q) => {
      const scale = framework.scales[q.scale]!;
      if (rnd() < 0.02) return `${name},${q.id},`;
      if (scale.kind === 'levels') return `${name},${q.id},${1 + Math.floor(rnd() * scale.points.length)}`;
      return `${name},${q.id},${rnd() < 0.1 ? yes : no}`;
    });
  }
  yield framework.checklist.map((c) => `,${c.id},${rnd() < 0.9 ? 'yes' : 'no'}`);
}

/**
 * Writes a responses CSV (CRLF) of at most `maxBytes`: as many respondents as fit, then the
 * checklist. Returns its size in bytes and its number of answer rows.
 */
export async function writeResponsesCsv(
  file: string,
  framework: Framework,
  maxBytes: number,
): Promise<{ bytes: number; rows: number }> {
  const lines = (rows: string[]): string => `${rows.join('\r\n')}\r\n`;
  const header = 'respondent,question,answer\r\n';
  const tail = lines([...responseBlocks(framework, 0)][0]!);
  let bytes = header.length + Buffer.byteLength(tail);
  let rows = framework.checklist.length;
  const out = createWriteStream(file);
  let parts = [header];
  let partsLength = 0;
  for (const block of responseBlocks(framework, Number.POSITIVE_INFINITY)) {
    const text = lines(block);
    const size = Buffer.byteLength(text);
    if (bytes + size > maxBytes) break;
    parts.push(text);
    bytes += size;
    rows += block.length;
    partsLength += text.length;
    if (partsLength > 1 << 20) {
      if (!out.write(parts.join(''))) await once(out, 'drain');
      parts = [];
      partsLength = 0;
    }
  }
  out.end(parts.join('') + tail);
  await once(out, 'finish');
  return { bytes, rows };
}
