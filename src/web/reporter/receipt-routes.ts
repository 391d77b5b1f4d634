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
import { checkCsrf } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { formOf } from '../form.ts';
import { sendPage } from '../render.ts';

export const RECEIPT_COOKIE = 'sj_receipt';
const PATH = '/receipt';

/** The record maker a filing passes to submitReport or giveStatement. */
export function revealOf(page: RevealContent['page'], caseId: string, files: { file: StoredFile }[]) {
  return (receipt: string) =>
    prepareReveal({
      page,
      receipt,
      caseId,
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

const TITLES = { report: 'receipt.title', complaint: 'complaint.receipt.title', witness: 'witness.receipt.title' };

export function receiptRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  // A GET page that the record keeps: its language switch and a reload show the same receipt.
  app.get(PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    const f = formOf(req, reply, config.isSecureCookies);
    const shown = await readReveal(db, req.cookies[RECEIPT_COOKIE]);
    if (!shown) {
      reply.clearCookie(RECEIPT_COOKIE, { path: PATH });
      return sendPage(reply, f, 'receipt-gone', { title: f.t('receipt.gone.title'), minutes: REVEAL_MINUTES }, 410);
    }
    return sendPage(reply, f, 'receipt', {
      title: f.t(TITLES[shown.page]),
      page: shown.page,
      receipt: shown.receipt,
      receiptFormatted: formatReceipt(shown.receipt),
      reference: shown.reference,
      kind: shown.kind,
      next: shown.next,
      files: shown.files,
      csrf: f.csrf(),
      minutes: REVEAL_MINUTES,
    });
  });
  app.post(`${PATH}/forget`, async (req, reply) => {
    checkCsrf(req, formOf(req, reply, config.isSecureCookies).body._csrf);
    await forgetReveal(db, req.cookies[RECEIPT_COOKIE]);
    reply.clearCookie(RECEIPT_COOKIE, { path: PATH });
    return reply.redirect('/', 303);
  });
}
