// Filing from a web form: a tip (the report form) or a named complaint or late permit (the complaint
// forms). The fields are checked here, then filed as any other channel files (submit-report.ts).
import { submitReport } from './submit-report.ts';
import { validateComplaint } from './validate-complaint.ts';
import { validateReport } from './validate-report.ts';

export type FormKind = 'tip' | 'complaint' | 'permit';

/** Checks the fields as fileForm does, without filing: throws AppError('invalid_input') naming every field at fault. */
export function checkForm(kind: FormKind, fields: Record<string, unknown>): void {
  if (kind === 'tip') validateReport(fields);
  else validateComplaint(fields, kind, { isNamed: true });
}

/**
 * Validates the posted fields of `kind` (AppError 'invalid_input' naming every field at fault;
 * nothing stored) and files them. Resolves after the commit, like submitReport.
 */
export async function fileForm({
  kind,
  fields,
  ...rest
}: Omit<Parameters<typeof submitReport>[0], 'input' | 'complaint'> & {
  kind: FormKind;
  fields: Record<string, unknown>;
}): ReturnType<typeof submitReport> {
  if (kind === 'tip') return submitReport({ ...rest, input: validateReport(fields) });
  const { report, complaint } = validateComplaint(fields, kind, { isNamed: true });
  return submitReport({ ...rest, input: report, complaint });
}
