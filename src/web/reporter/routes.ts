// The reporter's home page and the report form. No request is logged here, no client address or
// agent is read, and every time stored is to the minute. Every step is a plain form post; nothing
// needs JavaScript. The follow-up pages are followup-routes.ts, a witness's witness-routes.ts.
import type { FastifyInstance } from 'fastify';
import { CATEGORIES } from '../../intake/limits.ts';
import type { WebDeps } from '../deps.ts';
import { formOf } from '../form.ts';
import { sendPage } from '../render.ts';
import { postFiling, showFilingForm, type FilingPage } from './filing-post.ts';

const REPORT_FIELDS = ['agency', 'category', 'what', 'when', 'where', 'who', 'identityName', 'identityContact'];
const PAGE: FilingPage = {
  view: 'report',
  action: '/report',
  formId: 'report-form',
  data: (t) => ({ title: t('report.title'), categories: CATEGORIES }),
};

export function reporterRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/', async (req, reply) => {
    const f = formOf(req, reply, deps.config.isSecureCookies);
    return sendPage(reply, f, 'home', { title: f.t('home.title') });
  });

  app.get('/report', async (req, reply) => showFilingForm(req, reply, deps, PAGE));

  app.post('/report', async (req, reply) =>
    postFiling(req, reply, deps, { kind: 'tip', fields: REPORT_FIELDS, page: PAGE }),
  );
}
