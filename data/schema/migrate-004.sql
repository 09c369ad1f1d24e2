-- Step from schema version 3 to 4: an index for the period marks of one journal page (a group
-- and a period, in class-list order), which the service and the client read for every page.

CREATE INDEX period_mark_page ON period_mark (group_id, period_id, student_id);
