// ITA: the OIT self-check of a cycle: every checklist item with its evidence (a link, a file, a
// note) and the assessor's verdict, the complaint figures for the items that come from Sujarit's
// own cases, and the evidence file's download. Handlers parse, make one domain call and render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Cycle } from '../../ita/cycles.ts';
import {
  EVIDENCE_ACCEPT,
  listOitItems,
  loadEvidenceFile,
  missingItems,
  OIT_LIMITS,
  oitComplaintFigures,
  oitProgress,
  saveEvidence,
  saveVerdict,
  VERDICTS,
  type OitItem,
} from '../../ita/oit.ts';
import { carryOverEvidence, checklistChanges, previousCycle } from '../../ita/oit-carry-over.ts';
import { attachRiskEvidence, riskEvidenceOffers } from '../../risk/ita-evidence.ts';
import { bangkokToday } from '../../cases/permit-dates.ts';
import { hasRole } from '../../staff/session.ts';
import { checkCsrf } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { contentDisposition } from '../download.ts';
import { actOnForm, formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { cycleHref, cyclePageCommon } from './ita-routes.ts';
import { refusedForm } from './staff-page.ts';

type IdParams = { Params: { id: string } };
type ItemParams = { Params: { id: string; item: string } };

/** What a refused form may give back: the longest limit, so nothing typed within it is cut. */
const MAX_TYPED = Math.max(...Object.values(OIT_LIMITS)) + 1;

/** Checklist items grouped by indicator, then by the group heading, in framework order. */
function groupItems(cycle: Cycle, items: OitItem[], lang: 'th' | 'en') {
  const indicators: { number: number; name: string; groups: { name: string; items: OitItem[] }[] }[] = [];
  for (const item of items) {
    let ind = indicators.find((i) => i.number === item.indicator);
    if (!ind) {
      const def = cycle.framework.indicators.find((i) => i.number === item.indicator);
      ind = { number: item.indicator, name: def ? def.name[lang] : String(item.indicator), groups: [] };
      indicators.push(ind);
    }
    const name = item.group[lang];
    let group = ind.groups.find((g) => g.name === name);
    if (!group) ind.groups.push((group = { name, items: [] }));
    group.items.push(item);
  }
  return indicators;
}

/** The changes from an earlier cycle's checklist, with NACC's numbers and words of both years for the page. */
function yearChanges(earlier: Cycle, later: Cycle) {
  const label = (c: Cycle, id: string) => {
    const item = c.framework.checklist.find((i) => i.id === id);
    return { number: item?.number ?? id, text: item?.text ?? { th: id, en: id } };
  };
  return checklistChanges(earlier, later).map((ch) => ({
    kind: ch.kind,
    from: 'from' in ch ? (Array.isArray(ch.from) ? ch.from : [ch.from]).map((id) => label(earlier, id)) : [],
    to: 'to' in ch ? label(later, ch.to) : null,
  }));
}

type EvidenceForm = { fields: Record<string, string>; file: { name: string; bytes: Buffer } | null };

/**
 * Reads the evidence form (multipart): the CSRF token MUST come before the file, or nothing is
 * kept and the request is refused (forbidden). One file, read whole (the domain refuses one over
 * the limit; the multipart limit stops the stream first).
 */
export async function readEvidenceForm(req: FastifyRequest): Promise<EvidenceForm> {
  if (!req.isMultipart()) throw new AppError('invalid_input', 'expected multipart/form-data', 'error.bad_request');
  const out: EvidenceForm = { fields: {}, file: null };
  let csrf: 'missing' | 'ok' | AppError = 'missing';
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      if (typeof part.value !== 'string') continue;
      if (part.fieldname !== '_csrf') out.fields[part.fieldname] ??= part.value;
      else if (csrf === 'missing') csrf = csrfResult(req, part.value);
      continue;
    }
    const isWanted = csrf === 'ok' && part.fieldname === 'file' && Boolean(part.filename) && out.file === null;
    if (part.filename && csrf === 'missing')
      csrf = new AppError('forbidden', 'CSRF token must precede files', 'error.csrf');
    // Read to the end either way: the multipart stream must be consumed for the request to finish.
    const chunks: Buffer[] = [];
    for await (const chunk of part.file) if (isWanted) chunks.push(chunk as Buffer);
    if (isWanted) out.file = { name: part.filename, bytes: Buffer.concat(chunks) };
  }
  if (csrf !== 'ok') throw csrf === 'missing' ? new AppError('forbidden', 'missing CSRF token', 'error.csrf') : csrf;
  return out;
}

function csrfResult(req: FastifyRequest, token: string): 'ok' | AppError {
  try {
    checkCsrf(req, token);
    return 'ok';
  } catch (e) {
    return e as AppError;
  }
}

