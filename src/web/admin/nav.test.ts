import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StaffRole } from '../../db/schema.ts';
import { ENROL_PATH } from '../staff-auth.ts';
import { homeOf, landingOf } from './nav.ts';

describe('homeOf', () => {
  it('sends those who handle or oversee cases to the inbox, those who only manage to administration', () => {
    const table: [StaffRole[], string][] = [
      [['platform_admin'], '/staff/admin/agencies'],
      [['agency_admin'], '/staff/admin/users'],
      [['agency_admin', 'ita_assessor'], '/staff/admin/users'],
      [['agency_admin', 'auditor'], '/staff/cases'],
      [['ita_assessor'], '/staff/ita'],
      [['intake_officer'], '/staff/cases'],
      [['investigator'], '/staff/cases'],
      [['supervisor'], '/staff/cases'],
      [['identity_custodian'], '/staff/cases'],
      [['auditor'], '/staff/cases'],
      [['declaration_reviewer'], '/staff/declarations/review'],
      [['risk_officer'], '/staff/risk'],
      [['risk_reviewer'], '/staff/risk'],
      [[], '/staff/cases'],
    ];
    for (const [roles, home] of table) assert.equal(homeOf({ roles }), home, roles.join() || 'no role');
  });
});

describe('landingOf', () => {
  it('leads to enrolment first, to the codes left after a recovery code, otherwise home', () => {
    assert.equal(landingOf({ isEnrolled: false, roles: ['platform_admin'], factor: 'none' }), ENROL_PATH);
    assert.equal(
      landingOf({ isEnrolled: true, roles: ['investigator'], factor: 'recovery' }),
      '/staff/account/recovery?used=1',
    );
    assert.equal(landingOf({ isEnrolled: true, roles: ['platform_admin'], factor: 'totp' }), '/staff/admin/agencies');
    assert.equal(landingOf({ isEnrolled: true, roles: ['investigator'], factor: 'totp' }), '/staff/cases');
  });
});
