// The catalogue of the open datasets, as people read it (/data), as DCAT-AP JSON-LD and as the CKAN
// action API a harvester such as data.go.th calls (package_list, package_show, package_search).
//
// DCAT-AP (SEMIC, 2.1.1 and 3.0.x): mandatory are a Catalogue's dct:title, dct:description and
// dct:publisher (and, in 2.x, dcat:dataset), a Dataset's dct:title and dct:description, a
// Distribution's dcat:accessURL, and an Agent's foaf:name; licences, formats, keywords, frequency,
// checksums and landing pages are recommended and given too. Source: the DCAT-AP 3.0.1 SHACL shapes
// (https://semiceu.github.io/DCAT-AP/releases/3.0.1/) as summarised by SEMIC's LinkML rendering and
// national profiles (DCAT-AP-CH handbook: accessURL 1..1 on a distribution). Not confirmed against
// the SHACL file itself here (no network): test/opendata-catalogue checks these properties.
// CKAN: the answers follow CKAN's API guide (docs.ckan.org/en/2.10/api): every action answers
// {help, success, result}, or {help, success: false, error: {__type, message}} with the HTTP status.
import type { Config } from '../config/load.ts';
import { OPEN_LICENCES } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { datasetOf, datasets, type DatasetDef } from './datasets.ts';
import { listReleases, type ReleaseInfo } from './release.ts';

export type CatalogueEntry = { def: DatasetDef; releases: ReleaseInfo[] };

type Site = Pick<Config, 'publicUrl' | 'openDataLicence' | 'operator'>;

export async function catalogue(db: Db): Promise<CatalogueEntry[]> {
  const all = await listReleases(db);
  return datasets().map((def) => ({ def, releases: all.filter((r) => r.dataset === def.id) }));
}

export async function catalogueEntry(db: Db, id: string): Promise<CatalogueEntry> {
  const def = datasetOf(id);
  if (!def) throw new AppError('not_found', 'no such dataset', 'error.not_found');
  return { def, releases: await listReleases(db, id) };
}

export function publisherOf(site: Site): { th: string; en: string } {
  return site.operator ? { th: site.operator.nameTh, en: site.operator.nameEn } : { th: 'สุจริต', en: 'Sujarit' };
}

export const fileUrl = (base: string, id: string, month: string, ext: 'csv' | 'json') =>
  `${base}/data/${id}/${month}.${ext}`;

const EU = 'http://publications.europa.eu/resource/authority';
const lang = (t: { th: string; en: string }) => [
  { '@value': t.th, '@language': 'th' },
  { '@value': t.en, '@language': 'en' },
];
const date = (d: Date) => ({ '@value': d.toISOString().slice(0, 10), '@type': 'xsd:date' });

export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  spdx: 'http://spdx.org/rdf/terms#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
};

