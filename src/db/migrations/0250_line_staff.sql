-- Issue 18's LINE parts: a staff account linked to a LINE user, the one-time codes that link them,
-- the lessons a learner has read (on the web or on LINE), and the LINE reply route of an ethics
-- question. The LINE user id is never in the clear: the link keeps an HMAC of it under a key of its
-- own (not the reporters' user_hash key, so a stolen database cannot join a staff member to the
-- LINE cases they filed) and the id itself sealed under the channel key (secrets.json).
create table line_staff_link (
  user_id integer primary key references staff_user (id) on delete cascade,
  staff_hash bytea not null unique,
  sealed bytea not null,
  -- the staff conversation (a pending question, the practice question offered), sealed
  state bytea,
  linked_at timestamptz not null default now(),
  -- the day (Thailand) the lesson of the day was last pushed (SUJARIT_LINE_LESSON_HOUR)
  lesson_pushed_on date
);

-- A link code is stored as an HMAC only, lives 10 minutes and is used once.
create table line_link_code (
  id serial primary key,
  user_id integer not null references staff_user (id) on delete cascade,
  code_hash bytea not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index line_link_code_user on line_link_code (user_id, created_at);

-- Wrong link codes typed on LINE, per sender (the staff HMAC of the LINE user id): the brute-force limit.
create table line_link_failure (
  id bigserial primary key,
  staff_hash bytea not null,
  at timestamptz not null default now()
);
create index line_link_failure_hash on line_link_failure (staff_hash, at);

-- A lesson read by a learner, the first time, on the web or on LINE.
create table ethics_lesson_read (
  lesson_id integer not null references ethics_lesson (id) on delete cascade,
  user_id integer not null references staff_user (id) on delete cascade,
  channel text not null check (channel in ('web', 'line')),
  read_at timestamptz not null default now(),
  primary key (lesson_id, user_id)
);

-- Where the answer to a question asked on LINE goes: the LINE user id sealed under the channel key,
-- then under the question's own key (opened only by an officer answering it, or the asker's code).
alter table ethics_question add column line_route bytea;
alter table ethics_question add constraint ethics_question_line_route check (line_route is null or channel = 'line');
