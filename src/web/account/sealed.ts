// State a staff page hands to the next request without storing it: the TOTP secret between the
// enrolment page and its POST (a hidden field), and the one-time answer of a POST that the GET page
// after its redirect shows (a cookie on that page's path): new recovery codes, an invitation's setup
// link. Sealed (AEAD) under a key of its own for each purpose, derived from the platform's cookie
// key with HKDF, bound to the user and to an expiry: nothing of it is stored in clear anywhere,
// and a value sealed for one user, purpose or moment opens for no other.
import { hkdfSync } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { aeadKey, openJson, sealJson } from '../../crypto/aead.ts';

type Envelope<T> = { v: T; e: number };

export type Sealer<T> = {
  /** `value` sealed for `userId`, valid `minutes`, as base64url. */
  seal(userId: number, value: T): string;
  /** The value, or null when it is not a string this sealed for `userId`, or has expired. */
  open(userId: number, sealed: unknown): T | null;
};

/** A sealer for one purpose (`totp-enrolment`, `recovery-codes`, …), its values valid `minutes`. */
export function sealerOf<T>(cookieKey: Buffer, purpose: string, minutes: number, maxLength = 4000): Sealer<T> {
  const key = aeadKey(Buffer.from(hkdfSync('sha256', cookieKey, Buffer.alloc(0), `sujarit/v1/${purpose}`, 32)));
  return {
    seal: (userId, value) =>
      sealJson(
        key,
        { v: value, e: Date.now() + minutes * 60_000 } satisfies Envelope<T>,
        `${purpose}/${userId}`,
      ).toString('base64url'),
    open: (userId, sealed) => {
      if (typeof sealed !== 'string' || sealed.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
      try {
        const got = openJson<Envelope<T>>(key, Buffer.from(sealed, 'base64url'), `${purpose}/${userId}`);
        return got.e > Date.now() ? got.v : null;
      } catch {
        return null;
      }
    },
  };
}

/**
 * A POST's one-time answer for the GET page at `path`: set before the redirect, read by the page
 * (so it survives a reload and a change of language), cleared when the user is done with it.
 */
export function resultCookie<T>(
  cookieKey: Buffer,
  opts: { name: string; path: string; purpose: string; minutes: number; isSecure: boolean },
) {
  const sealer = sealerOf<T>(cookieKey, opts.purpose, opts.minutes);
  return {
    set(reply: FastifyReply, userId: number, value: T): void {
      reply.setCookie(opts.name, sealer.seal(userId, value), {
        path: opts.path,
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.isSecure,
        maxAge: opts.minutes * 60,
      });
    },
    read(req: FastifyRequest, userId: number): T | null {
      return sealer.open(userId, req.cookies[opts.name]);
    },
    clear(reply: FastifyReply): void {
      reply.clearCookie(opts.name, { path: opts.path });
    },
  };
}
