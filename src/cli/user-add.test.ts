// `user add`'s usage names every role the schema knows (it once stopped at auditor, and a risk
// officer could not be added without reading the code).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STAFF_ROLES } from '../db/schema.ts';
import { usage } from './user-add.ts';

describe('user add usage', () => {
  it('names every role, platform_admin with its agency "-"', () => {
    for (const role of STAFF_ROLES) assert.match(usage, new RegExp(`\\b${role}\\b`), role);
    assert.match(usage, /platform_admin \(agency -\)/);
  });
});
