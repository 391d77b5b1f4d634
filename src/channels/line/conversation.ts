// The LINE conversation, one event at a time inside the transaction that marks the event processed:
// follow → welcome → complaint or tip (a tip is warned that LINE is not anonymous) → agency (search
// by name) → category → description → photos and location → summary to confirm → tracking code.
// "ติดตาม [code]" / "track [code]" and the rich-menu postback `a=status` show status at any time.
import type { Transaction } from 'kysely';
import type { webhook } from '@line/bot-sdk';
import type { Database } from '../../db/schema.ts';
import { listReportableAgencies } from '../../agencies/list-agencies.ts';
import { normalizeReceipt } from '../../crypto/receipt.ts';
import { translator, type Lang, type T } from '../../i18n/messages.ts';
import { CATEGORIES, COMPLAINT_CATEGORIES, TEXT_LIMITS } from '../../intake/limits.ts';
import {
  freshConversation,
  loadConversation,
  saveConversation,
  forgetConversation,
  type Conversation,
} from './conversation-state.ts';
import type { LineDeps } from './deps.ts';
import { fileOnLine } from './file-on-line.ts';
import { languageOf } from './language.ts';
import { staffEvent } from './staff-conversation.ts';
import { acceptPhoto } from './photos.ts';
import { rateOnLine, commentOnLine } from './rate-on-line.ts';
import { mediaButtons, menuButtons, postback, summaryMessage, text, uriButton, type Message } from './replies.ts';
import { myCases, trackByCode } from './track-on-line.ts';

const TRACK = /^\s*(?:ติดตาม|track|status|สถานะ)\s*([0-9๐-๙\s-]*)$/i;
const START = /^\s*(?:ร้องเรียน|แจ้งเรื่อง|complaint|complain|new|เริ่ม|start)\s*$/i;
const CANCEL = /^\s*(?:ยกเลิก|cancel|เริ่มใหม่|restart)\s*$/i;

export { languageOf };

function categoriesOf(kind: Conversation['kind']): readonly string[] {
  return kind === 'tip' ? CATEGORIES : COMPLAINT_CATEGORIES;
}

function summary(t: T, c: Conversation): Message {
  const agency = c.agency ? (c.lang === 'th' ? c.agency.nameTh : c.agency.nameEn) : '';
  const location = c.location
    ? c.location.address || `${c.location.latitude.toFixed(5)}, ${c.location.longitude.toFixed(5)}`
    : null;
  return summaryMessage(
    t,
    {
      kind: t(`line.kind.${c.kind}`),
      agency,
      category: c.category ? t(`line.cat.${c.category}`) : '',
      what: c.what ?? '',
      photos: c.photos.length,
      location,
    },
    [postback(t('line.btn.confirm'), { a: 'confirm' }), postback(t('line.btn.cancel'), { a: 'cancel' })],
  );
}

async function askAgency(deps: LineDeps, lang: Lang, query: string): Promise<Message[]> {
  const t = translator(lang);
  const q = query.normalize('NFC').trim().toLowerCase().slice(0, 100);
  const all = await listReportableAgencies({ db: deps.db });
  const found = all.filter(
    (a) => a.nameTh.toLowerCase().includes(q) || a.nameEn.toLowerCase().includes(q) || a.code.toLowerCase() === q,
  );
  if (found.length === 0) return [text(t('line.agency_none', { query: query.slice(0, 100) }))];
  const shown = found.slice(0, 12);
  const buttons = shown.map((a) =>
    postback(lang === 'th' ? a.nameTh : a.nameEn, { a: 'agency', v: a.code }, lang === 'th' ? a.nameTh : a.nameEn),
  );
  const lines = shown.map((a, i) => `${i + 1}. ${lang === 'th' ? a.nameTh : a.nameEn}`).join('\n');
  const lead =
    found.length > shown.length
      ? t('line.agency_more', { count: shown.length })
      : t('line.agency_pick', { count: found.length });
  return [text(`${lead}\n${lines}`, [...buttons, postback(t('line.btn.cancel'), { a: 'cancel' })])];
}

/** Handles a postback (a button the user tapped). */
async function onPostback(
  trx: Transaction<Database>,
  deps: LineDeps,
  userId: string,
  c: Conversation,
  data: URLSearchParams,
): Promise<Message[]> {
  const t = translator(c.lang);
  const action = data.get('a');
  const value = data.get('v') ?? '';
  switch (action) {
    case 'status':
      return myCases(trx, deps, userId, c.lang);
    case 'new':
      c.step = 'kind';
      return [text(t('line.choose'), menuButtons(t))];
    case 'cancel':
      Object.assign(c, freshConversation(c.lang, c.at));
      return [text(t('line.cancelled'), menuButtons(t))];
    case 'kind':
      if (value !== 'complaint' && value !== 'tip') break;
      Object.assign(c, freshConversation(c.lang, c.at), { kind: value });
      if (value === 'tip') {
        c.step = 'tip_warning';
        const url = `${deps.config.publicUrl}/report`;
        return [
          text(t('line.tip_warning', { url }), [
            postback(t('line.btn.continue'), { a: 'tip_go' }),
            uriButton(t('line.btn.web_form'), url),
            postback(t('line.btn.cancel'), { a: 'cancel' }),
          ]),
        ];
      }
      c.step = 'agency';
      return [text(t('line.ask_agency'))];
    case 'tip_go':
      if (c.step !== 'tip_warning') break;
      c.step = 'agency';
      return [text(t('line.ask_agency'))];
    case 'agency': {
      if (c.step !== 'agency') break;
      const agency = (await listReportableAgencies({ db: deps.db })).find((a) => a.code === value);
      if (!agency) return [text(t('line.ask_agency'))];
      c.agency = { code: agency.code, nameTh: agency.nameTh, nameEn: agency.nameEn };
      c.step = 'category';
      return [
        text(
          t('line.ask_category'),
          categoriesOf(c.kind).map((k) => postback(t(`line.cat.${k}`), { a: 'category', v: k })),
        ),
      ];
    }
    case 'category':
      if (c.step !== 'category' || !categoriesOf(c.kind).includes(value)) break;
      c.category = value;
      c.step = 'what';
      return [text(t('line.ask_what'))];
    case 'done':
      if (c.step !== 'media') break;
      c.step = 'confirm';
      return [summary(t, c)];
    case 'confirm': {
      if (c.step !== 'confirm') break;
      const messages = await fileOnLine(trx, deps, userId, c);
      Object.assign(c, freshConversation(c.lang, c.at));
      return messages;
    }
    case 'rate':
      return rateOnLine(trx, deps, userId, c, data.get('r') ?? '', value);
    case 'skip':
      c.step = 'idle';
      return [text(t('line.rated_comment'), menuButtons(t))];
  }
  return prompt(t, c);
}

