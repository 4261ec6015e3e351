-- Removals of an import (issue 14; twin: db/sqlite/0014_import_removed_rows.sql): a file that lists a product's user
-- assignments completely (a directory group) removes the assignments it no longer lists; the batch counts them.
ALTER TABLE import_batches ADD removed_rows INT NOT NULL CONSTRAINT df_import_batches_removed_rows DEFAULT 0;
