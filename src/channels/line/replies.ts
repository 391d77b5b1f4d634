// The messages the LINE conversation sends: text with quick replies, and the Flex summary to
// confirm. LINE's limits are kept here: 13 quick-reply items, 20-character labels, 300-character
// postback data, 5,000-character texts, 400-character alt texts.
import type { messagingApi } from '@line/bot-sdk';
import type { T } from '../../i18n/messages.ts';

export type Message = messagingApi.Message;
export type QuickItem = messagingApi.QuickReplyItem;

const MAX_TEXT = 5000;

/** Cuts a text to `max` characters (code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function text(body: string, quick: QuickItem[] = []): Message {
  return {
    type: 'text',
    text: clip(body, MAX_TEXT),
    ...(quick.length > 0 ? { quickReply: { items: quick.slice(0, 13) } } : {}),
  } as messagingApi.TextMessage;
}

/** A quick-reply button sending a postback; `display` is what appears in the chat as the user's message. */
export function postback(label: string, data: Record<string, string>, display = label): QuickItem {
  return {
    type: 'action',
    action: {
      type: 'postback',
      label: clip(label, 20),
      data: new URLSearchParams(data).toString().slice(0, 300),
      displayText: clip(display, 300),
    } as messagingApi.PostbackAction,
  };
}

export function uriButton(label: string, uri: string): QuickItem {
  return { type: 'action', action: { type: 'uri', label: clip(label, 20), uri } as messagingApi.URIAction };
}

export function locationButton(label: string): QuickItem {
  return { type: 'action', action: { type: 'location', label: clip(label, 20) } as messagingApi.LocationAction };
}

export function photoButton(label: string): QuickItem {
  return { type: 'action', action: { type: 'cameraRoll', label: clip(label, 20) } as messagingApi.CameraRollAction };
}

/** The main menu: complaint, tip, follow my cases. */
export function menuButtons(t: T): QuickItem[] {
  return [
    postback(t('line.btn.complaint'), { a: 'kind', v: 'complaint' }),
    postback(t('line.btn.tip'), { a: 'kind', v: 'tip' }),
    postback(t('line.btn.status'), { a: 'status' }),
  ];
}

/** The photo and location step: send a photo, share the location, done. */
export function mediaButtons(t: T): QuickItem[] {
  return [
    photoButton(t('line.btn.photo')),
    locationButton(t('line.btn.location')),
    postback(t('line.btn.done'), { a: 'done' }),
  ];
}

export type Summary = {
  kind: string;
  agency: string;
  category: string;
  what: string;
  photos: number;
  location: string | null;
};

/** The summary to confirm, as a Flex bubble of label/value rows. */
export function summaryMessage(t: T, s: Summary, quick: QuickItem[]): Message {
  const row = (label: string, value: string): messagingApi.FlexBox => ({
    type: 'box',
    layout: 'baseline',
    spacing: 'sm',
    contents: [
      { type: 'text', text: label, size: 'sm', color: '#555555', flex: 2, wrap: true } as messagingApi.FlexText,
      {
        type: 'text',
        text: clip(value || t('line.summary.none'), 500),
        size: 'sm',
        color: '#111111',
        flex: 5,
        wrap: true,
      } as messagingApi.FlexText,
    ],
  });
  const bubble: messagingApi.FlexBubble = {
    type: 'bubble',
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'md',
      contents: [
        {
          type: 'text',
          text: t('line.summary_title'),
          weight: 'bold',
          size: 'lg',
          wrap: true,
        } as messagingApi.FlexText,
        row(t('line.summary.kind'), s.kind),
        row(t('line.summary.agency'), s.agency),
        row(t('line.summary.category'), s.category),
        row(t('line.summary.what'), s.what),
        row(t('line.summary.photos'), String(s.photos)),
        row(t('line.summary.location'), s.location ?? ''),
      ],
    },
  };
  return {
    type: 'flex',
    altText: clip(t('line.summary_alt'), 400),
    contents: bubble,
    quickReply: { items: quick.slice(0, 13) },
  } as messagingApi.FlexMessage;
}
