-- Measures (Maßnahmen, spec §6.4; twin: db/sqlserver/0010_measures.sql): an accepted suggestion, or a participant of an
-- agreed cluster, becomes a measure of that organisation, with who is responsible, when it is due, the savings planned
-- (the organisation's share) and those realised, entered later.
CREATE TABLE measures (
    id                INTEGER PRIMARY KEY,
    suggestion_id     INTEGER NOT NULL REFERENCES suggestions(id),
    organisation_id   INTEGER NOT NULL REFERENCES organisations(id),
    status            TEXT    NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','done','cancelled')),
    responsible       TEXT    NULL,
    due_date          TEXT    NULL,
    planned_savings   NUMERIC NULL,
    realised_savings  NUMERIC NULL,
    note              TEXT    NULL,
    row_version       INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_measures ON measures(suggestion_id, organisation_id);
CREATE INDEX ix_measures_organisation ON measures(organisation_id, status);
