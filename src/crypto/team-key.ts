// The team key of a case: held by the staff the case is sealed to, never by the reporter or a
// witness. Its X25519 key pair (derived from it) lets anyone seal something to the team, such as
// the reason of a transition written by a supervisor who does not hold the case's keys. Kept with
// the crypto: filing (intake), handling (cases) and the ledger's openings all seal to it.
import { randomBytes } from 'node:crypto';
import { hkdfSync } from 'node:crypto';
import { keyPairFromSeed, openSealed, sealTo, type KeyPair } from './sealed-box.ts';

export function newTeamKey(): Buffer {
  return randomBytes(32);
}

export function teamKeyPair(teamKey: Buffer): KeyPair {
  return keyPairFromSeed(Buffer.from(hkdfSync('sha256', teamKey, Buffer.alloc(0), 'sujarit/v1/case-team-pair', 32)));
}

/** Seals a value to the team, bound to `context` (a sealed box has no associated data of its own). */
export function sealToTeam(teamPublicKey: Buffer, context: string, value: unknown): Buffer {
  return sealTo(teamPublicKey, Buffer.from(JSON.stringify({ c: context, v: value }), 'utf8'));
}

export function openFromTeam<T>(teamKey: Buffer, context: string, sealed: Buffer): T {
  const { c, v } = JSON.parse(openSealed(teamKeyPair(teamKey), sealed).toString('utf8')) as { c: string; v: T };
  if (c !== context) throw new Error(`sealed for ${c}, not ${context}`);
  return v;
}
