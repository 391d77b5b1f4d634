// The public ledger under /log, exactly per C2SP tlog-tiles / tlog-checkpoint: anyone may read it.
// `/log` itself is the page a person reads: what the ledger holds, how far it has grown, who has
// cosigned it, and the addresses a verifier uses.
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { readCheckpoint, readTile } from '../../ledger/read-log.ts';
import { parseTilePath } from '../../ledger/tiles.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The log only reads: HEAD (off app-wide, app.ts) is offered here for mirrors and witnesses checking freshness. */
const READ_ONLY = { exposeHeadRoute: true };

export function logRoutes(app: FastifyInstance, deps: WebDeps & { ledgerVkey: () => string | null }): void {
  const { db } = deps;
  const notFound = () => new AppError('not_found', 'not found', 'error.not_found');

  app.get('/log', async (req, reply) => {
    const c = pageContext(req, reply);
    const cp = await readCheckpoint(db);
    return sendPage(
      reply,
      c,
      'log',
      {
        title: c.t('log.title'),
        checkpoint: cp && {
          ...cp,
          ...signersOf(cp.note),
          sizeText: cp.size.toLocaleString(c.lang === 'th' ? 'th-TH' : 'en-GB'),
        },
        vkey: deps.ledgerVkey(),
      },
      200,
      true,
    );
  });

  app.get('/log/checkpoint', READ_ONLY, async (_req, reply) => {
    const cp = await readCheckpoint(db);
    if (!cp) throw notFound();
    return reply.header('cache-control', 'public, max-age=2').type('text/plain; charset=utf-8').send(cp.note);
  });

  app.get('/log/vkey', READ_ONLY, async (_req, reply) => {
    const vkey = deps.ledgerVkey();
    if (!vkey) throw notFound();
    return reply.header('cache-control', 'public, max-age=300').type('text/plain; charset=utf-8').send(`${vkey}\n`);
  });

  app.get('/log/*', READ_ONLY, async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    const address = parseTilePath(rest);
    if (!address) throw notFound();
    const bytes = await readTile(db, address);
    if (!bytes) throw notFound();
    reply.header('cache-control', IMMUTABLE).type('application/octet-stream');
    if (address.level === 'entries' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(gzipSync(bytes));
    }
    return reply.send(bytes);
  });
}

/**
 * Who signed a checkpoint (a C2SP signed note): the signature lines after the blank line, each
 * "— <name> <base64>". The log's own signature carries its origin as name; the others are witnesses.
 */
export function signersOf(note: string): { witnesses: string[] } {
  const at = note.indexOf('\n\n');
  const lines = at < 0 ? [] : note.slice(at + 2).split('\n');
  const names = lines.filter((l) => l.startsWith('\u2014 ')).map((l) => l.slice(2).split(' ')[0] ?? '');
  const origin = note.split('\n')[0] ?? '';
  return { witnesses: names.filter((n) => n !== origin) };
}
