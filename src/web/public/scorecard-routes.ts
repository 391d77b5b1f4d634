// Agency scorecards for citizens, phone first: the list (filter by type and name, tick agencies to
// compare), one agency's card, two or three side by side, and the card to embed in another site
// (its own CSP frame-ancestors). Everything comes from the released datasets (opendata/scorecard.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCY_TYPES } from '../../db/schema.ts';
import { type Bar, barChart } from '../../opendata/charts.ts';
import { type Peer, type Scorecard, scorecardOf, scorecards, type Share } from '../../opendata/scorecard.ts';
import { allowEmbedding } from '../csp.ts';
import type { WebDeps } from '../deps.ts';
import { CACHE } from '../http-cache.ts';
import { type PageContext, pageContext, sendPage } from '../render.ts';

const METRICS = ['ack', 'reply', 'done', 'satisfied', 'permitsOnTime'] as const;
const PER_PAGE = 50;

/** One section of a card or comparison: the chart and the table rows beside it. */
type Section = { key: string; chart: string; rows: { label: string; value: string; months: string }[] };

function sectionsOf(c: PageContext, cards: Scorecard[], peers: Peer[]): Section[] {
  const pct = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB', { maximumFractionDigits: 1 });
  const name = (x: Scorecard) => x.name[c.lang];
  const format = (n: number) => `${pct.format(n)}%`;
  return METRICS.map((m, i) => {
    const bars: Bar[] = cards.map((x) => ({ label: name(x), value: x[m].value }));
    const types = [...new Set(cards.map((x) => x.agencyType))];
    for (const type of types)
      bars.push({
        label: c.t('scorecard.peer', { type: c.t(`agency.type.${type}`) }),
        value: peers[cards.findIndex((x) => x.agencyType === type)]?.[m] ?? null,
        isPeer: true,
      });
    const rows = bars.map((b, k) => {
      const s: Share | null = k < cards.length ? cards[k][m] : null;
      return {
        label: b.label,
        value: b.value === null ? c.t('scorecard.nodata') : format(b.value),
        months: s ? c.t('scorecard.months', { n: s.months, of: s.of }) : c.t('scorecard.median'),
      };
    });
    const desc = rows.map((r) => `${r.label}: ${r.value}`).join('; ');
    const chart = barChart({
      id: `sc-${i}`,
      title: c.t(`scorecard.${m}`),
      desc,
      bars,
      format,
      noData: c.t('scorecard.nodata'),
    });
    return { key: m, chart, rows };
  });
}

function itaOf(c: PageContext, cards: Scorecard[]): Section {
  const score = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const bars: Bar[] = cards.flatMap((x) =>
    x.ita.map((y) => ({
      label:
        cards.length > 1
          ? `${x.name[c.lang]} · ${c.t('scorecard.fy', { year: y.fiscalYear })}`
          : c.t('scorecard.fy', { year: y.fiscalYear }),
      value: y.score,
    })),
  );
  const rows = bars.map((b) => ({
    label: b.label,
    value: b.value === null ? c.t('scorecard.nodata') : score.format(b.value),
    months: '',
  }));
  return {
    key: 'ita',
    chart:
      bars.length === 0
        ? ''
        : barChart({
            id: 'sc-ita',
            title: c.t('scorecard.ita'),
            desc: rows.map((r) => `${r.label}: ${r.value}`).join('; '),
            bars,
            format: (n) => score.format(n),
            noData: c.t('scorecard.nodata'),
          }),
    rows,
  };
}

async function sendCard(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  embed: boolean,
): Promise<FastifyReply> {
  const c = pageContext(req, reply);
  const { card, peer, month } = await scorecardOf(deps.db, (req.params as { code: string }).code);
  if (embed) allowEmbedding(reply);
  reply.header('cache-control', CACHE.short);
  return sendPage(reply, c, 'scorecard', {
    title: c.t('scorecard.title.one', { name: card.name[c.lang] }),
    cards: [card],
    month,
    embed,
    sections: sectionsOf(c, [card], [peer]),
    ita: itaOf(c, [card]),
  });
}

const one = (v: unknown, max: number): string => (typeof v === 'string' ? v.trim().slice(0, max) : '');

export function scorecardRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db } = deps;

  app.get('/scorecards', async (req, reply) => {
    const c = pageContext(req, reply);
    const q = (req.query ?? {}) as Record<string, unknown>;
    const type = (AGENCY_TYPES as readonly string[]).includes(one(q.type, 40)) ? one(q.type, 40) : '';
    const text = one(q.q, 100).toLowerCase();
    const page = Math.max(1, Math.min(10_000, Number.parseInt(one(q.page, 6), 10) || 1));
    const all = [...(await scorecards(db)).cards.values()].filter(
      (x) =>
        (!type || x.agencyType === type) &&
        (!text || `${x.code} ${x.name.th} ${x.name.en} ${x.province} ${x.ministry}`.toLowerCase().includes(text)),
    );
    const pages = Math.max(1, Math.ceil(all.length / PER_PAGE));
    const shown = all.slice((page - 1) * PER_PAGE, page * PER_PAGE);
    const query = (p: number) =>
      `/scorecards?${new URLSearchParams({ ...(type ? { type } : {}), ...(text ? { q: text } : {}), page: String(p) })}`;
    reply.header('cache-control', CACHE.short);
    return sendPage(reply, c, 'scorecards', {
      title: c.t('scorecard.title'),
      cards: shown,
      total: all.length,
      types: AGENCY_TYPES,
      type,
      text,
      prev: page > 1 ? query(page - 1) : null,
      next: page < pages ? query(page + 1) : null,
      page,
      pages,
      error: q.error === 'pick' ? c.t('scorecard.pick') : null,
    });
  });

  app.get('/scorecards/compare', async (req, reply) => {
    const c = pageContext(req, reply);
    const raw = (req.query as Record<string, unknown>).a;
    const codes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((v) => one(v, 40)).filter(Boolean))].slice(0, 4);
    const all = await scorecards(db);
    const cards = codes.map((code) => all.cards.get(code)).filter((x): x is Scorecard => x !== undefined);
    if (cards.length < 2 || cards.length > 3 || cards.length !== codes.length)
      return reply.redirect('/scorecards?error=pick', 303);
    reply.header('cache-control', CACHE.short);
    return sendPage(reply, c, 'scorecard', {
      title: c.t('scorecard.title.compare', { names: cards.map((x) => x.name[c.lang]).join(' · ') }),
      cards,
      month: all.month,
      embed: false,
      sections: sectionsOf(
        c,
        cards,
        cards.map((x) => all.peers.get(x.agencyType) as Peer),
      ),
      ita: itaOf(c, cards),
    });
  });

  app.get('/scorecards/:code', async (req, reply) => sendCard(req, reply, deps, false));
  app.get('/embed/scorecards/:code', async (req, reply) => sendCard(req, reply, deps, true));
}
