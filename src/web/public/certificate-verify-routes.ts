// The public page that verifies an ethics-course certificate's code (GET, so it works without
// JavaScript and a link can carry the code): what the certificate certifies and whether it still
// matches the ledger, or that the code is unknown or not a code. Well-formed wrong codes spend the
// public lookup budget (the tracking-code scope's limits, a bucket of its own): 429 when spent.
import type { FastifyInstance } from 'fastify';
import { VERIFY_PATH } from '../../ethics/certificate-pdf.ts';
import { verifyCertificate } from '../../ethics/certificate.ts';
import { beLongDate } from '../../pdf/thai-text.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

export function certificateVerifyRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get(VERIFY_PATH, async (req, reply) => {
    const c = pageContext(req, reply);
    const raw = (req.query as Record<string, unknown>).code;
    const typed = typeof raw === 'string' ? raw.slice(0, 40) : '';
    const check = typed === '' ? null : await verifyCertificate(deps.db, deps.limits.tracking, raw);
    const status = check === null || check.result === 'found' ? 200 : check.result === 'unknown' ? 404 : 400;
    const found = check?.result === 'found' ? check.certificate : null;
    return sendPage(
      reply,
      c,
      'verify-certificate',
      {
        title: c.t('ethics.verify.title'),
        typed,
        result: check?.result ?? null,
        cert: found,
        dateText: found ? beLongDate(c.lang, found.issuedOn) : '',
      },
      status,
      true,
    );
  });
}
