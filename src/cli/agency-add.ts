import { parseArgs } from 'node:util';
import { addAgency } from '../agencies/add-agency.ts';
import type { Db } from '../db/connection.ts';

export const usage = 'agency add --code CODE --name-th "ชื่อ" --name-en "Name" [--intake-office]';

export async function agencyAdd(db: Db, args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      code: { type: 'string' },
      'name-th': { type: 'string' },
      'name-en': { type: 'string' },
      'intake-office': { type: 'boolean' },
    },
  });
  if (!values.code || !values['name-th'] || !values['name-en']) throw new Error(`usage: ${usage}`);
  await addAgency({
    db,
    agency: {
      code: values.code,
      nameTh: values['name-th'],
      nameEn: values['name-en'],
      isIntakeOffice: values['intake-office'],
    },
  });
  return `agency ${values.code.toUpperCase()} added${values['intake-office'] ? ' as the platform intake office' : ''}`;
}
