-- Measures (Maßnahmen, spec §6.4; twin: db/sqlite/0010_measures.sql): an accepted suggestion, or a participant of an
-- agreed cluster, becomes a measure of that organisation, with who is responsible, when it is due, the savings planned
-- (the organisation's share) and those realised, entered later.
CREATE TABLE measures (
    id                BIGINT IDENTITY(1,1) PRIMARY KEY,
    suggestion_id     BIGINT NOT NULL REFERENCES suggestions(id),
    organisation_id   BIGINT NOT NULL REFERENCES organisations(id),
    status            NVARCHAR(32) NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','done','cancelled')),
    responsible       NVARCHAR(200) NULL,
    due_date          DATE NULL,
    planned_savings   DECIMAL(18,2) NULL,
    realised_savings  DECIMAL(18,2) NULL,
    note              NVARCHAR(2000) NULL,
    row_version       INT NOT NULL DEFAULT 1,
    created_at        DATETIME2 NOT NULL,
    updated_at        DATETIME2 NOT NULL
);
CREATE UNIQUE INDEX ux_measures ON measures(suggestion_id, organisation_id);
CREATE INDEX ix_measures_organisation ON measures(organisation_id, status);
