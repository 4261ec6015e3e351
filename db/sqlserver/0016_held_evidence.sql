-- Evidence under a name not yet recognised (spec §7; issue 14; twin: db/sqlite/0016_held_evidence.sql): a license
-- server's feature, a Microsoft 365 SKU or a directory group is a name of its tool, mapped to a product like a software
-- title (a title with the source as its publisher). Until a rule decides it, what the file said is kept here — never an
-- error, never lost — and the unrecognised list offers it for mapping; the decision moves it into user_assignments or
-- usage_peaks (a not-licensable decision drops it).
CREATE TABLE held_evidence (
    id                 BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id    BIGINT        NOT NULL REFERENCES organisations(id),
    software_title_id  BIGINT        NOT NULL REFERENCES software_titles(id),
    kind               NVARCHAR(40)  NOT NULL CHECK (kind IN ('user_assignments','usage_peaks')),
    subject            NVARCHAR(400) NOT NULL,
    quantity           INT           NULL,
    assigned_since     DATE          NULL,
    last_login         DATE          NULL,
    updated_at         DATETIME2     NOT NULL
);
CREATE UNIQUE INDEX ux_held_evidence ON held_evidence(organisation_id, kind, software_title_id, subject);
CREATE INDEX ix_held_evidence_title ON held_evidence(software_title_id, organisation_id);

-- Rows of a batch kept for mapping (their name is not recognised yet).
ALTER TABLE import_batches ADD held_rows INT NOT NULL CONSTRAINT df_import_batches_held_rows DEFAULT 0;
