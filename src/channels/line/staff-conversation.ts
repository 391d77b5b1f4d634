// The staff side of the LINE channel, apart from the reporters' conversation: a message is a staff
// command only when it says so ("เชื่อมบัญชี <code>", "บทเรียนวันนี้", "ถามจริยธรรม …", "ยกเลิก
// เชื่อมบัญชี", or a button of these answers, postback data `s=…`). Everything else, and any command
// of a LINE user who is not linked, goes to the reporters' conversation as before: a linked staff
// member still files a complaint or a tip ("ร้องเรียน", the rich menu), and their report is never
// mixed with the staff state (kept sealed in the link row, not in line_conversation). A reporter's
// event is told apart by regular expressions alone: no database round trip is added for it.
import type { Transaction } from 'kysely';
import type { webhook } from '@line/bot-sdk';
import type { Database } from '../../db/schema.ts';
import {
  firstCourse,
  markLessonRead,
  markPractice,
  nextLesson,
  type PracticeItem,
  practiceById,
  practiceItem,
} from '../../ethics/daily.ts';
import { lessonText } from '../../ethics/markdown.ts';
import { QA_LIMITS } from '../../ethics/qa-limits.ts';
import { askQuestion } from '../../ethics/qa-search.ts';
import { sendQuestion } from '../../ethics/questions.ts';
import { AppError } from '../../errors.ts';
import { type Lang, translator, type T } from '../../i18n/messages.ts';
import type { LineDeps } from './deps.ts';
import { sealRoute } from './ethics-answer.ts';
import { languageOf } from './language.ts';
import { clip, postback, text, type Message } from './replies.ts';
import {
  findStaffLink,
  linkByCode,
  normalizeLinkCode,
  saveStaffState,
  type StaffLink,
  unlinkOnLine,
} from './staff-link.ts';

