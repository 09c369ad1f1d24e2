-- Zhurnal database schema, version 5. One schema for the reference service and the client's
-- offline copy (DESIGN.md §2): both hold the same entity rows with the server's `rev`; the
-- service alone fills `account`, `session` and `op_log`, the client alone `outbox` and `shadow`.
--
-- A new database is created from this file and stamped with PRAGMA user_version = 5. An older
-- database is brought forward by data/schema/migrate-NNN.sql, one file per version step; the
-- test suite checks that migrating a version 1 database yields exactly this schema.
--
-- Conventions:
--   id         TEXT, a UUID made where the row is created (client or server), lower-case hex
--   rev        INTEGER, the server's change number when the row last changed (0: never synced)
--   dates      TEXT 'YYYY-MM-DD' (they sort and compare as text)
--   times      INTEGER, seconds since the Unix epoch, UTC; the school's time zone is in its policy
--   enums      TEXT codes from the lists in src/libzhurnal/zh-model.h, checked by the CHECKs
--   booleans   INTEGER 0/1

CREATE TABLE school (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  full_name   TEXT NOT NULL,
  address     TEXT NOT NULL DEFAULT '',
  director    TEXT NOT NULL DEFAULT '',
  policy      TEXT NOT NULL DEFAULT '{}',       -- JSON, see zh-policy.h; defaults from REQUIREMENTS §3
  rev         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE academic_year (
  id          TEXT PRIMARY KEY,
  school_id   TEXT NOT NULL REFERENCES school (id),
  name        TEXT NOT NULL,                    -- «2025/2026»
  starts      TEXT NOT NULL,
  ends        TEXT NOT NULL,
  rev         INTEGER NOT NULL DEFAULT 0,
  CHECK (starts < ends)
);

-- Reporting periods; grade_from..grade_to says which grades use them (quarters in 1-9,
-- half-years in 10-11: 001 §4.2, 002 §5.1).
CREATE TABLE period (
  id          TEXT PRIMARY KEY,
  year_id     TEXT NOT NULL REFERENCES academic_year (id),
  kind        TEXT NOT NULL CHECK (kind IN ('quarter', 'trimester', 'half', 'module')),
  number      INTEGER NOT NULL CHECK (number BETWEEN 1 AND 6),
  starts      TEXT NOT NULL,
  ends        TEXT NOT NULL,
  grade_from  INTEGER NOT NULL CHECK (grade_from BETWEEN 1 AND 11),
  grade_to    INTEGER NOT NULL CHECK (grade_to BETWEEN grade_from AND 11),
  rev         INTEGER NOT NULL DEFAULT 0,
  CHECK (starts <= ends)
);
CREATE INDEX period_year ON period (year_id, starts);

CREATE TABLE staff (
  id          TEXT PRIMARY KEY,
  school_id   TEXT NOT NULL REFERENCES school (id),
  last_name   TEXT NOT NULL,
  first_name  TEXT NOT NULL,
  middle_name TEXT NOT NULL DEFAULT '',
  roles       INTEGER NOT NULL DEFAULT 0,        -- ZhRoles bit set
  position    TEXT NOT NULL DEFAULT '',          -- «учитель математики», printed under signatures
  login       TEXT UNIQUE,
  active      INTEGER NOT NULL DEFAULT 1,
  rev         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE class (
  id               TEXT PRIMARY KEY,
  year_id          TEXT NOT NULL REFERENCES academic_year (id),
  grade            INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 11),
  letter           TEXT NOT NULL,                -- «А»; the class is «5А»
  class_teacher_id TEXT REFERENCES staff (id),
  rev              INTEGER NOT NULL DEFAULT 0,
  UNIQUE (year_id, grade, letter)
);

-- Personal data is kept to what the journal needs (002 §4.6): no addresses, photos or passports.
CREATE TABLE student (
  id          TEXT PRIMARY KEY,
  school_id   TEXT NOT NULL REFERENCES school (id),
  last_name   TEXT NOT NULL,
  first_name  TEXT NOT NULL,
  middle_name TEXT NOT NULL DEFAULT '',
  birth_date  TEXT NOT NULL,
  gender      TEXT NOT NULL CHECK (gender IN ('female', 'male')),
  rev         INTEGER NOT NULL DEFAULT 0
);

-- Movement of students (сводная ведомость учёта движения): one row per stay in a class.
CREATE TABLE enrollment (
  id          TEXT PRIMARY KEY,
  student_id  TEXT NOT NULL REFERENCES student (id),
  class_id    TEXT NOT NULL REFERENCES class (id),
  date_from   TEXT NOT NULL,
  date_to     TEXT,                              -- NULL: still in the class
  reason      TEXT NOT NULL CHECK (reason IN ('start', 'arrival', 'transfer')),
  end_reason  TEXT CHECK (end_reason IN ('departure', 'transfer', 'graduation')),
  rev         INTEGER NOT NULL DEFAULT 0,
  CHECK (date_to IS NULL OR date_from <= date_to),
  CHECK ((date_to IS NULL) = (end_reason IS NULL))
);
CREATE INDEX enrollment_class ON enrollment (class_id, date_from);
CREATE INDEX enrollment_student ON enrollment (student_id);

CREATE TABLE subject (
  id          TEXT PRIMARY KEY,
  school_id   TEXT NOT NULL REFERENCES school (id),
  name        TEXT NOT NULL,                     -- «Русский язык»
  short_name  TEXT NOT NULL,                     -- «Рус. яз.» for narrow report columns only
  rev         INTEGER NOT NULL DEFAULT 0,
  UNIQUE (school_id, name)
);

-- A journal page: the whole class or a subgroup for one subject, kept by one teacher
-- (000 §3.5.6, 002 §5.2, 004 §4.4.11). `subgroup` is 0 for the whole class.
CREATE TABLE study_group (
  id          TEXT PRIMARY KEY,
  class_id    TEXT NOT NULL REFERENCES class (id),
  subject_id  TEXT NOT NULL REFERENCES subject (id),
  subgroup    INTEGER NOT NULL DEFAULT 0 CHECK (subgroup BETWEEN 0 AND 9),
  teacher_id  TEXT REFERENCES staff (id),
  rev         INTEGER NOT NULL DEFAULT 0,
  UNIQUE (class_id, subject_id, subgroup)
);
CREATE INDEX study_group_teacher ON study_group (teacher_id);

CREATE TABLE group_member (
  id          TEXT PRIMARY KEY,
  group_id    TEXT NOT NULL REFERENCES study_group (id),
  student_id  TEXT NOT NULL REFERENCES student (id),
  date_from   TEXT NOT NULL,
  date_to     TEXT,
  rev         INTEGER NOT NULL DEFAULT 0,
  CHECK (date_to IS NULL OR date_from <= date_to)
);
CREATE INDEX group_member_group ON group_member (group_id, date_from);
CREATE INDEX group_member_student ON group_member (student_id);

-- Учебный план: hours per week and per year of a subject in a class.
CREATE TABLE curriculum (
  id             TEXT PRIMARY KEY,
  class_id       TEXT NOT NULL REFERENCES class (id),
  subject_id     TEXT NOT NULL REFERENCES subject (id),
  hours_per_week REAL NOT NULL CHECK (hours_per_week > 0),
  hours_per_year INTEGER NOT NULL CHECK (hours_per_year > 0),
  rev            INTEGER NOT NULL DEFAULT 0,
  UNIQUE (class_id, subject_id)
);

-- Календарно-тематический план (КТП) of a group (002 §5.2, 000 §3.5.4).
CREATE TABLE plan_item (
  id          TEXT PRIMARY KEY,
  group_id    TEXT NOT NULL REFERENCES study_group (id),
  number      INTEGER NOT NULL CHECK (number > 0),
  topic       TEXT NOT NULL,
  hours       INTEGER NOT NULL DEFAULT 1 CHECK (hours > 0),
  rev         INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, number)
);

