-- Ethics courses (issue 18, item 1): an agency's ethics officers write courses (lessons in Markdown,
-- Thai and English), item banks of questions with per-option feedback, and a blueprint from which a
-- pre-test and a post-test are drawn with different items when the course is published. Staff of the
-- agency take published courses; the post-test follows Moodle's quiz attempt rules; passing it gives
-- a certificate whose digest is committed to the ledger (event 11). Nothing here is case content.

create table ethics_course (
  id serial primary key,
  agency_id integer not null references agency (id),
  title_th text not null check (length(title_th) between 1 and 200),
  title_en text not null check (length(title_en) between 1 and 200),
  pass_mark smallint not null default 60 check (pass_mark between 0 and 100),
  -- Moodle's quiz: "Attempts allowed" (0: unlimited), "Enforced delay between attempts", "Grading method"
  attempts_allowed smallint not null default 0 check (attempts_allowed between 0 and 20),
  delay_minutes integer not null default 0 check (delay_minutes between 0 and 525600),
  grading text not null default 'highest' check (grading in ('highest', 'average', 'first', 'last')),
  state text not null default 'draft' check (state in ('draft', 'published')),
  published_at timestamptz,
  created_by integer not null references staff_user (id),
  updated_at timestamptz not null default now()
);
create index ethics_course_agency on ethics_course (agency_id);

create table ethics_lesson (
  id serial primary key,
  course_id integer not null references ethics_course (id),
  position smallint not null check (position > 0),
  title_th text not null check (length(title_th) between 1 and 200),
  title_en text not null check (length(title_en) between 1 and 200),
  body_th text not null check (length(body_th) <= 12000),
  body_en text not null check (length(body_en) <= 12000),
  unique (course_id, position)
);

create table ethics_bank (
  id serial primary key,
  agency_id integer not null references agency (id),
  name text not null check (length(name) between 1 and 200),
  created_by integer not null references staff_user (id),
  unique (agency_id, name)
);

create table ethics_item (
  id serial primary key,
  bank_id integer not null references ethics_bank (id),
  category text not null default '' check (length(category) <= 100),
  kind text not null check (kind in ('single', 'multiple', 'truefalse')),
  stem_th text not null check (length(stem_th) between 1 and 4000),
  stem_en text not null check (length(stem_en) between 1 and 4000),
  -- [{ th, en, correct, feedbackTh, feedbackEn }]
  options jsonb not null,
  created_by integer not null references staff_user (id),
  created_at timestamptz not null default now()
);
create index ethics_item_bank on ethics_item (bank_id, category);

-- how many items of which bank (and category, '' for any) each test of the course draws
create table ethics_blueprint (
  course_id integer not null references ethics_course (id),
  bank_id integer not null references ethics_bank (id),
  category text not null default '',
  count smallint not null check (count between 1 and 100),
  primary key (course_id, bank_id, category)
);

-- the items drawn at publication: the pre-test and the post-test share none
create table ethics_test_item (
  course_id integer not null references ethics_course (id),
  test text not null check (test in ('pre', 'post')),
  position smallint not null check (position > 0),
  item_id integer not null references ethics_item (id),
  primary key (course_id, test, position),
  unique (course_id, item_id)
);

create table ethics_attempt (
  id serial primary key,
  course_id integer not null references ethics_course (id),
  user_id integer not null references staff_user (id),
  test text not null check (test in ('pre', 'post')),
  number smallint not null check (number > 0),
  -- { "<position>": [option indexes] }
  answers jsonb not null default '{}',
  started_at timestamptz not null default now(),
  submitted_at timestamptz,
  -- per position, in [0, 1]; and the attempt's percentage
  item_scores jsonb,
  percent numeric(6, 2),
  unique (course_id, user_id, test, number)
);
create unique index ethics_attempt_open on ethics_attempt (course_id, user_id, test) where submitted_at is null;

create table ethics_certificate (
  id serial primary key,
  code text not null unique,
  course_id integer not null references ethics_course (id),
  user_id integer not null references staff_user (id),
  shown_name text not null check (length(shown_name) between 1 and 200),
  -- the course's titles as certified (a later edit of the course changes no certificate)
  course_th text not null,
  course_en text not null,
  percent numeric(6, 2) not null,
  issued_at timestamptz not null default now(),
  digest bytea not null,
  outbox_id integer not null,
  opening jsonb not null,
  unique (course_id, user_id)
);

-- a lesson's images, served from our own origin to the agency's staff (/staff/ethics/images/<id>)
create table ethics_image (
  id serial primary key,
  course_id integer not null references ethics_course (id),
  mime text not null check (mime in ('image/png', 'image/jpeg')),
  data bytea not null check (length(data) <= 1048576),
  created_by integer not null references staff_user (id),
  created_at timestamptz not null default now()
);
create index ethics_image_course on ethics_image (course_id);
