// The Content-Security-Policy of every page (helmet, app.ts): nothing but same-origin styles and
// images, and no script at all. One exception: a report or complaint form shown under load allows
// its same-origin proof-of-work script (static/filing-pow.js), which only shortens the wait; every
// other page, and those forms under normal load, keep script-src 'none'.
import type { FastifyReply } from 'fastify';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  scriptSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const WITH_SCRIPT = Object.entries({ ...CSP_DIRECTIVES, scriptSrc: ["'self'"] })
  .map(([k, v]) => `${kebab(k)} ${v.join(' ')}`)
  .join(';');

/** Lets this response run same-origin scripts (the filing proof of work); nothing else changes. */
export function allowSameOriginScript(reply: FastifyReply): void {
  reply.header('content-security-policy', WITH_SCRIPT);
}

const EMBEDDABLE = Object.entries({ ...CSP_DIRECTIVES, frameAncestors: ['*'] })
  .map(([k, v]) => `${kebab(k)} ${v.join(' ')}`)
  .join(';');

/**
 * Lets any site frame this response (a scorecard's embed page: read-only, no form, no script):
 * frame-ancestors * instead of 'none', and no X-Frame-Options. Nothing else changes.
 */
export function allowEmbedding(reply: FastifyReply): void {
  reply.header('content-security-policy', EMBEDDABLE);
  reply.removeHeader('x-frame-options');
}
