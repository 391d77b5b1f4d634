// The plaintext inside a backup archive: a sequence of frames, each one byte of kind, a 32-bit
// big-endian length and that many bytes. In order:
//   H  header (JSON: format, creation time, the migrations the schema was built by)
//   F  a file of the data folder (JSON: name, base64 content), one frame each
//   T  a table begins (JSON: name, columns), then D frames (its rows in COPY text format), then
//   E  the table ends (JSON: row count)
//   S  the sequences (JSON: name, last value, is_called)
//   Z  the end (JSON: counts of tables, rows, files): an archive without it is incomplete.
import { ByteReader } from '../crypto/backup-seal.ts';

export type FrameKind = 'H' | 'F' | 'T' | 'D' | 'E' | 'S' | 'Z';
export type Frame = { kind: FrameKind; payload: Buffer };

export const ARCHIVE_FORMAT = 1;
/** No frame is larger: COPY data is split below it, and a reader never buffers more. */
export const MAX_FRAME = 1024 * 1024;
const KINDS = new Set<string>(['H', 'F', 'T', 'D', 'E', 'S', 'Z']);

export type Header = { format: number; createdAt: string; migrations: string[] };
export type FileEntry = { name: string; data: string };
export type TableStart = { name: string; columns: string[] };
export type SequenceValue = { name: string; lastValue: string; isCalled: boolean };
export type Totals = { tables: number; rows: number; files: number };

function frameHead(kind: FrameKind, length: number): Buffer {
  if (length > MAX_FRAME) throw new Error(`a backup frame of ${length} bytes is over the limit`);
  const head = Buffer.alloc(5);
  head.write(kind, 0, 'latin1');
  head.writeUInt32BE(length, 1);
  return head;
}

export function frame(kind: FrameKind, payload: Buffer | object): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  return Buffer.concat([frameHead(kind, body.length), body]);
}

/** Data frames for a chunk of any size: each frame's head, then its bytes as they are (no copy). */
export function* dataFrames(chunk: Buffer): Generator<Buffer> {
  for (let at = 0; at < chunk.length; at += MAX_FRAME) {
    const part = chunk.subarray(at, at + MAX_FRAME);
    yield frameHead('D', part.length);
    yield part;
  }
}

/** Parses the frames of decrypted plaintext; throws on a malformed stream (never past MAX_FRAME). */
export async function* readFrames(plain: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
  const reader = new ByteReader(plain);
  for (;;) {
    const head = await reader.read(5);
    if (head.length === 0) return;
    if (head.length < 5) throw new Error('the backup ends inside a frame');
    const kind = head.toString('latin1', 0, 1);
    const length = head.readUInt32BE(1);
    if (!KINDS.has(kind) || length > MAX_FRAME) throw new Error('the backup holds a malformed frame');
    const payload = await reader.read(length);
    if (payload.length < length) throw new Error('the backup ends inside a frame');
    yield { kind: kind as FrameKind, payload };
  }
}

export function jsonOf<T>(f: Frame): T {
  return JSON.parse(f.payload.toString('utf8')) as T;
}
