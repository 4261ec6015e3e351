-- Reconciliation bookkeeping (twin: db/sqlserver/0002_reconciliation_state.sql).
-- A run covers families (a county with its member municipalities, or a standalone organisation); positions stay
-- per run for the history, and reconciliation_latest points every organisation at the run that reconciled it last.

ALTER TABLE reconciliation_runs ADD COLUMN families_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_runs ADD COLUMN families_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'full';

CREATE TABLE reconciliation_latest (
    organisation_id  INTEGER PRIMARY KEY REFERENCES organisations(id),
    run_id           INTEGER NOT NULL REFERENCES reconciliation_runs(id),
    as_of            TEXT    NOT NULL,
    reconciled_at    TEXT    NOT NULL
);
CREATE INDEX ix_reconciliation_latest_run ON reconciliation_latest(run_id);

-- At most one run per family at a time: a row here is the lock, released when the family is written.
CREATE TABLE reconciliation_locks (
    organisation_id  INTEGER PRIMARY KEY REFERENCES organisations(id),
    run_id           INTEGER NOT NULL,
    acquired_at      TEXT    NOT NULL
);

CREATE INDEX ix_license_positions_run_org ON license_positions(organisation_id, run_id);
