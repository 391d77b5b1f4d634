// ITA: the staff pages of assessment cycles: list, opening, overview, settings, publishing, closing,
// OIT self-check. For the agency's administrators and ITA assessors only; a cycle of another agency
// is not found on every address (loadCycle). Handlers parse, make one domain call and render.
import { parseFormDate } from '../../i18n/form-date.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentFiscalYear } from '../../cases/figures.ts';
import { formatDay } from '../../cases/permit-dates.ts';
import { AppError } from '../../errors.ts';
import {
  changeCycle,
  closeCycle,
  listCycles,
  loadCycle,
  MAX_STAFF_COUNT,
  openCycle,
  type Cycle,
} from '../../ita/cycles.ts';
import { listFrameworks, loadShippedFramework } from '../../ita/framework.ts';
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
import { publishResults } from '../../ita/publish.ts';
import { surveyProgress } from '../../ita/sample.ts';
import { hasRole } from '../../staff/session.ts';
import { adminNav } from '../admin/routes.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { contentDisposition } from '../download.ts';
import { pathId } from '../input.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';
import { requireStaff } from '../staff-auth.ts';

type IdParams = { Params: { id: string } };
type ItemParams = { Params: { id: string; item: string } };
type Extra = Record<string, unknown>;

/** One-time notices after a redirect (`?sent=`): the notice's text. */
const SENT: Readonly<Record<string, string>> = {
  opened: 'ita.cycle.done.opened',
  closed: 'ita.cycle.done.closed',
  evidence: 'ita.cycle.done.evidence',
  verdict: 'ita.cycle.done.verdict',
  published: 'ita.publish.done.yes',
  withdrawn: 'ita.publish.done.no',
  settings: 'ita.settings.done',
  carried: 'ita.oit.carried',
};
/** What a refused form may give back: longest text kept (the longest limit, so nothing typed within it is cut). */
const MAX_TYPED = Math.max(...Object.values(OIT_LIMITS)) + 1;

const str = (v: unknown, max = MAX_TYPED) => (typeof v === 'string' ? v.slice(0, max) : '');
/** A whole number as typed in a form; anything else is NaN, which the domain refuses with a field error. */
const int = (v: unknown) => (/^\s*\d{1,9}\s*$/.test(str(v, 20)) ? Number(str(v, 20)) : NaN);
/** An optional date field: '' is null. */
// A date typed in B.E. (or A.D.) becomes YYYY-MM-DD; what does not read as a date is kept as typed, for the domain to refuse.
const day = (v: unknown) => {
  const typed = str(v, 20).trim();
  return typed ? (parseFormDate(typed) ?? typed) : null;
};
const typed = (b: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(b)
      .filter(([k, v]) => k !== '_csrf' && typeof v === 'string')
      .map(([k, v]) => [k, str(v)]),
  );

/** A refusal the form can show again; anything else (not found, forbidden, database down) goes to the error page. */
function formError(e: unknown): AppError {
  const err = toAppError(e);
  if (!err || err.code === 'not_found' || err.code === 'forbidden' || err.code === 'unavailable') throw e;
  return err;
}

/** Checklist items grouped by indicator, then by the group heading, in framework order. */

/** The changes from an earlier cycle's checklist, with NACC's numbers and words of both years for the page. */
function yearChanges(earlier: Cycle, later: Cycle) {
  const label = (c: Cycle, id: string) => {
    const item = c.framework.checklist.find((i) => i.id === id)!;
    return { number: item.number ?? id, text: item.text };
  };
  return checklistChanges(earlier, later).map((ch) => ({
    kind: ch.kind,
    from: 'from' in ch ? (Array.isArray(ch.from) ? ch.from : [ch.from]).map((id) => label(earlier, id)) : [],
    to: 'to' in ch ? label(later, ch.to) : null,
  }));
}

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