-- The timetable: a group meets on `weekday` (1 = Monday) as lesson `number` of the day.
CREATE TABLE timetable_slot (
  id          TEXT PRIMARY KEY,
  group_id    TEXT NOT NULL REFERENCES study_group (id),
  weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 6),
  number      INTEGER NOT NULL CHECK (number BETWEEN 1 AND 10),
  valid_from  TEXT NOT NULL,
  valid_to    TEXT NOT NULL,
  room        TEXT NOT NULL DEFAULT '',
  rev         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX timetable_slot_group ON timetable_slot (group_id);

-- A lesson record (001 §5.3-5.4, 002 §5.2): topic and homework each keep when they were entered,
-- so the deadline rules of REQUIREMENTS §3 can judge them (NULL: not entered yet).
CREATE TABLE lesson (
  id                  TEXT PRIMARY KEY,
  group_id            TEXT NOT NULL REFERENCES study_group (id),
  date                TEXT NOT NULL,
  number              INTEGER NOT NULL CHECK (number BETWEEN 1 AND 10),
  kind                TEXT NOT NULL DEFAULT 'lesson',
  topic               TEXT NOT NULL DEFAULT '',
  homework            TEXT NOT NULL DEFAULT '',
  plan_item_id        TEXT REFERENCES plan_item (id),
  teacher_id          TEXT REFERENCES staff (id),
  substitute          INTEGER NOT NULL DEFAULT 0,
  topic_entered_at    INTEGER,
  homework_entered_at INTEGER,
  entered_by          TEXT REFERENCES staff (id),
  received_at         INTEGER,
  rev                 INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, date, number)
);
CREATE INDEX lesson_date ON lesson (date);
CREATE INDEX lesson_teacher ON lesson (teacher_id, date);

