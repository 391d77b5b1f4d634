// The official SDK's clients for the Messaging API, pointed at LINE_API_BASE when it is set (a
// proxy, or the local stand-in the tests run).
import { messagingApi } from '@line/bot-sdk';
import type { LineConfig } from '../../config/load.ts';

export type LineClients = { api: messagingApi.MessagingApiClient; blob: messagingApi.MessagingApiBlobClient };

export function lineClients(line: LineConfig): LineClients {
  const base = line.apiBase ? { baseURL: line.apiBase } : {};
  return {
    api: new messagingApi.MessagingApiClient({ channelAccessToken: line.accessToken, ...base }),
    blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken: line.accessToken, ...base }),
  };
}
