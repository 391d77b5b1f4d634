import { AppError } from '../errors.ts';
import type { Db } from '../db/connection.ts';

export type AgencyInput = { code: string; nameTh: string; nameEn: string; isIntakeOffice?: boolean };

/** Adds an agency. Codes are unique (constraint); only one agency may be the intake office. */
export async function addAgency({ db, agency }: { db: Db; agency: AgencyInput }): Promise<{ id: number }> {
  const code = agency.code.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9_-]{1,15}$/.test(code)) {
    throw new AppError('invalid_input', 'agency code must be 2-16 letters, digits, - or _', 'error.form', {
      code: 'error.field.invalid',
    });
  }
  const missing = (['nameTh', 'nameEn'] as const).filter((k) => !agency[k].trim());
  if (missing.length > 0) {
    throw new AppError(
      'invalid_input',
      'agency needs a Thai and an English name',
      'error.form',
      Object.fromEntries(missing.map((k) => [k, 'error.field.required'])),
    );
  }
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
