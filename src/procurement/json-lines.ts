// OCDS input as JSON lines, streamed: a file of any size is read holding one chunk and one line.
// Each line is a compiled release, a release package (its `releases`) or a record package (each
// record's `compiledRelease`). A line that is not JSON, a package line without what it should hold,
// and a line over the size limit are skipped and reported with their line numbers, as Cardinal
// skips them ("Line N is invalid JSON, skipping."); blank lines are skipped silently, as there.
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { arr, field, obj } from './json-access.ts';

/** A line longer than this is refused without being held: it is skipped up to its end. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** How many skipped lines are described; the count goes on. */
export const MAX_REPORTED = 100;

export type Skipped = { line: number; reason: string };

export type LineReport = {
  /** Lines read (the last one counted even without a final newline). */
  lines: number;
  /** Releases handed on (a package line gives several). */
  releases: number;
  skipped: number;
  /** The first MAX_REPORTED skipped lines. */
  faults: Skipped[];
};

export function emptyReport(): LineReport {
  return { lines: 0, releases: 0, skipped: 0, faults: [] };
}

export function skip(report: LineReport, line: number, reason: string): void {
  report.skipped += 1;
  if (report.faults.length < MAX_REPORTED) report.faults.push({ line, reason });
}

/**
 * Adds the report of a later part of the same input to `into`: its line numbers follow the lines
 * `into` has counted, and only the first MAX_REPORTED faults are kept, in order.
 */
export function mergeReport(into: LineReport, part: LineReport): void {
  for (const f of part.faults) {
    if (into.faults.length < MAX_REPORTED) into.faults.push({ line: into.lines + f.line, reason: f.reason });
  }
  into.lines += part.lines;
  into.releases += part.releases;
  into.skipped += part.skipped;
}

/** Hands on the releases of one parsed line; false when the line holds none it should. */
function releasesOf(value: unknown, onRelease: (release: unknown, line: number) => void, line: number): number {
  const o = obj(value);
  if (o && o.ocid === undefined) {
    const releases = arr(o.releases);
    if (releases) {
      for (const r of releases) onRelease(r, line);
      return releases.length;
    }
    const records = arr(o.records);
    if (records) {
      let n = 0;
      for (const record of records) {
        const compiled = field(record, 'compiledRelease');
        if (compiled === undefined) continue;
        onRelease(compiled, line);
        n += 1;
      }
      return n;
    }
  }
  onRelease(value, line);
  return 1;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) return false;
  }
  return true;
}

export type LineOptions = { maxLineBytes?: number; parse?: boolean };

/**
 * Reads JSON lines from `input`, calling `onRelease` for each release in order. MUST NOT hold more
 * than one chunk and one line under the limit. With `parse: false` lines are only split and decoded
 * (the benchmark's floor).
 */
export async function readJsonLines(
  input: Readable,
  onRelease: (release: unknown, line: number) => void,
  { maxLineBytes = MAX_LINE_BYTES, parse = true }: LineOptions = {},
): Promise<LineReport> {
  const report = emptyReport();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  const finish = (buf: Buffer, start: number, end: number) => {
    report.lines += 1;
    const line = report.lines;
    if (oversized) {
      skip(report, line, `longer than ${maxLineBytes} bytes, refused`);
      oversized = false;
      return;
    }
    if (isBlank(buf, start, end)) return;
    const text = buf.toString('utf8', start, end);
    if (!parse) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      skip(report, line, `invalid JSON (${(e as Error).message.slice(0, 120)})`);
      return;
    }
    const n = releasesOf(value, onRelease, line);
    if (n === 0) skip(report, line, 'a package with no releases or compiled releases');
    report.releases += n;
  };
  for await (const chunk of input) {
    const buf = chunk as Buffer;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      if (pendingBytes > 0 || oversized) {
        if (!oversized && pendingBytes + nl - start <= maxLineBytes) {
          const whole = Buffer.concat([...pending, buf.subarray(start, nl)]);
          finish(whole, 0, whole.length);
        } else {
          oversized = true;
          finish(buf, start, nl);
        }
        pending = [];
        pendingBytes = 0;
      } else if (nl - start > maxLineBytes) {
        oversized = true;
        finish(buf, start, nl);
      } else finish(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length && !oversized) {
      pendingBytes += buf.length - start;
      if (pendingBytes > maxLineBytes) {
        oversized = true;
        pending = [];
        pendingBytes = 0;
      } else pending.push(Buffer.from(buf.subarray(start))); // a copy: the stream may reuse its chunk
    }
  }
  if (pendingBytes > 0 || oversized) {
    const whole = Buffer.concat(pending);
    finish(whole, 0, whole.length);
  }
  return report;
}

/** A file's lines as a stream of 1 MiB chunks; with `range`, only its bytes [start, end). */
export function fileChunks(path: string, range?: { start: number; end: number }): Readable {
  const bytes = range && { start: range.start, end: range.end - 1 }; // createReadStream's end is inclusive
  return createReadStream(path, { highWaterMark: 1024 * 1024, ...bytes });
}

const PROBE_BYTES = 64 * 1024;

/** The offset just after the first newline at or after `at`, or `size`; read PROBE_BYTES at a time. */
async function endOfLine(file: FileHandle, at: number, size: number): Promise<number> {
  const probe = Buffer.alloc(PROBE_BYTES);
  while (at < size) {
    const { bytesRead } = await file.read(probe, 0, Math.min(PROBE_BYTES, size - at), at);
    if (bytesRead === 0) break;
    const nl = probe.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) return at + nl + 1;
    at += bytesRead;
  }
  return size;
}

/**
 * Splits the first `size` bytes of a file into at most `parts` ranges [start, end) of about equal
 * size, each ending just after a newline (the last at `size`): every line lies whole in one range,
 * and reading the ranges one after the other reads the lines of the file. Each cut is moved to the
 * end of the line it falls in, so a line of any length is passed over without being held; a line
 * longer than a range leaves out the ranges it covers.
 */
export async function splitAtLines(
  path: string,
  size: number,
  parts: number,
): Promise<{ start: number; end: number }[]> {
  const cuts = [0];
  const file = await open(path, 'r');
  try {
    for (let j = 1; j < parts; j++) {
      const at = Math.floor((size * j) / parts);
      const last = cuts[j - 1];
      cuts.push(at < last ? last : await endOfLine(file, at, size));
    }
  } finally {
    await file.close();
  }
  cuts.push(size);
  const ranges: { start: number; end: number }[] = [];
  for (let j = 0; j < parts; j++) if (cuts[j + 1] > cuts[j]) ranges.push({ start: cuts[j], end: cuts[j + 1] });
  return ranges;
}
