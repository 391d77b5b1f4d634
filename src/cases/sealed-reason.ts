// A reason sealed to named staff members, each with their own sealed box (a JSON object: user id →
// box, sealed to their X25519 public key): identity requests and their decisions, and a case's
// conclusion for the supervisors who approve it. Who is not named cannot open it.
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import type { StaffActor } from '../staff/session.ts';

/** The reason, sealed to each reader (a staff member's id, or `team` for the case team's public key). */
export function sealReason(readers: { id: number | 'team'; publicKey: Buffer }[], reason: string): Buffer {
  const out: Record<string, string> = {};
  for (const r of readers) out[String(r.id)] = sealTo(r.publicKey, Buffer.from(reason, 'utf8')).toString('base64');
  return Buffer.from(JSON.stringify(out), 'utf8');
}

/** Opens a reason sealed by `sealReason` for a staff member, or null when not sealed to them. */
export function openReason(actor: StaffActor, sealed: Buffer | null): string | null {
  if (!sealed) return null;
  const box = (JSON.parse(sealed.toString('utf8')) as Record<string, string>)[String(actor.id)];
  return box ? openSealed(actor.keys, Buffer.from(box, 'base64')).toString('utf8') : null;
}
