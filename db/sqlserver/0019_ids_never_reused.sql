-- Ids are never reused (issue 15; twin: db/sqlite/0019_ids_never_reused.sql, which gives SQLite's tables AUTOINCREMENT).
-- On SQL Server every id column is an IDENTITY, which never hands out a value twice (gaps after a restart are allowed,
-- reuse is not), so nothing changes here; the twin keeps the migration numbers of both providers in step.
SELECT 1 AS ids_never_reused;
