// The receipt page after a filing (a report, a complaint, a witness statement). The filing's POST
// answers 303 to GET /receipt with a cookie that opens the page's one-time record
// (src/intake/receipt-reveal.ts), so reloading the page or coming back to it never files again and
// never loses the receipt. The record goes after REVEAL_MINUTES, or when the filer removes it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatReceipt } from '../../crypto/receipt.ts';
import {
  forgetReveal,
  prepareReveal,
  readReveal,
  REVEAL_MINUTES,
  type RevealContent,
} from '../../intake/receipt-reveal.ts';
import type { StoredFile } from '../../intake/attachments.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

export const RECEIPT_COOKIE = 'sj_receipt';
const PATH = '/receipt';

/** The record maker a filing passes to submitReport or giveStatement. */
export function revealOf(
  page: RevealContent['page'],
  caseId: string,
  files: { file: StoredFile }[],
  complaintKind?: string,
) {
  return (receipt: string) =>
    prepareReveal({
      page,
      receipt,
      caseId,
      complaintKind,
      files: files.map(({ file }) => ({ name: file.name, isCleaned: file.isCleaned, removed: file.removed })),
    });
}

/** After the commit: the browser goes to the receipt page, carrying the record's key. */
export function redirectToReceipt(reply: FastifyReply, cookie: string | null, isSecure: boolean): FastifyReply {
  if (cookie)
    reply.setCookie(RECEIPT_COOKIE, cookie, {
      path: PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: isSecure,
      maxAge: REVEAL_MINUTES * 60,
    });
  return reply.redirect(PATH, 303);
}

const TEMPLATES = {
  report: ['receipt', 'receipt.title'],
  complaint: ['complaint-receipt', 'complaint.receipt.title'],
  witness: ['witness-receipt', 'witness.receipt.title'],
} as const;

export function receiptRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.get(PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    const c = pageContext(req, reply);
    const csrf = csrfToken(req, reply, config.isSecureCookies);
    const shown = await readReveal(db, req.cookies[RECEIPT_COOKIE]);
    if (!shown) {
      reply.clearCookie(RECEIPT_COOKIE, { path: PATH });
      return sendPage(reply, c, 'receipt-gone', { title: c.t('receipt.gone.title'), minutes: REVEAL_MINUTES }, 410);
    }
    const [template, title] = TEMPLATES[shown.page];
    return sendPage(reply, c, template, {
      title: c.t(title),
      receipt: shown.receipt,
      receiptFormatted: formatReceipt(shown.receipt),
      reference: shown.reference,
      kind: shown.complaintKind,
      files: shown.files,
      csrf,
      minutes: REVEAL_MINUTES,
    });
  });
  app.post(`${PATH}/forget`, async (req, reply) => {
    checkCsrf(req, ((req.body ?? {}) as Record<string, unknown>)._csrf);
    await forgetReveal(db, req.cookies[RECEIPT_COOKIE]);
    reply.clearCookie(RECEIPT_COOKIE, { path: PATH });
    return reply.redirect('/', 303);
  });
}