/** Reads the evidence form (multipart): the CSRF token MUST come before the file, or nothing is kept. One file, at most maxFileBytes + 1 bytes read. */
async function readEvidenceForm(
  req: FastifyRequest,
): Promise<{ fields: Record<string, string>; file: { name: string; bytes: Buffer } | null }> {
  if (!req.isMultipart()) throw new AppError('invalid_input', 'expected multipart/form-data', 'error.bad_request');
  const fields: Record<string, string> = {};
  let file: { name: string; bytes: Buffer } | null = null;
  let csrfError: unknown = null;
  let isCsrfOk = false;
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      if (typeof part.value !== 'string') continue;
      if (part.fieldname !== '_csrf') fields[part.fieldname] ??= part.value;
      else {
        try {
          checkCsrf(req, part.value);
          isCsrfOk = true;
        } catch (e) {
          csrfError = e;
        }
      }
      continue;
    }
    const isWanted = isCsrfOk && part.fieldname === 'file' && Boolean(part.filename) && file === null;
    if (part.filename && !isCsrfOk)
      csrfError ??= new AppError('forbidden', 'CSRF token must precede files', 'error.csrf');
    // Read to the end either way: the multipart stream must be consumed for the request to finish.
    const chunks: Buffer[] = [];
    for await (const chunk of part.file) if (isWanted) chunks.push(chunk as Buffer);
    if (isWanted) file = { name: part.filename, bytes: Buffer.concat(chunks) };
  }
  if (!isCsrfOk || csrfError) throw csrfError ?? new AppError('forbidden', 'missing CSRF token', 'error.csrf');
  return { fields, file };
}

/**
 * Registers /staff/ita (list, open), /staff/ita/:id (overview, settings, publish, close) and /staff/ita/:id/oit (the
 * self-check: evidence, verdicts, file download). Every page MUST answer not found for a cycle of
 * another agency; POSTs check the CSRF token before anything is read or stored.
 */
