// The open-data catalogue (/data): the datasets with their dictionaries and monthly releases, the
// files themselves (CSV with a byte order mark, JSON), the DCAT-AP catalogue and the CKAN actions
// data.go.th harvests (/api/3/action/...). Public and read-only; like the reporter side, nothing is logged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OPEN_LICENCES } from '../../config/load.ts';
import { AppError } from '../../errors.ts';
import {
  catalogue,
  catalogueEntry,
  ckanAction,
  dcatCatalogue,
  dictionaryOf,
  publisherOf,
} from '../../opendata/catalogue.ts';
import { isMonth, loadRelease } from '../../opendata/release.ts';
import type { WebDeps } from '../deps.ts';
import { CACHE, sendCached } from '../http-cache.ts';
import { pageContext, sendPage } from '../render.ts';

const FILE = /^(\d{4}-\d{2}|latest)\.(csv|json)$/;

export function dataRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db, config } = deps;

  app.get('/data', async (req, reply) => {
    const c = pageContext(req, reply);
    const entries = await catalogue(db);
    return sendPage(reply, c, 'data-catalogue', {
      title: c.t('data.title'),
      entries,
      licence: OPEN_LICENCES[config.openDataLicence],
      publisher: publisherOf(config)[c.lang],
    });
  });

  app.get('/data/catalog.jsonld', async (req, reply) => {
    const body = JSON.stringify(dcatCatalogue(config, await catalogue(db)));
    reply.type('application/ld+json; charset=utf-8');
    return sendCached(req, reply, body, CACHE.hour);
  });

  app.get('/data/:id', async (req, reply) => {
    const c = pageContext(req, reply);
    const entry = await catalogueEntry(db, (req.params as { id: string }).id);
    return sendPage(reply, c, 'data-dataset', {
      title: entry.def.title[c.lang],
      entry,
      columns: entry.def.columns(),
      licence: OPEN_LICENCES[config.openDataLicence],
      publisher: publisherOf(config)[c.lang],
    });
  });

  app.get('/data/:id/dictionary.json', async (req, reply) => {
    const { def } = await catalogueEntry(db, (req.params as { id: string }).id);
    reply.type('application/json; charset=utf-8');
    return sendCached(req, reply, JSON.stringify(dictionaryOf(config, def)), CACHE.hour);
  });

  app.get('/data/:id/:file', async (req, reply) => sendReleaseFile(req, reply, deps));

  const ckan = async (req: FastifyRequest, reply: FastifyReply) => {
    const { action } = req.params as { action: string };
    const params = {
      ...((req.query ?? {}) as Record<string, unknown>),
      ...((req.body ?? {}) as Record<string, unknown>),
    };
    const answer = await ckanAction(db, config, action, params);
    reply.code(answer.status).type('application/json; charset=utf-8').header('access-control-allow-origin', '*');
    return answer.status === 200
      ? sendCached(req, reply, JSON.stringify(answer.body), CACHE.short)
      : reply.send(JSON.stringify(answer.body));
  };
  app.get('/api/3/action/:action', ckan);
}

async function sendReleaseFile(req: FastifyRequest, reply: FastifyReply, deps: WebDeps): Promise<FastifyReply> {
  const { id, file } = req.params as { id: string; file: string };
  const m = FILE.exec(file);
  if (!m || (m[1] !== 'latest' && !isMonth(m[1]))) throw new AppError('not_found', 'no such file', 'error.not_found');
  const release = await loadRelease(deps.db, id, m[1] === 'latest' ? undefined : m[1]);
  const isCsv = m[2] === 'csv';
  reply
    .type(isCsv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${id}-${release.month}.${m[2]}"`)
    .header('access-control-allow-origin', '*')
    .header('x-release-sha256', release.sha256);
  return sendCached(req, reply, isCsv ? release.csv : release.json, m[1] === 'latest' ? CACHE.hour : CACHE.immutable);
}