/** Repeats what the current step asks for. */
function prompt(t: T, c: Conversation): Message[] {
  switch (c.step) {
    case 'agency':
      return [text(t('line.ask_agency'))];
    case 'what':
      return [text(t('line.ask_what'))];
    case 'media':
      return [text(t('line.ask_media'), mediaButtons(t))];
    case 'confirm':
      return [summary(t, c), text(t('line.confirm_hint'))];
    default:
      return [text(t('line.idle_hint'), menuButtons(t))];
  }
}

/** Handles a text message. */
async function onText(
  trx: Transaction<Database>,
  deps: LineDeps,
  userId: string,
  c: Conversation,
  typed: string,
): Promise<Message[]> {
  c.lang = languageOf(typed, c.lang);
  const t = translator(c.lang);
  const track = TRACK.exec(typed);
  if (track) {
    const code = normalizeReceipt(track[1]);
    if (code) return trackByCode(deps, code, c.lang);
    if (track[1].trim() === '') return myCases(trx, deps, userId, c.lang);
  }
  if (CANCEL.test(typed)) return onPostback(trx, deps, userId, c, new URLSearchParams({ a: 'cancel' }));
  if (START.test(typed)) return onPostback(trx, deps, userId, c, new URLSearchParams({ a: 'new' }));
  const body = typed.normalize('NFC').trim();
  switch (c.step) {
    case 'agency':
      return askAgency(deps, c.lang, body);
    case 'what':
      if (body.length > TEXT_LIMITS.what) return [text(t('line.what_too_long', { max: TEXT_LIMITS.what }))];
      c.what = body;
      c.step = 'media';
      return [text(t('line.ask_media'), mediaButtons(t))];
    case 'media':
      if ((c.what ?? '').length + body.length + 1 > TEXT_LIMITS.what)
        return [text(t('line.what_too_long', { max: TEXT_LIMITS.what }), mediaButtons(t))];
      c.what = `${c.what ?? ''}\n${body}`.trim();
      return [text(t('line.text_added'), mediaButtons(t))];
    case 'rate_comment':
      return commentOnLine(trx, c, body);
    case 'idle':
      c.step = 'kind';
      return [text(t('line.choose'), menuButtons(t))];
    default:
      return prompt(t, c);
  }
}

/**
 * Handles one webhook event of a user in a 1-on-1 chat and returns what to answer (possibly
 * nothing). Group and room events are ignored: complaints are taken one person at a time.
 */
export async function handleEvent(
  trx: Transaction<Database>,
  deps: LineDeps,
  event: webhook.Event,
  now: number,
): Promise<{ userId: string; messages: Message[]; isStaff?: boolean } | null> {
  const source = event.source;
  if (source?.type !== 'user' || !source.userId) return null;
  const userId = source.userId;
  const userHash = deps.keys.userHash(userId);
  if (event.type === 'unfollow') {
    await forgetConversation(trx, userHash);
    return null;
  }
  // A linked staff member's command is answered apart, without the reporters' conversation.
  const staff = await staffEvent(trx, deps, event, userId);
  if (staff) return { ...staff, isStaff: true };
  const c = (await loadConversation(trx, deps.keys, userHash, now)) ?? freshConversation('th', now);
  c.at = now;
  let messages: Message[] = [];
  if (event.type === 'follow') {
    Object.assign(c, freshConversation(c.lang, now), { step: 'kind' });
    const t = translator(c.lang);
    messages = [text(t('line.welcome')), text(t('line.choose'), menuButtons(t))];
  } else if (event.type === 'postback') {
    messages = await onPostback(trx, deps, userId, c, new URLSearchParams(event.postback.data.slice(0, 300)));
  } else if (event.type === 'message') {
    const m = event.message;
    const t = translator(c.lang);
    if (m.type === 'text') messages = await onText(trx, deps, userId, c, m.text);
    else if (m.type === 'image' && c.step === 'media') messages = await acceptPhoto(deps, c, m);
    else if (m.type === 'location' && c.step === 'media') {
      c.location = {
        latitude: m.latitude,
        longitude: m.longitude,
        address: (m.address ?? m.title ?? '').slice(0, TEXT_LIMITS.where),
      };
      messages = [text(t('line.location_saved'), mediaButtons(t))];
    } else if (m.type === 'image' || m.type === 'location') messages = prompt(t, c);
    else messages = [text(t('line.unsupported'), menuButtons(t))];
  } else {
    return null; // join, leave, unsend, beacon, … : nothing to say, nothing kept
  }
  await saveConversation(trx, deps.keys, userHash, c);
  return { userId, messages };
}
