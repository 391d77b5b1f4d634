// The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30 s, as every authenticator app reads it)
// and ten one-time recovery codes. The TOTP secret is kept sealed to the user's own public key, so
// only a login that has just opened the private key with the password can check a code.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_ISSUER = 'Sujarit';
export const RECOVERY_CODE_COUNT = 10;

function totpOf(secret: Buffer, label = 'staff'): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
  });
}

export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The otpauth:// URI an authenticator app scans, and the same as an SVG QR code. */
export async function enrolmentOf(
  secret: Buffer,
  email: string,
): Promise<{ uri: string; base32: string; qrSvg: string }> {
  const totp = totpOf(secret, email);
  const uri = totp.toString();
  return {
    uri,
    base32: totp.secret.base32,
    qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
  };
}

/** The code for a time (tests and the enrolment check use it). */
export function totpCode(secret: Buffer, at = Date.now()): string {
  return totpOf(secret).generate({ timestamp: at });
}

/**
 * Checks a code against the secret, one step either side, and returns the time step it matched
 * (to refuse its reuse: a step at or before `lastStep` is refused), or null.
 */
export function checkTotp(secret: Buffer, code: string, lastStep: number | null, at = Date.now()): number | null {
  const digits = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(digits)) return null;
  const delta = totpOf(secret).validate({ token: digits, timestamp: at, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(at / 30_000) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

/** Recovery codes: ten codes of 4 groups of 4 digits (easy to read aloud, ~53 bits each). */
export function newRecoveryCodes(): string[] {
  const group = () => String(randomInt(0, 10_000)).padStart(4, '0');
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => `${group()}-${group()}-${group()}-${group()}`);
}

export function recoveryHash(code: string): Buffer {
  return createHash('sha256')
    .update(`sujarit/v1/recovery\n${code.replace(/[^0-9]/g, '')}`)
    .digest();
}

export function looksLikeRecoveryCode(code: string): boolean {
  return code.replace(/[^0-9]/g, '').length === 16;
}