-- A current mark. Several per lesson and student are allowed (double marks have part 1 and 2,
-- 002 §5.2). A mark is never deleted or overwritten by its teacher (002 §5.2): a correction
-- (002 §7) sets state = 'corrected' and points at the mark that replaces it.
CREATE TABLE mark (
  id           TEXT PRIMARY KEY,
  lesson_id    TEXT NOT NULL REFERENCES lesson (id),
  student_id   TEXT NOT NULL REFERENCES student (id),
  value        TEXT NOT NULL,                   -- a code of the school's mark scale: '1'..'5', 'pass', 'fail'
  work_type    TEXT NOT NULL,                   -- a code of the school's work types (policy)
  weight       REAL NOT NULL CHECK (weight > 0),-- the work type's weight when the mark was entered
  part         INTEGER NOT NULL DEFAULT 0 CHECK (part BETWEEN 0 AND 2),
  comment      TEXT NOT NULL DEFAULT '',
  state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'corrected')),
  entered_by   TEXT REFERENCES staff (id),
  entered_at   INTEGER NOT NULL,
  received_at  INTEGER,
  rev          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mark_lesson ON mark (lesson_id, student_id);
CREATE INDEX mark_student ON mark (student_id);

-- Attendance: one record per lesson and student (002 §5.3, 000 §4.3.3).
CREATE TABLE attendance (
  id           TEXT PRIMARY KEY,
  lesson_id    TEXT NOT NULL REFERENCES lesson (id),
  student_id   TEXT NOT NULL REFERENCES student (id),
  code         TEXT NOT NULL CHECK (code IN ('absent', 'ill', 'valid', 'invalid', 'late')),
  comment      TEXT NOT NULL DEFAULT '',
  entered_by   TEXT REFERENCES staff (id),
  entered_at   INTEGER NOT NULL,
  received_at  INTEGER,
  rev          INTEGER NOT NULL DEFAULT 0,
  UNIQUE (lesson_id, student_id)
);
CREATE INDEX attendance_student ON attendance (student_id);

-- Period, year, exam (ГИА) and final (Итог) marks (000 §7, 004 §5). period_id is set for kind
-- 'period' only.
CREATE TABLE period_mark (
  id           TEXT PRIMARY KEY,
  student_id   TEXT NOT NULL REFERENCES student (id),
  group_id     TEXT NOT NULL REFERENCES study_group (id),
  kind         TEXT NOT NULL CHECK (kind IN ('period', 'year', 'exam', 'final')),
  period_id    TEXT REFERENCES period (id),
  value        TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'corrected')),
  entered_by   TEXT REFERENCES staff (id),
  entered_at   INTEGER NOT NULL,
  received_at  INTEGER,
  rev          INTEGER NOT NULL DEFAULT 0,
  CHECK ((kind = 'period') = (period_id IS NOT NULL))
);
CREATE INDEX period_mark_group ON period_mark (group_id, student_id);
CREATE INDEX period_mark_student ON period_mark (student_id);