/** The DCAT-AP catalogue as JSON-LD (compact, with its context inline: no remote context to fetch). */
export function dcatCatalogue(site: Site, entries: CatalogueEntry[]): Record<string, unknown> {
  const base = site.publicUrl;
  const publisher = {
    '@id': `${base}/data#publisher`,
    '@type': 'foaf:Agent',
    'foaf:name': lang(publisherOf(site)),
  };
  const licence = { '@id': OPEN_LICENCES[site.openDataLicence].url };
  const modified = entries
    .flatMap((e) => e.releases.map((r) => r.createdAt))
    .sort((a, b) => b.getTime() - a.getTime())[0];
  return {
    '@context': DCAT_CONTEXT,
    '@id': `${base}/data/catalog.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': lang({ th: 'ข้อมูลเปิดด้านความซื่อตรง', en: 'Open integrity data' }),
    'dct:description': lang({
      th: 'ชุดข้อมูลเปิดของเรื่องร้องเรียน เบาะแส การอนุญาตล่าช้า ความพึงพอใจ ผลการประเมิน ITA และบัญชีสาธารณะ เผยแพร่รายเดือน',
      en: 'Open datasets of complaints, tips, late permits, satisfaction, ITA results and the public ledger, released monthly.',
    }),
    'dct:publisher': publisher,
    'foaf:homepage': { '@id': `${base}/data` },
    'dct:license': licence,
    'dct:language': [{ '@id': `${EU}/language/THA` }, { '@id': `${EU}/language/ENG` }],
    ...(modified ? { 'dct:modified': date(modified) } : {}),
    'dcat:dataset': entries.map((e) => dcatDataset(site, e, publisher, licence)),
  };
}

function dcatDataset(
  site: Site,
  { def, releases }: CatalogueEntry,
  publisher: Record<string, unknown>,
  licence: Record<string, unknown>,
): Record<string, unknown> {
  const base = site.publicUrl;
  const latest = releases[0];
  const first = releases.at(-1);
  const distribution = (ext: 'csv' | 'json') => ({
    '@id': `${base}/data/${def.id}#${ext}`,
    '@type': 'dcat:Distribution',
    'dct:title': lang({ th: `${def.title.th} (${ext.toUpperCase()})`, en: `${def.title.en} (${ext.toUpperCase()})` }),
    'dcat:accessURL': { '@id': `${base}/data/${def.id}` },
    'dcat:downloadURL': { '@id': fileUrl(base, def.id, latest.month, ext) },
    'dct:format': { '@id': `${EU}/file-type/${ext.toUpperCase()}` },
    'dcat:mediaType': {
      '@id': `https://www.iana.org/assignments/media-types/${ext === 'csv' ? 'text/csv' : 'application/json'}`,
    },
    'dct:license': licence,
    'dct:modified': date(latest.createdAt),
    ...(ext === 'csv'
      ? {
          'dcat:byteSize': { '@value': String(latest.bytes), '@type': 'xsd:nonNegativeInteger' },
          'spdx:checksum': {
            '@type': 'spdx:Checksum',
            'spdx:algorithm': { '@id': 'http://spdx.org/rdf/terms#checksumAlgorithm_sha256' },
            'spdx:checksumValue': { '@value': latest.sha256, '@type': 'xsd:hexBinary' },
          },
        }
      : {}),
  });
  return {
    '@id': `${base}/data/${def.id}`,
    '@type': 'dcat:Dataset',
    'dct:identifier': def.id,
    'dct:title': lang(def.title),
    'dct:description': lang(def.description),
    'dcat:keyword': def.keywords,
    'dct:publisher': publisher,
    'dcat:contactPoint': {
      '@type': 'vcard:Organization',
      'vcard:fn': publisherOf(site).en,
      'vcard:hasURL': { '@id': `${base}/privacy` },
    },
    'dcat:landingPage': { '@id': `${base}/data/${def.id}` },
    'dct:accrualPeriodicity': { '@id': `${EU}/frequency/${def.frequency === 'monthly' ? 'MONTHLY' : 'ANNUAL'}` },
    'dct:conformsTo': { '@id': `${base}/data/${def.id}/dictionary.json` },
    ...(first ? { 'dct:issued': date(first.createdAt) } : {}),
    ...(latest
      ? { 'dct:modified': date(latest.createdAt), 'dcat:distribution': [distribution('csv'), distribution('json')] }
      : {}),
  };
}

/** CKAN's help link for an action (a harvester reads `help` as a string). */
const help = (base: string, action: string) => `${base}/api/3/action/help_show?name=${action}`;

export type CkanAnswer = { status: number; body: Record<string, unknown> };

/** A CKAN package dict of one dataset (the fields harvesters read, as package_show returns them). */
export function ckanPackage(site: Site, { def, releases }: CatalogueEntry): Record<string, unknown> {
  const base = site.publicUrl;
  const latest = releases[0];
  const org = {
    id: 'sujarit',
    name: 'sujarit',
    title: publisherOf(site).th,
    type: 'organization',
    is_organization: true,
    state: 'active',
    approval_status: 'approved',
    description: publisherOf(site).en,
  };
  const resource = (ext: 'csv' | 'json', position: number) => ({
    id: `${def.id}-${latest.month}-${ext}`,
    package_id: def.id,
    name: `${def.title.th} ${latest.month} (${ext.toUpperCase()})`,
    description: `${def.title.en}, release ${latest.month}`,
    format: ext.toUpperCase(),
    mimetype: ext === 'csv' ? 'text/csv' : 'application/json',
    url: fileUrl(base, def.id, latest.month, ext),
    hash: ext === 'csv' ? `sha256:${latest.sha256}` : '',
    size: ext === 'csv' ? latest.bytes : null,
    created: latest.createdAt.toISOString().replace('Z', ''),
    last_modified: latest.createdAt.toISOString().replace('Z', ''),
    state: 'active',
    position,
    url_type: null,
  });
  const resources = latest ? [resource('csv', 0), resource('json', 1)] : [];
  const licence = OPEN_LICENCES[site.openDataLicence];
  return {
    id: def.id,
    name: def.id,
    title: def.title.th,
    notes: `${def.description.th}\n\n${def.description.en}`,
    type: 'dataset',
    state: 'active',
    private: false,
    license_id: site.openDataLicence,
    license_title: licence.title,
    license_url: licence.url,
    isopen: true,
    owner_org: org.id,
    organization: org,
    author: publisherOf(site).en,
    maintainer: publisherOf(site).en,
    url: `${base}/data/${def.id}`,
    version: latest?.month ?? null,
    metadata_created: (releases.at(-1)?.createdAt ?? new Date(0)).toISOString().replace('Z', ''),
    metadata_modified: (latest?.createdAt ?? new Date(0)).toISOString().replace('Z', ''),
    tags: def.keywords.map((k) => ({ name: k, display_name: k, state: 'active' })),
    num_tags: def.keywords.length,
    resources,
    num_resources: resources.length,
    groups: [],
    extras: [
      { key: 'title_en', value: def.title.en },
      { key: 'update_frequency', value: def.frequency },
      { key: 'data_dictionary', value: `${base}/data/${def.id}/dictionary.json` },
      { key: 'dcat_catalogue', value: `${base}/data/catalog.jsonld` },
    ],
    relationships_as_object: [],
    relationships_as_subject: [],
  };
}