/** The self-check; `refused` shows a refused form again on its item (`form.item`). */
async function oitPage(deps: WebDeps, f: Form, cycleId: number, refused: Record<string, unknown> = {}, status = 200) {
  const { config, db } = deps;
  const actor = staffOf(f.req);
  const { cycle, items } = await listOitItems({ db, actor, cycleId });
  const isOpen = cycle.state === 'open';
  const previous = await previousCycle({ db, cycle });
  return sendPage(
    f.reply,
    f,
    'staff-ita-oit',
    {
      title: f.t('ita.oit.title', { year: cycle.fiscalYear }),
      cycle,
      href: cycleHref(cycle.id),
      indicators: groupItems(cycle, items, f.lang),
      sources: cycle.framework.sources ?? {},
      isDraft: cycle.framework.isDraft === true,
      previous: previous && { id: previous.id, fiscalYear: previous.fiscalYear, changes: yearChanges(previous, cycle) },
      missing: missingItems(items),
      progress: oitProgress(items),
      figures: items.some((i) => i.source === 'complaint-figures') ? await oitComplaintFigures({ db, cycle }) : null,
      riskOffers: Object.fromEntries((await riskEvidenceOffers(db, cycle)).map((o) => [o.itemId, o])),
      figuresUrl: `${config.publicUrl}/figures?fy=${cycle.fiscalYear}`,
      fill: f.query('fill', 200),
      canEvidence: isOpen,
      canVerdict: isOpen && hasRole(actor, 'ita_assessor'),
      limits: OIT_LIMITS,
      accept: EVIDENCE_ACCEPT,
      verdicts: VERDICTS,
      maxFileMb: Math.floor(config.maxFileBytes / (1024 * 1024)),
      ...cyclePageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

const oitHref = (cycleId: number, itemId: string, sent: string) =>
  `${cycleHref(cycleId)}/oit?sent=${sent}#item-${encodeURIComponent(itemId)}`;

/**
 * Registers /staff/ita/:id/oit (the self-check: evidence, verdicts, file download). Every page MUST
 * answer not found for a cycle of another agency; POSTs check the CSRF token before anything is
 * read or stored.
 */
export function itaOitRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    scope.get<IdParams>('/staff/ita/:id/oit', async (req, reply) =>
      oitPage(deps, formOf(req, reply, config.isSecureCookies), pathId(req.params.id)),
    );

    scope.post<ItemParams>('/staff/ita/:id/oit/:item/evidence', async (req, reply) => {
      const { fields, file } = await readEvidenceForm(req);
      const f = formOf(req, reply, config.isSecureCookies);
      const cycleId = pathId(req.params.id);
      const itemId = req.params.item;
      return actOnForm(
        f,
        async () => {
          await saveEvidence({
            db,
            actor: staffOf(req),
            cycleId,
            itemId,
            url: fields.url?.slice(0, MAX_TYPED) ?? '',
            note: fields.note?.slice(0, MAX_TYPED) ?? '',
            file,
            isFileRemoved: fields.removeFile === 'yes',
            maxFileBytes: config.maxFileBytes,
          });
          return reply.redirect(oitHref(cycleId, itemId, 'evidence'), 303);
        },
        (error, status) => {
          const refused = refusedForm(f, error, 'evidence', MAX_TYPED, fields);
          const form = { ...refused.form, item: itemId, reselect: file !== null };
          return oitPage(deps, f, cycleId, { ...refused, form }, status);
        },
      );
    });

    scope.post<ItemParams>('/staff/ita/:id/oit/:item/verdict', async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const cycleId = pathId(req.params.id);
      const itemId = req.params.item;
      return postForm(
        f,
        async () => {
          const verdict = f.str('verdict', 10);
          await saveVerdict({
            db,
            actor: staffOf(req),
            cycleId,
            itemId,
            verdict,
            comment: f.str('comment', MAX_TYPED),
          });
          return reply.redirect(oitHref(cycleId, itemId, 'verdict'), 303);
        },
        (error, status) => {
          const refused = refusedForm(f, error, 'verdict', MAX_TYPED);
          return oitPage(deps, f, cycleId, { ...refused, form: { ...refused.form, item: itemId } }, status);
        },
      );
    });

    scope.post<IdParams>('/staff/ita/:id/oit/carry-over', async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const cycleId = pathId(req.params.id);
      return postForm(
        f,
        async () => {
          await carryOverEvidence({ db, actor: staffOf(req), cycleId, fromCycleId: pathId(f.str('from', 12)) });
          return reply.redirect(`${cycleHref(cycleId)}/oit?sent=carried`, 303);
        },
        (error, status) => oitPage(deps, f, cycleId, refusedForm(f, error, 'carry', MAX_TYPED), status),
      );
    });

    riskEvidenceRoute(scope, deps);
    // A download, never shown in our origin: attachment, an allow-listed type or octet-stream, no sniffing.
    scope.get<ItemParams>('/staff/ita/:id/oit/:item/file', async (req, reply) => {
      const file = await loadEvidenceFile({
        db,
        actor: staffOf(req),
        cycleId: pathId(req.params.id),
        itemId: req.params.item,
      });
      return reply
        .type(file.type)
        .header('content-disposition', contentDisposition(file.name))
        .header('x-content-type-options', 'nosniff')
        .send(file.bytes);
    });
  });
}

/** The register's PDF attached to the item it answers, in one action (src/risk/ita-evidence.ts). */
function riskEvidenceRoute(scope: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  scope.post<ItemParams>('/staff/ita/:id/oit/:item/risk-evidence', async (req, reply) => {
    const f = formOf(req, reply, config.isSecureCookies);
    const cycleId = pathId(req.params.id);
    const itemId = req.params.item;
    return postForm(
      f,
      async () => {
        await attachRiskEvidence({
          db,
          actor: staffOf(req),
          cycleId,
          itemId,
          maxFileBytes: config.maxFileBytes,
          today: bangkokToday(),
        });
        return reply.redirect(oitHref(cycleId, itemId, 'evidence'), 303);
      },
      (error, status) => {
        const refused = refusedForm(f, error, 'risk', MAX_TYPED);
        return oitPage(deps, f, cycleId, { ...refused, form: { ...refused.form, item: itemId } }, status);
      },
    );
  });
}
