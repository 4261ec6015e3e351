-- How a batch's file was read (spec §7; twin: db/sqlserver/0011_import_mapping.sql): source columns renamed to fields and
-- constants such as the organisation of a file without an AGS column, as JSON. Kept with the batch, so that checking and
-- committing read the file the same way, and a later change of a mapping profile never changes a past import.
ALTER TABLE import_batches ADD COLUMN mapping_json TEXT NULL;
