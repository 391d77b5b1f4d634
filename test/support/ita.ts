// The people of the ITA tests: two agencies (OPDC, NACC) and the roles that matter, seeded and
// signed in either as the domain sees them (actors) or as a browser would (cookie jars).
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/db/connection.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import type { StaffActor } from '../../src/staff/session.ts';
import { loginCode, PASSWORD, seedAgency, seedStaff, signedInActor } from './app.ts';
import { csrfOf, get, newJar, postForm, type Jar } from './web.ts';

export type Person = readonly [email: string, agency: 'OPDC' | 'NACC', roles: readonly StaffRole[]];

/** An administrator and an assessor of OPDC, an OPDC investigator (no ITA role), and NACC's administrator-assessor. */
export const ITA_PEOPLE: readonly Person[] = [
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['assessor@opdc.example', 'OPDC', ['ita_assessor']],
  ['inv@opdc.example', 'OPDC', ['investigator']],
  ['admin@nacc.example', 'NACC', ['agency_admin', 'ita_assessor']],
];

/** Seeds OPDC, NACC and `people`; returns their user ids by email. */
export async function seedItaPeople(db: Db, people: readonly Person[] = ITA_PEOPLE): Promise<Record<string, number>> {
  await seedAgency(db, 'OPDC');
  await seedAgency(db, 'NACC');
  const ids: Record<string, number> = {};
  for (const [email, agency, roles] of people) ids[email] = (await seedStaff(db, agency, email, [...roles])).id;
  return ids;
}

/** Seeds them and signs each in: email → actor. */
export async function itaActors(db: Db, people: readonly Person[] = ITA_PEOPLE): Promise<Record<string, StaffActor>> {
  await seedItaPeople(db, people);
  const who: Record<string, StaffActor> = {};
  for (const [email] of people) who[email] = await signedInActor(db, email);
  return who;
}

/** Seeds them and signs each in through the login form: email → cookie jar. */
export async function itaJars(
  app: FastifyInstance,
  db: Db,
  people: readonly Person[] = ITA_PEOPLE,
): Promise<{ jars: Record<string, Jar>; ids: Record<string, number> }> {
  const ids = await seedItaPeople(db, people);
  const jars: Record<string, Jar> = {};
  for (const [email] of people) {
    const jar = newJar();
    const page = await get(app, jar, '/staff/login');
    const res = await postForm(app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email,
      password: PASSWORD,
      code: loginCode(email),
    });
    assert.equal(res.statusCode, 303, res.body);
    jars[email] = jar;
  }
  return { jars, ids };
}
