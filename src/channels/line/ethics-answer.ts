// The LINE route of an ethics question: who on LINE asked it (their user id and language), sealed
// under the channel key, then by questions.ts under the question's own key. No LINE id, hash or
// staff id sits beside an anonymous question: only an officer answering it (or its code) opens the
// outer seal, and only the server (secrets.json) the inner one. The answer is pushed through the
// outbox in the answering transaction.
import type { DeliverAnswer } from '../../ethics/questions.ts';
import { type Lang, translator } from '../../i18n/messages.ts';
import { openForChannel, sealForChannel, type ChannelKeys } from './channel-key.ts';
import { enqueue } from './outbox.ts';
import { clip, text } from './replies.ts';

const ROUTE_AAD = 'line-ethics-route';

/** The inner seal of a question's LINE route. */
export function sealRoute(keys: ChannelKeys, lineUserId: string, lang: Lang): Buffer {
  return sealForChannel(keys, ROUTE_AAD, { u: lineUserId, l: lang });
}

/** Pushes an officer's answer to the LINE user who asked (questions.ts answerQuestion's `deliver`). */
export function lineAnswerDeliverer(keys: ChannelKeys): DeliverAnswer {
  return async (trx, d) => {
    const route = openForChannel<{ u: string; l: Lang }>(keys, ROUTE_AAD, d.route);
    const t = translator(route.l);
    await enqueue(trx, keys, {
      to: route.u,
      replyToken: null,
      messages: [text(t('line.staff.answer', { question: clip(d.question, 500), answer: d.answer }))],
    });
  };
}
