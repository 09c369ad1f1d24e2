-- Step from schema version 1 to 2: the sync tables (changes feed, outbox) and the service's
-- accounts, sessions and operation log. Runs inside the migration's write transaction.


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
  attempts       INTEGER NOT NULL DEFAULT 0
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