const intParam = (v: unknown, fallback: number, max: number): number | null => {
  if (v === undefined || v === '') return fallback;
  const n = typeof v === 'string' && /^\d{1,7}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : null;
};

function ckanError(base: string, action: string, status: number, type: string, message: string): CkanAnswer {
  return { status, body: { help: help(base, action), success: false, error: { __type: type, message } } };
}

/** One CKAN action, read-only: package_list, package_show, package_search (anything else: 400 as CKAN answers an unknown action). */
export async function ckanAction(
  db: Db,
  site: Site,
  action: string,
  params: Record<string, unknown>,
): Promise<CkanAnswer> {
  const base = site.publicUrl;
  const ok = (result: unknown): CkanAnswer => ({
    status: 200,
    body: { help: help(base, action), success: true, result },
  });
  if (action === 'package_list') {
    const limit = intParam(params.limit, 1000, 1000);
    const offset = intParam(params.offset, 0, 1_000_000);
    if (limit === null || offset === null)
      return ckanError(base, action, 409, 'Validation Error', 'limit and offset must be whole numbers');
    return ok(
      datasets()
        .map((d) => d.id)
        .sort()
        .slice(offset, offset + limit),
    );
  }
  if (action === 'package_show') {
    const id = typeof params.id === 'string' ? params.id : '';
    if (!id) return ckanError(base, action, 409, 'Validation Error', 'Missing value: id');
    if (!datasetOf(id)) return ckanError(base, action, 404, 'Not Found Error', 'Not found');
    return ok(ckanPackage(site, await catalogueEntry(db, id)));
  }
  if (action === 'package_search') {
    const rows = intParam(params.rows, 10, 1000);
    const start = intParam(params.start, 0, 1_000_000);
    if (rows === null || start === null)
      return ckanError(base, action, 409, 'Validation Error', 'rows and start must be whole numbers');
    const q = typeof params.q === 'string' ? params.q.trim().toLowerCase().slice(0, 200) : '';
    const words = q === '' || q === '*:*' ? [] : q.split(/\s+/);
    const hits = (await catalogue(db)).filter((e) => {
      const text = [
        e.def.id,
        e.def.title.th,
        e.def.title.en,
        e.def.description.th,
        e.def.description.en,
        ...e.def.keywords,
      ]
        .join(' ')
        .toLowerCase();
      return words.every((w) => text.includes(w));
    });
    return ok({
      count: hits.length,
      results: hits.slice(start, start + rows).map((e) => ckanPackage(site, e)),
      sort: 'score desc, metadata_modified desc',
      facets: {},
      search_facets: {},
    });
  }
  return ckanError(
    base,
    action,
    400,
    'Bad request - Action name not known',
    `Action name not known: ${action.slice(0, 50)}`,
  );
}

/** A dataset's data dictionary (Thai and English), as /data/<id>/dictionary.json serves it. */
export function dictionaryOf(site: Site, def: DatasetDef): Record<string, unknown> {
  return {
    dataset: def.id,
    title: def.title,
    description: def.description,
    licence: { id: site.openDataLicence, ...OPEN_LICENCES[site.openDataLicence] },
    frequency: def.frequency,
    disclosureControl: def.isControlled
      ? {
          th: 'จำนวนตั้งแต่ 1 ถึง 4 และจำนวนที่อาจใช้คำนวณย้อนกลับหาจำนวนดังกล่าวได้ ถูกปิดไว้ (ค่าว่างใน CSV, null ใน JSON) ศูนย์แสดงตามจริง วันที่ระบุถึงระดับเดือน ไม่มีข้อความอิสระ',
          en: 'Counts from 1 to 4, and counts that would give one back, are left empty (an empty CSV field, null in JSON). Zeros are shown. Dates are to the month. No free text.',
        }
      : null,
    columns: def.columns().map((c) => ({ name: c.name, type: c.type, label: c.label })),
  };
}
