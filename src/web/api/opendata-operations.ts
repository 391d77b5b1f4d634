// The read-only JSON API of the open-data catalogue: the datasets, one dataset with its dictionary
// and releases, and one release's records. Public, cacheable (ETag, Cache-Control), never logged.
import { AppError } from '../../errors.ts';
import { catalogue, catalogueEntry, dictionaryOf, fileUrl } from '../../opendata/catalogue.ts';
import { isMonth, loadRelease } from '../../opendata/release.ts';
import type { WebDeps } from '../deps.ts';
import { CACHE } from '../http-cache.ts';
import type { Operation } from './routes.ts';

const paramsOf = (req: { params: unknown }) => req.params as Record<string, string>;

export function openDataOperations(deps: WebDeps): Operation[] {
  const { db, config } = deps;
  return [
    {
      id: 'listDatasets',
      method: 'GET',
      path: '/datasets',
      summary: 'The open datasets, with their newest release',
      auth: 'none',
      status: 200,
      response: 'DatasetList',
      cache: CACHE.short,
      handle: async () => ({
        items: (await catalogue(db)).map((e) => ({
          id: e.def.id,
          title: e.def.title,
          description: e.def.description,
          frequency: e.def.frequency,
          licence: config.openDataLicence,
          latest: e.releases[0]?.month ?? null,
        })),
      }),
    },
    {
      id: 'getDataset',
      method: 'GET',
      path: '/datasets/{id}',
      summary: 'One dataset: its data dictionary (Thai and English) and every monthly release with its SHA-256',
      auth: 'none',
      status: 200,
      response: 'Dataset',
      cache: CACHE.short,
      handle: async ({ req }) => {
        const e = await catalogueEntry(db, paramsOf(req).id);
        return {
          id: e.def.id,
          dictionary: dictionaryOf(config, e.def),
          releases: e.releases.map((r) => ({
            month: r.month,
            createdAt: r.createdAt.toISOString(),
            sha256: r.sha256,
            csv: fileUrl(config.publicUrl, e.def.id, r.month, 'csv'),
            json: fileUrl(config.publicUrl, e.def.id, r.month, 'json'),
          })),
        };
      },
    },
    {
      id: 'getDatasetRelease',
      method: 'GET',
      path: '/datasets/{id}/releases/{month}',
      summary: 'The records of one monthly release (immutable: cached for a year)',
      auth: 'none',
      status: 200,
      response: 'DatasetRelease',
      cache: CACHE.immutable,
      handle: async ({ req }) => {
        const { id, month } = paramsOf(req);
        if (!isMonth(month)) throw new AppError('not_found', 'no such release', 'error.not_found');
        return (await loadRelease(db, id, month)).json.toString('utf8');
      },
    },
  ];
}
