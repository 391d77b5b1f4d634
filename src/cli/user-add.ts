import { parseArgs } from 'node:util';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import { STAFF_ROLES } from '../db/schema.ts';
import { addStaffUser } from '../staff/add-user.ts';

/** The roles from the schema's one list, so a role added there (risk_officer, risk_reviewer, …) is named here too. */
export const usage = `user add --agency CODE|- --email EMAIL --role ROLE[,ROLE…] [--name "NAME"] --password-stdin   (roles: platform_admin (agency -), ${STAFF_ROLES.filter((r) => r !== 'platform_admin').join(', ')})`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function userAdd(db: Db, kdf: KdfParams, args: string[], readPassword = readStdin): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      agency: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  if (!values.agency || !values.email || !values.role || !values['password-stdin']) throw new Error(`usage: ${usage}`);
  const password = await readPassword();
  await addStaffUser({
    db,
    kdf,
    agencyCode: values.agency === '-' ? null : values.agency,
    email: values.email,
    roles: values.role.split(','),
    password,
    displayName: values.name ?? '',
  });
  return `user ${values.email.toLowerCase()} added to ${values.agency.toUpperCase()} as ${values.role}; they enrol their second factor (TOTP) at first login`;
}
