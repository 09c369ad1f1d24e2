-- Step from schema version 4 to 5: a deputy's correction waits in the client's outbox with its
-- reason and document (002 §7), sent as the operation's `correction` member (docs/api.md
-- "Corrections"). Runs inside the migration's write transaction.

ALTER TABLE outbox ADD COLUMN correction TEXT;
