// Search over the cases sealed to the user. It decrypts in memory only (cases/search.ts); the
// query is neither logged nor stored. A refused query shows the form again with its field message.
import type { FastifyInstance } from 'fastify';
import { MAX_QUERY_CHARS, type SearchResult, searchCases } from '../../cases/search.ts';
import type { AppError } from '../../errors.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form, formOf } from '../form.ts';
import { asAppError, statusOf } from '../errors.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { staffFrame } from './staff-page.ts';

export function searchRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;

  const page = (f: Form, q: string, result: SearchResult | null, error: AppError | null) => {
    const nf = new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB');
    return sendPage(
      f.reply,
      f,
      'staff-search',
      {
        title: f.t('search.title'),
        q: q.slice(0, MAX_QUERY_CHARS),
        maxQuery: MAX_QUERY_CHARS,
        result,
        ...errorView(f, error),
        num: (n: number) => nf.format(n),
        ...staffFrame(deps, f),
      },
      error ? statusOf(error) : 200,
    );
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get('/staff/search', async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const q = f.query('q', 400);
      if (q === '') return page(f, q, null, null);
      try {
        return page(f, q, await searchCases({ db, actor: staffOf(req), query: q }), null);
      } catch (e) {
        const error = asAppError(e);
        if (error.code !== 'invalid_input') throw e;
        return page(f, q, null, error);
      }
    });
  });
}
