-- Mapping profiles (spec §7; twin: db/sqlserver/0013_import_profiles.sql): how an organisation's files of one header
-- are read — source columns to fields, constants, date and number formats. Saving a profile again adds a version and
-- supersedes the one before; a batch keeps the mapping it was read with, so a change never alters a past import.
CREATE TABLE import_profiles (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    name             TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    format           TEXT    NOT NULL,
    source_header    TEXT    NOT NULL,
    header_hash      TEXT    NOT NULL,
    mapping_json     TEXT    NOT NULL,
    created_by       INTEGER NULL REFERENCES users(id),
    created_at       TEXT    NOT NULL,
    superseded_at    TEXT    NULL
);
CREATE UNIQUE INDEX ux_import_profiles_version ON import_profiles(organisation_id, name, version);
CREATE INDEX ix_import_profiles_header ON import_profiles(header_hash, organisation_id);

-- Which profile (saved, with its version, or built-in) a batch was read with, and whether its header still waits for a mapping.
ALTER TABLE import_batches ADD COLUMN profile_id INTEGER NULL REFERENCES import_profiles(id);
ALTER TABLE import_batches ADD COLUMN profile_name TEXT NULL;
ALTER TABLE import_batches ADD COLUMN needs_mapping INTEGER NOT NULL DEFAULT 0;
