-- Issue 18: two roles of the ethics work. `ethics_officer` writes courses, item banks and the
-- knowledge base of the ethics question service and answers questions sent on; `declaration_reviewer`
-- reads the interest and asset declarations of their agency (sealed to them). Neither reads cases.
alter table staff_role drop constraint staff_role_role_check;
alter table staff_role add constraint staff_role_role_check check (role in (
  'platform_admin', 'agency_admin', 'intake_officer', 'investigator', 'supervisor', 'identity_custodian', 'auditor',
  'ita_assessor', 'risk_officer', 'risk_reviewer', 'overseer', 'ethics_officer', 'declaration_reviewer'));