const LINK = /^\s*(?:เชื่อมบัญชี|link)\s*([0-9๐-๙\s-]{1,40})$/i;
const UNLINK = /^\s*(?:ยกเลิกการเชื่อมบัญชี|ยกเลิกเชื่อมบัญชี|unlink)\s*$/i;
const LESSON = /^\s*(?:บทเรียนวันนี้|บทเรียน|lesson|lesson of the day|today'?s lesson)\s*$/i;
const ASK = /^\s*(?:ถามจริยธรรม|ask\s+ethics(?=\s|:|$))[\s:]*([\s\S]*)$/i;
/** Characters of a lesson sent in one message (LINE: 5,000), the rest is on the web page. */
const LESSON_CHARS = 3500;

export type StaffAnswer = { userId: string; messages: Message[] };

const lessonButton = (t: T) => postback(t('line.staff.btn.lesson'), { s: 'lesson' });

/** Today's lesson (marked read), its link, and a practice question as quick replies. */
export async function lessonOfTheDay(trx: Transaction<Database>, deps: LineDeps, link: StaffLink): Promise<Message[]> {
  const lang = link.state.lang;
  const t = translator(lang);
  const learner = { id: link.userId, agencyId: link.agencyId };
  const lesson = await nextLesson(trx, learner);
  const courseId = lesson?.courseId ?? (await firstCourse(trx, learner));
  if (courseId === null) return [text(t('line.staff.no_course'))];
  const messages: Message[] = [];
  if (lesson) {
    await markLessonRead(trx, link.userId, lesson.lessonId, 'line');
    const body = lessonText(lang === 'th' ? lesson.bodyTh : lesson.bodyEn);
    const course = lang === 'th' ? lesson.courseTh : lesson.courseEn;
    const title = lang === 'th' ? lesson.titleTh : lesson.titleEn;
    const url = `${deps.config.publicUrl}/staff/ethics/learn/${lesson.courseId}/lessons/${lesson.position}`;
    messages.push(text(`${t('line.staff.lesson', { course, title })}\n\n${clip(body.text, LESSON_CHARS)}`));
    messages.push(text(t(body.hasImages ? 'line.staff.lesson_images' : 'line.staff.lesson_link', { url })));
  } else messages.push(text(t('line.staff.all_read')));
  const item = await practiceItem(trx, learner, courseId);
  if (!item) {
    messages.push(text(t('line.staff.no_practice')));
    link.state.practice = undefined;
    return messages;
  }
  link.state.practice = item.id;
  link.state.picked = undefined;
  messages.push(practiceMessage(t, lang, item, undefined));
  return messages;
}

/**
 * A practice question with its options as buttons. One answer: a button answers. Several: a button
 * chooses or unchooses its option (☑ / ☐), and "send the answer" marks the options chosen together.
 */
function practiceMessage(t: T, lang: Lang, item: PracticeItem, picked: number[] | undefined): Message {
  const options = item.options.map((o) => (lang === 'th' ? o.th : o.en));
  const stem = lang === 'th' ? item.stemTh : item.stemEn;
  const list = options.map((o, i) => `${i + 1}. ${o}`).join('\n');
  const id = String(item.id);
  if (item.kind !== 'multiple')
    return text(
      `${t('line.staff.practice')}\n${stem}\n\n${list}`,
      options.map((o, i) => postback(`${i + 1}. ${o}`, { s: 'ans', i: id, o: String(i) }, o)),
    );
  const chosen = picked ?? [];
  const status =
    chosen.length === 0
      ? t('line.staff.multiple_hint')
      : t('line.staff.multiple_chosen', { chosen: chosen.map((i) => i + 1).join(', ') });
  return text(`${t('line.staff.practice')}\n${stem}\n\n${list}\n\n${status}`, [
    ...options.map((o, i) =>
      postback(
        `${chosen.includes(i) ? '☑' : '☐'} ${i + 1}. ${o}`,
        { s: 'pick', i: id, o: String(i) },
        `${i + 1}. ${o}`,
      ),
    ),
    ...(chosen.length > 0 ? [postback(t('line.staff.btn.send_answer'), { s: 'ans', i: id, m: '1' })] : []),
  ]);
}

/** Chooses or unchooses an option of the multiple-choice practice question offered, and shows it again. */
async function onPick(trx: Transaction<Database>, link: StaffLink, data: URLSearchParams): Promise<Message[]> {
  const lang = link.state.lang;
  const t = translator(lang);
  const itemId = Number(data.get('i'));
  const item =
    link.state.practice === itemId
      ? await practiceById(trx, { id: link.userId, agencyId: link.agencyId }, itemId)
      : null;
  const option = /^\d{1,2}$/.test(data.get('o') ?? '') ? Number(data.get('o')) : -1;
  if (item?.kind !== 'multiple' || option < 0 || option >= item.options.length)
    return [text(t('line.staff.practice_stale'), [lessonButton(t)])];
  const was = link.state.picked ?? [];
  link.state.picked = (was.includes(option) ? was.filter((i) => i !== option) : [...was, option]).sort((a, b) => a - b);
  return [practiceMessage(t, lang, item, link.state.picked)];
}

/** Marks the answer to the practice question offered (and only that one). */
async function onAnswer(trx: Transaction<Database>, link: StaffLink, data: URLSearchParams): Promise<Message[]> {
  const lang = link.state.lang;
  const t = translator(lang);
  const itemId = Number(data.get('i'));
  if (!link.state.practice || link.state.practice !== itemId)
    return [text(t('line.staff.practice_stale'), [lessonButton(t)])];
  // One option named by the button, or the options chosen so far of a multiple-choice question.
  const chosen = data.has('o')
    ? [/^\d{1,2}$/.test(data.get('o') ?? '') ? Number(data.get('o')) : -1]
    : data.get('m') === '1'
      ? (link.state.picked ?? [])
      : [];
  const mark = await markPractice(trx, { id: link.userId, agencyId: link.agencyId }, itemId, chosen).catch(
    (e: unknown) => {
      if (e instanceof AppError && e.code === 'not_found') return null;
      throw e;
    },
  );
  if (!mark) return [text(t('line.staff.practice_stale'), [lessonButton(t)])];
  link.state.practice = undefined;
  link.state.picked = undefined;
  const feedback = lang === 'th' ? mark.feedbackTh : mark.feedbackEn;
  const correct = mark.correct.map((o) => (lang === 'th' ? o.th : o.en)).join(', ');
  const lines = [
    t(mark.isCorrect ? 'line.staff.right' : mark.mark > 0 ? 'line.staff.partly' : 'line.staff.wrong'),
    feedback,
    mark.isCorrect ? '' : t('line.staff.correct_is', { answer: correct }),
  ];
  return [text(lines.filter(Boolean).join('\n'), [lessonButton(t)])];
}

/** Answers an ethics question from the agency's knowledge base; below the threshold, offers to send it on. */
async function onAsk(trx: Transaction<Database>, link: StaffLink, question: string): Promise<Message[]> {
  const t = translator(link.state.lang);
  const q = question.trim();
  if (q === '') return [text(t('line.staff.ask_hint'))];
  if (question.length > QA_LIMITS.question) return [text(t('line.staff.ask_too_long', { max: QA_LIMITS.question }))];
  const answer = await askQuestion({ db: trx, actor: { agencyId: link.agencyId }, question: q });
  if (!answer.isKnown) {
    link.state.pending = q;
    return [
      text(t('line.staff.unknown'), [
        postback(t('line.staff.btn.send_named'), { s: 'send', anon: '0' }),
        postback(t('line.staff.btn.send_anon'), { s: 'send', anon: '1' }),
        postback(t('line.staff.btn.drop'), { s: 'drop' }),
      ]),
    ];
  }
  link.state.pending = undefined;
  const quoted = answer.passages.slice(0, 3).map((p) => {
    const where = [p.label, p.source, p.url].filter(Boolean).join('\n');
    const unconfirmed = p.isConfirmed ? '' : `\n${t('line.staff.unconfirmed')}`;
    return text(`“${clip(p.body, 1500)}”\n— ${p.title}\n${where}${unconfirmed}`);
  });
  return [text(t('line.staff.known', { count: quoted.length })), ...quoted];
}

/** Sends the pending question to the agency's ethics officers, named or anonymous. */
async function onSend(
  trx: Transaction<Database>,
  deps: LineDeps,
  lineUserId: string,
  link: StaffLink,
  isAnonymous: boolean,
): Promise<Message[]> {
  const t = translator(link.state.lang);
  const question = link.state.pending;
  if (!question) return [text(t('line.staff.nothing_pending'))];
  if (!link.publicKey) return [text(t('error.forbidden'))];
  const { code } = await sendQuestion(
    {
      db: trx,
      actor: { id: link.userId, agencyId: link.agencyId, keys: { publicKey: link.publicKey } },
      question,
      isAnonymous,
      channel: 'line',
      route: sealRoute(deps.keys, lineUserId, link.state.lang),
    },
    { kdf: deps.config.kdf, receiptSalt: deps.secrets.receiptSalt },
  );
  link.state.pending = undefined;
  return [text(code ? t('line.staff.sent_anon', { code }) : t('line.staff.sent_named'))];
}

/** A command of a linked staff member (text already known to be one, or a staff postback). */
async function onCommand(
  trx: Transaction<Database>,
  deps: LineDeps,
  lineUserId: string,
  link: StaffLink,
  command: { text?: string; data?: URLSearchParams },
): Promise<Message[]> {
  const t = translator(link.state.lang);
  const typed = command.text ?? '';
  const ask = ASK.exec(typed);
  if (UNLINK.test(typed)) {
    await unlinkOnLine(trx, link);
    return [text(t('line.staff.unlinked'))];
  }
  if (ask) return onAsk(trx, link, ask[1]);
  const action = command.data?.get('s');
  if (LESSON.test(typed) || action === 'lesson') return lessonOfTheDay(trx, deps, link);
  if (action === 'ans' && command.data) return onAnswer(trx, link, command.data);
  if (action === 'pick' && command.data) return onPick(trx, link, command.data);
  if (action === 'send') return onSend(trx, deps, lineUserId, link, command.data?.get('anon') === '1');
  if (action === 'drop') {
    link.state.pending = undefined;
    return [text(t('line.staff.dropped'))];
  }
  return [text(t('line.staff.help'), [lessonButton(t)])];
}

const OUTCOME_KEYS = {
  linked: 'line.staff.linked',
  already: 'line.staff.already',
  other: 'line.staff.other',
  wrong: 'line.staff.wrong_code',
  throttled: 'line.staff.throttled',
} as const;

/**
 * Handles the event when it is a staff command, inside the event's transaction; null when it is
 * not one (or its sender is not linked): the reporters' conversation takes it.
 */
/**
 * Whether an event may be a staff command, by its text or postback alone (no database): null for
 * every reporter event, which then costs the regular expressions and nothing else.
 */
export function staffCommandOf(
  event: webhook.Event,
): { typed: string | null; data: URLSearchParams | null; code: string | null } | null {
  if (event.type === 'postback')
    return event.postback.data.startsWith('s=')
      ? { typed: null, data: new URLSearchParams(event.postback.data.slice(0, 300)), code: null }
      : null;
  if (event.type !== 'message' || event.message.type !== 'text') return null;
  const typed = event.message.text;
  const code = LINK.exec(typed);
  if (code) return { typed, data: null, code: code[1] };
  return UNLINK.test(typed) || LESSON.test(typed) || ASK.test(typed) ? { typed, data: null, code: null } : null;
}

export async function staffEvent(
  trx: Transaction<Database>,
  deps: LineDeps,
  event: webhook.Event,
  lineUserId: string,
): Promise<StaffAnswer | null> {
  const command = staffCommandOf(event);
  if (!command) return null;
  const { typed, data } = command;
  if (typed !== null && command.code !== null) {
    const outcome = await linkByCode(trx, deps.keys, lineUserId, normalizeLinkCode(command.code));
    const t = translator(languageOf(typed, 'th'));
    return { userId: lineUserId, messages: [text(t(OUTCOME_KEYS[outcome]))] };
  }
  const link = await findStaffLink(trx, deps.keys, lineUserId);
  if (!link) return null;
  if (typed !== null) link.state.lang = languageOf(ASK.exec(typed)?.[1]?.trim() || typed, link.state.lang);
  // A refusal of the domain (no ethics officer to send to, no agency) is an answer, not a failed
  // event to retry: it is thrown before anything is written.
  const messages = await onCommand(trx, deps, lineUserId, link, {
    text: typed ?? undefined,
    data: data ?? undefined,
  }).catch((e: unknown) => {
    if (!(e instanceof AppError) || e.code === 'internal') throw e;
    return [text(translator(link.state.lang)(e.userMessage))];
  });
  if (!UNLINK.test(typed ?? '')) await saveStaffState(trx, deps.keys, link.userId, link.state);
  return { userId: lineUserId, messages };
}