export function itaCycleRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const cycleHref = (id: number | string) => `/staff/ita/${id}`;
  const common = (req: FastifyRequest, reply: FastifyReply, c: PageContext) => {
    const sent = (req.query as Record<string, unknown>).sent;
    const nf = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB');
    return {
      csrf: csrfToken(req, reply, config.isSecureCookies),
      staffEmail: req.staff!.email,
      nav: (deps.staffNav ?? adminNav)(req.staff!),
      day: (d: string) => formatDay(c.lang, d),
      num: (n: number) => nf.format(n),
      notice: typeof sent === 'string' && Object.hasOwn(SENT, sent) ? c.t(SENT[sent]) : null,
      alert: null,
      errors: null,
      form: null,
    };
  };
  const refused = (req: FastifyRequest, reply: FastifyReply, err: AppError, form: Extra) => ({
    notice: null,
    alert: pageContext(req, reply).t(err.userMessage),
    errors: err.fields,
    form,
  });

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    // --- The agency's cycles, and opening one ---------------------------------------------------

    const listPage = async (req: FastifyRequest, reply: FastifyReply, extra: Extra = {}, status = 200) => {
      const c = pageContext(req, reply);
      const cycles = await listCycles({ db, actor: req.staff! });
      const frameworks = listFrameworks().map((name) => ({ name, title: loadShippedFramework(name).title[c.lang] }));
      return sendPage(
        reply,
        c,
        'staff-ita',
        {
          title: c.t('ita.cycles.title'),
          cycles: cycles.map((cycle) => ({ cycle, href: cycleHref(cycle.id), progress: surveyProgress(cycle) })),
          frameworks,
          canOpen: hasRole(req.staff!, 'agency_admin'),
          maxStaff: MAX_STAFF_COUNT,
          ...common(req, reply, c),
          form: {
            fiscalYear: String(currentFiscalYear()),
            framework: frameworks[0]?.name ?? '',
            staffCount: '',
            oitDueOn: '',
          },
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get('/staff/ita', async (req, reply) => listPage(req, reply));

    scope.post('/staff/ita', async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      try {
        const cycle = await openCycle({
          db,
          actor: req.staff!,
          fiscalYear: int(b.fiscalYear),
          frameworkName: str(b.framework, 200),
          staffCount: int(b.staffCount),
          oitDueOn: day(b.oitDueOn),
        });
        return reply.redirect(`${cycleHref(cycle.id)}?sent=opened`, 303);
      } catch (e) {
        const err = formError(e);
        return listPage(req, reply, refused(req, reply, err, typed(b)), statusOf(err));
      }
    });

    // --- One cycle: overview, settings, publishing and closing ----------------------------------------

    const cyclePage = async (req: FastifyRequest<IdParams>, reply: FastifyReply, extra: Extra = {}, status = 200) => {
      const c = pageContext(req, reply);
      const { cycle, items } = await listOitItems({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
      const isAdmin = hasRole(req.staff!, 'agency_admin');
      return sendPage(
        reply,
        c,
        'staff-ita-cycle',
        {
          title: `${c.t('ita.cycle.title', { year: cycle.fiscalYear })}`,
          cycle,
          href: cycleHref(cycle.id),
          surveys: surveyProgress(cycle),
          oit: oitProgress(items),
          canClose: cycle.state === 'open' && isAdmin,
          canChange: cycle.state === 'open' && isAdmin,
          canPublish: isAdmin,
          maxStaff: MAX_STAFF_COUNT,
          ...common(req, reply, c),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get<IdParams>('/staff/ita/:id', async (req, reply) => cyclePage(req, reply));

    /** A form of the overview page: CSRF first, then `run`; a refusal shows the page again with what was typed under `formName`. */
    const cycleForm = async (
      req: FastifyRequest<IdParams>,
      reply: FastifyReply,
      formName: string,
      run: (b: Record<string, unknown>, cycleId: number) => Promise<string>,
    ) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      const cycleId = pathId(req.params.id);
      try {
        const sent = await run(b, cycleId);
        return reply.redirect(`${cycleHref(cycleId)}?sent=${sent}`, 303);
      } catch (e) {
        const err = formError(e);
        return cyclePage(req, reply, refused(req, reply, err, { name: formName, ...typed(b) }), statusOf(err));
      }
    };

    scope.post<IdParams>('/staff/ita/:id/close', (req, reply) =>
      cycleForm(req, reply, 'close', async (b, cycleId) => {
        // The page's other checks come first, so a stranger learns nothing from a missing box.
        await loadCycle({ db, actor: req.staff!, cycleId, roles: ['agency_admin'] });
        if (b.confirm !== 'yes')
          throw new AppError('invalid_input', 'closing not confirmed', 'error.form', { confirm: 'ita.error.confirm' });
        await closeCycle({ db, actor: req.staff!, cycleId });
        return 'closed';
      }),
    );

    scope.post<IdParams>('/staff/ita/:id/settings', (req, reply) =>
      cycleForm(req, reply, 'settings', async (b, cycleId) => {
        await changeCycle({
          db,
          actor: req.staff!,
          cycleId,
          settings: { staffCount: int(b.staffCount), oitDueOn: day(b.oitDueOn) },
        });
        return 'settings';
      }),
    );

    scope.post<IdParams>('/staff/ita/:id/publish', (req, reply) =>
      cycleForm(req, reply, 'publish', async (b, cycleId) => {
        // The page's other checks come first, so a stranger learns nothing from a missing box.
        await loadCycle({ db, actor: req.staff!, cycleId, roles: ['agency_admin'] });
        if (b.publish !== 'yes' && b.publish !== 'no')
          throw new AppError('invalid_input', 'publish must be yes or no', 'error.bad_request');
        if (b.confirm !== 'yes')
          throw new AppError('invalid_input', 'publishing not confirmed', 'error.form', {
            publishConfirm: 'ita.publish.error.confirm',
          });
        await publishResults({ db, actor: req.staff!, cycleId, isPublished: b.publish === 'yes' });
        return b.publish === 'yes' ? 'published' : 'withdrawn';
      }),
    );

    // --- The OIT self-check --------------------------------------------------------------------------

    const oitPage = async (req: FastifyRequest<IdParams>, reply: FastifyReply, extra: Extra = {}, status = 200) => {
      const c = pageContext(req, reply);
      const { cycle, items } = await listOitItems({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
      const hasFigures = items.some((i) => i.source === 'complaint-figures');
      const isOpen = cycle.state === 'open';
      const previous = await previousCycle({ db, cycle });
      return sendPage(
        reply,
        c,
        'staff-ita-oit',
        {
          title: c.t('ita.oit.title', { year: cycle.fiscalYear }),
          cycle,
          href: cycleHref(cycle.id),
          indicators: groupItems(cycle, items, c.lang),
          sources: cycle.framework.sources ?? {},
          isDraft: cycle.framework.isDraft === true,
          previous: previous && {
            id: previous.id,
            fiscalYear: previous.fiscalYear,
            changes: yearChanges(previous, cycle),
          },
          missing: missingItems(items),
          progress: oitProgress(items),
          figures: hasFigures ? await oitComplaintFigures({ db, cycle }) : null,
          figuresUrl: `${config.publicUrl}/figures?fy=${cycle.fiscalYear}`,
          fill: str((req.query as Record<string, unknown>).fill, 200),
          canEvidence: isOpen,
          canVerdict: isOpen && hasRole(req.staff!, 'ita_assessor'),
          limits: OIT_LIMITS,
          accept: EVIDENCE_ACCEPT,
          verdicts: VERDICTS,
          maxFileMb: Math.floor(config.maxFileBytes / (1024 * 1024)),
          ...common(req, reply, c),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get<IdParams>('/staff/ita/:id/oit', async (req, reply) => oitPage(req, reply));

    scope.post<ItemParams>('/staff/ita/:id/oit/:item/evidence', async (req, reply) => {
      const { fields, file } = await readEvidenceForm(req);
      const itemId = req.params.item;
      try {
        await saveEvidence({
          db,
          actor: req.staff!,
          cycleId: pathId(req.params.id),
          itemId,
          url: str(fields.url),
          note: str(fields.note),
          file,
          isFileRemoved: fields.removeFile === 'yes',
          maxFileBytes: config.maxFileBytes,
        });
        return reply.redirect(`${cycleHref(req.params.id)}/oit?sent=evidence#item-${encodeURIComponent(itemId)}`, 303);
      } catch (e) {
        const err = formError(e);
        return oitPage(
          req,
          reply,
          refused(req, reply, err, { name: 'evidence', item: itemId, ...typed(fields), reselect: file !== null }),
          statusOf(err),
        );
      }
    });

    scope.post<ItemParams>('/staff/ita/:id/oit/:item/verdict', async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      const itemId = req.params.item;
      try {
        await saveVerdict({
          db,
          actor: req.staff!,
          cycleId: pathId(req.params.id),
          itemId,
          verdict: str(b.verdict, 10),
          comment: str(b.comment),
        });
        return reply.redirect(`${cycleHref(req.params.id)}/oit?sent=verdict#item-${encodeURIComponent(itemId)}`, 303);
      } catch (e) {
        const err = formError(e);
        return oitPage(
          req,
          reply,
          refused(req, reply, err, { name: 'verdict', item: itemId, ...typed(b) }),
          statusOf(err),
        );
      }
    });

    scope.post<IdParams>('/staff/ita/:id/oit/carry-over', async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      try {
        await carryOverEvidence({ db, actor: req.staff!, cycleId: pathId(req.params.id), fromCycleId: int(b.from) });
        return reply.redirect(`${cycleHref(req.params.id)}/oit?sent=carried`, 303);
      } catch (e) {
        const err = formError(e);
        return oitPage(req, reply, refused(req, reply, err, { name: 'carry' }), statusOf(err));
      }
    });

    // A download, never shown in our origin: attachment, an allow-listed type or octet-stream, no sniffing.
    scope.get<ItemParams>('/staff/ita/:id/oit/:item/file', async (req, reply) => {
      const f = await loadEvidenceFile({
        db,
        actor: req.staff!,
        cycleId: pathId(req.params.id),
        itemId: req.params.item,
      });
      return reply
        .type(f.type)
        .header('content-disposition', contentDisposition(f.name))
        .header('x-content-type-options', 'nosniff')
        .send(f.bytes);
    });
  });
}
