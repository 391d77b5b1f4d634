// How a case's keys are held. A case has a content key (report, messages, attachments) and, when
// the reporter identified themselves, a separate identity key, so identity can be disclosed apart.
import type { KeyObject } from 'node:crypto';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';

export type CaseKeys = { content: Buffer; identity: Buffer | null };

export function contentAad(caseId: string): string {
  return `case-content/${caseId}`;
}
export function identityAad(caseId: string): string {
  return `case-identity/${caseId}`;
}
export function messageAad(caseId: string, messageId: string): string {
  return `case-message/${caseId}/${messageId}`;
}

/** The case keys wrapped by the reporter's receipt-derived key. */
export function wrapForReporter(reporterKey: Buffer, caseId: string, keys: CaseKeys): Buffer {
  return sealJson(
    aeadKey(reporterKey),
    { c: keys.content.toString('base64'), i: keys.identity?.toString('base64') ?? null },
    `reporter-keys/${caseId}`,
  );
}

export function unwrapForReporter(reporterKey: Buffer | KeyObject, caseId: string, wrapped: Buffer): CaseKeys {
  const key = Buffer.isBuffer(reporterKey) ? aeadKey(reporterKey) : reporterKey;
  const v = openJson<{ c: string; i: string | null }>(key, wrapped, `reporter-keys/${caseId}`);
  return { content: Buffer.from(v.c, 'base64'), identity: v.i ? Buffer.from(v.i, 'base64') : null };
}
