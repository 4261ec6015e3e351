-- Mapping profiles (spec §7; twin: db/sqlite/0013_import_profiles.sql): how an organisation's files of one header
-- are read — source columns to fields, constants, date and number formats. Saving a profile again adds a version and
-- supersedes the one before; a batch keeps the mapping it was read with, so a change never alters a past import.
CREATE TABLE import_profiles (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id  BIGINT        NOT NULL REFERENCES organisations(id),
    name             NVARCHAR(200) NOT NULL,
    version          INT           NOT NULL,
    format           NVARCHAR(40)  NOT NULL,
    source_header    NVARCHAR(MAX) NOT NULL,
    header_hash      CHAR(64)      NOT NULL,
    mapping_json     NVARCHAR(MAX) NOT NULL,
    created_by       BIGINT        NULL REFERENCES users(id),
    created_at       DATETIME2     NOT NULL,
    superseded_at    DATETIME2     NULL
);
CREATE UNIQUE INDEX ux_import_profiles_version ON import_profiles(organisation_id, name, version);
CREATE INDEX ix_import_profiles_header ON import_profiles(header_hash, organisation_id);

-- Which profile (saved, with its version, or built-in) a batch was read with, and whether its header still waits for a mapping.
ALTER TABLE import_batches ADD profile_id BIGINT NULL REFERENCES import_profiles(id);
ALTER TABLE import_batches ADD profile_name NVARCHAR(300) NULL;
ALTER TABLE import_batches ADD needs_mapping BIT NOT NULL CONSTRAINT df_import_batches_needs_mapping DEFAULT 0;
