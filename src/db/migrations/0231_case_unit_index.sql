-- The risk signal by unit (src/risk/signals.ts) counts an agency's cases that concern a unit, by
-- unit, quarter and year: only those cases, read from this index alone (the cases concerning none
-- are the other signals' count less these).
create index report_case_agency_unit on report_case (agency_id, created_at) include (unit_id) where unit_id is not null;
