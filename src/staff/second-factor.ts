// The second factor of a staff account: enrolling an authenticator app (TOTP) and the recovery
// codes that stand in for it, each usable once. Changing either takes the password again: a stolen
// session alone must not be able to swap the owner's authenticator or mint codes for the thief.
import { sealTo } from '../crypto/sealed-box.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { checkCurrentPassword, type PasswordCheck, type StaffActor } from './session.ts';
import { checkTotp, newRecoveryCodes, recoveryHash } from './totp.ts';

type Checked = PasswordCheck & { actor: StaffActor };

/**
 * Enrols the second factor: the code typed from the app proves the secret was scanned. Returns the
 * recovery codes, shown once. Replaces any earlier enrolment and its recovery codes.
 */
export async function enrolTotp({
  db,
  kdf,
  limits,
  actor,
  secret,
  code,
  currentPassword = '',
}: Checked & { secret: Buffer; code: string; currentPassword?: string }): Promise<string[]> {
  if (actor.isEnrolled) await checkCurrentPassword({ db, kdf, limits, actor }, currentPassword, 'second_factor');
  const step = checkTotp(secret, code, null);
  if (step === null)
    throw new AppError('invalid_input', 'the code does not match', 'error.login_code', { code: 'error.login_code' });
  const codes = newRecoveryCodes();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_user')
      .set({
        totp_sealed: sealTo(actor.keys.publicKey, secret),
        totp_last_step: step,
        recovery_hashes: codes.map(recoveryHash),
      })
      .where('id', '=', actor.id)
      .execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'second_factor_enrolled' });
  });
  return codes;
}

/**
 * New recovery codes in place of every earlier one (used or not), for a user who has spent some or
 * fears they were seen. Takes the current password. Returns the codes, to be shown once. Audited.
 */
export async function renewRecoveryCodes({
  db,
  kdf,
  limits,
  actor,
  currentPassword,
}: Checked & { currentPassword: string }): Promise<string[]> {
  if (!actor.isEnrolled)
    throw new AppError('conflict', 'no second factor to renew the codes of', 'totp.recovery.not_enrolled');
  await checkCurrentPassword({ db, kdf, limits, actor }, currentPassword, 'recovery_codes');
  const codes = newRecoveryCodes();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_user')
      .set({ recovery_hashes: codes.map(recoveryHash) })
      .where('id', '=', actor.id)
      .execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'recovery_codes_renewed' });
  });
  return codes;
}
