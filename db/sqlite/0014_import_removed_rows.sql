-- Removals of an import (issue 14; twin: db/sqlserver/0014_import_removed_rows.sql): a file that lists a product's user
-- assignments completely (a directory group) removes the assignments it no longer lists; the batch counts them.
ALTER TABLE import_batches ADD COLUMN removed_rows INTEGER NOT NULL DEFAULT 0;