-- A correction of a mark or period mark, made by a deputy or administrator for one of the legal
-- reasons of 002 §7, with the document it rests on (REQUIREMENTS §4).
CREATE TABLE correction (
  id            TEXT PRIMARY KEY,
  target_kind   TEXT NOT NULL CHECK (target_kind IN ('mark', 'period_mark')),
  target_id     TEXT NOT NULL,
  old_value     TEXT NOT NULL,
  new_value     TEXT NOT NULL,
  reason        TEXT NOT NULL CHECK (reason IN ('debt_cleared', 'not_objective', 'teacher_request',
                                                 'appeal_upheld', 'reattestation')),
  document      TEXT NOT NULL CHECK (length (document) > 0),
  authorised_by TEXT NOT NULL REFERENCES staff (id),
  at            INTEGER NOT NULL,
  rev           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX correction_target ON correction (target_id);

-- Every change, append only (001 §6.3): who, when, what, before and after (JSON objects).
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  staff_id    TEXT,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'correct', 'import',
                                              'login', 'logout')),
  before      TEXT,
  after       TEXT
);
CREATE INDEX audit_entity ON audit (entity, entity_id);

-- Small settings: the sync cursor, the next rev, the school this copy belongs to …
CREATE TABLE meta (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL
);

-- ---- Since version 2: sync ------------------------------------------------------------------

-- The changes feed (DESIGN §3): the latest change of every row, tombstones of deleted rows
-- included, in rev order. A row changed again gets a new rev and its old entry goes.
CREATE TABLE change (
  rev         INTEGER PRIMARY KEY,
  school_id   TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  deleted     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (entity, entity_id)
);
CREATE INDEX change_school ON change (school_id, rev);

-- Client: operations made offline and not yet confirmed by the service (DESIGN §4).
CREATE TABLE outbox (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id          TEXT NOT NULL UNIQUE,
  entity         TEXT NOT NULL,
  entity_id      TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('put', 'delete', 'correct')),
  value          TEXT NOT NULL,                -- JSON of the row as the user left it
  base_rev       INTEGER NOT NULL,
  entered_at     INTEGER NOT NULL,
  state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected', 'conflict')),
  reason_code    TEXT,
  reason_message TEXT,
  server_value   TEXT,                         -- the service's row, for a conflict
  attempts       INTEGER NOT NULL DEFAULT 0,
  correction     TEXT                          -- since version 5: action 'correct' only, the JSON
                                               -- {"reason", "document"} sent with it (002 §7)
);
CREATE INDEX outbox_entity ON outbox (entity, entity_id);

-- Service: accounts (Argon2id hashes only), sessions (hashes of tokens) and the answers to
-- operations already applied, so a repeated op_id gets the first answer.
CREATE TABLE account (
  staff_id      TEXT PRIMARY KEY REFERENCES staff (id),
  password_hash TEXT NOT NULL,
  changed_at    INTEGER NOT NULL
);

CREATE TABLE session (
  token_hash  TEXT PRIMARY KEY,
  staff_id    TEXT NOT NULL REFERENCES staff (id),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);

CREATE TABLE op_log (
  op_id       TEXT PRIMARY KEY,
  staff_id    TEXT NOT NULL,
  at          INTEGER NOT NULL,
  answer      TEXT NOT NULL
);

-- ---- Since version 3: the client's shadow rows -------------------------------------------

-- Client: the service's version of a row that has operations in the outbox (docs/sync.md, "The
-- display rule"). The offline copy shows the user's own edit until the service has answered it;
-- meanwhile the row as the service last sent it waits here, so a discarded edit can be undone
-- and a pulled change is not lost. `deleted` = 1: the service has no such row (a new row, or one
-- the service deleted); `value` is then NULL.
CREATE TABLE shadow (
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  rev         INTEGER NOT NULL,
  deleted     INTEGER NOT NULL DEFAULT 0,
  value       TEXT,
  PRIMARY KEY (entity, entity_id)
);

-- ---- Since version 4: period marks of one journal page -----------------------------------

-- A journal page reads its period's marks of one group in class-list order; without this index
-- it read every period mark of the group and sorted them (docs/server.md "Benchmark").
CREATE INDEX period_mark_page ON period_mark (group_id, period_id, student_id);

PRAGMA user_version = 5;
