import { AppError } from '../errors.ts';
import type { Db } from '../db/connection.ts';

export type AgencyInput = { code: string; nameTh: string; nameEn: string; isIntakeOffice?: boolean };

/** Adds an agency. Codes are unique (constraint); only one agency may be the intake office. */
export async function addAgency({ db, agency }: { db: Db; agency: AgencyInput }): Promise<{ id: number }> {
  const code = agency.code.trim().toUpperCase();
  // Every field at fault at once, so the form marks them all.
  const errors: Record<string, string> = {};
  if (!/^[A-Z0-9][A-Z0-9_-]{1,15}$/.test(code)) errors.code = code ? 'admin.error.code_format' : 'error.field.required';
  for (const k of ['nameTh', 'nameEn'] as const) if (!agency[k].trim()) errors[k] = 'error.field.required';
  if (Object.keys(errors).length > 0)
    throw new AppError(
      'invalid_input',
      'an agency needs a code of 2-16 letters, digits, - or _, and a Thai and an English name',
      'error.form',
      errors,
    );
  try {
    return await db
      .insertInto('agency')
      .values({
        code,
        name_th: agency.nameTh.trim(),
        name_en: agency.nameEn.trim(),
        is_intake_office: agency.isIntakeOffice ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  } catch (e) {
    if ((e as { code?: string }).code === '23505') {
      // Without the intake office flag, only the code can be taken.
      throw new AppError(
        'conflict',
        `agency ${code} exists, or an intake office is already set`,
        'error.conflict',
        agency.isIntakeOffice ? {} : { code: 'admin.error.code_taken' },
      );
    }
    throw e;
  }
}
