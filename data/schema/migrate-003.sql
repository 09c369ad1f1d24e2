-- Step from schema version 2 to 3: the client's shadow table. Runs inside the migration's write
-- transaction.


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
