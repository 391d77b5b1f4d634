// The filing certificate of a case, for its reporter: from the follow-up page (session) or from the
// receipt page before any login (the receipt itself opens the case's keys). The PDF by default, the
// JSON for tools; both under a neutral name (no agency, reference or date on the reporter's device)
// and never cached. A witness has none.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { openReporterSession, readReporterToken, type ReporterSession } from '../../intake/reporter-session.ts';
import { buildCertificateFiles, CERTIFICATE_JSON_NAME, CERTIFICATE_PDF_NAME } from '../../ledger/certificate-pdf.ts';
import { checkCsrf } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { formOf } from '../form.ts';
import { sendPage } from '../render.ts';
import { CASE_PATH, REPORTER_COOKIE } from './followup-routes.ts';

type Format = 'pdf' | 'json';

export function certificateRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;

  const send = async (
    req: FastifyRequest,
    reply: FastifyReply,
    s: ReporterSession,
    receipt: string | null,
    format: Format,
  ) => {
    if (s.witnessId) throw new AppError('not_found', 'a witness has no filing certificate', 'error.not_found');
    const vkey = deps.ledgerVkey();
    const files = vkey
      ? await buildCertificateFiles({
          db,
          caseId: s.caseId,
          caseKey: s.keys.content,
          vkey,
          publicUrl: config.publicUrl,
        })
      : null;
    if (!files) {
      const f = formOf(req, reply, config.isSecureCookies);
      const data = { title: f.t('certificate.title'), csrf: f.csrf(), receipt, format };
      // After the receipt page's POST, the switch lands on the receipt page, which offers the certificate again.
      return sendPage(reply, f, 'certificate-pending', data, 409, receipt ? { href: '/receipt' } : undefined);
    }
    reply.header('cache-control', 'no-store');
    if (format === 'json')
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${CERTIFICATE_JSON_NAME}"`)
        .send(files.json);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${CERTIFICATE_PDF_NAME}"`)
      .send(await files.pdf());
  };

  for (const [path, format] of [
    [`${CASE_PATH}/certificate`, 'pdf'],
    [`${CASE_PATH}/certificate.json`, 'json'],
  ] as const) {
    app.get(path, async (req, reply) => {
      const s = await readReporterToken(db, secrets.cookieKey, req.cookies[REPORTER_COOKIE]);
      if (!s) return reply.redirect('/followup', 303);
      return send(req, reply, s, null, format);
    });
  }

  app.post('/report/certificate', async (req, reply) => {
    const body = formOf(req, reply, config.isSecureCookies).body;
    checkCsrf(req, body._csrf);
    const receipt = String(body.receipt ?? '');
    const s = await openReporterSession({
      db,
      kdf: config.kdf,
      receiptSalt: secrets.receiptSalt,
      throttle: deps.limits.receipt,
      receipt,
    });
    return send(req, reply, s, receipt, body.format === 'json' ? 'json' : 'pdf');
  });
}
