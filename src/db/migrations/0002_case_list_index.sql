-- The case list counts a recipient's cases: drive it from the recipient's own keys.
create index case_key_user_purpose on case_key (user_id, purpose, case_id);
drop index case_key_user;
