-- Runs that never hang, refreshes that never collide (twin: db/sqlserver/0009_runs_and_refreshes.sql).
-- A run counts the families it finished itself, not the families whose latest run it is: a later run reconciling the
-- same family no longer takes a family away from an earlier one, so every run reaches its total.
CREATE TABLE reconciliation_run_families (
    run_id           INTEGER NOT NULL REFERENCES reconciliation_runs(id),
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    done_at          TEXT    NOT NULL,
    PRIMARY KEY (run_id, organisation_id)
);

-- Suggestion refreshes are asked for by generation (each finished run adds one) and run one at a time: a refresh
-- claims the state, covers every generation asked for until it is done, and a second one meanwhile returns at once.
CREATE TABLE suggestion_refresh_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    requested           INTEGER NOT NULL DEFAULT 0,
    done                INTEGER NOT NULL DEFAULT 0,
    running_generation  INTEGER NULL,
    running_since       TEXT    NULL
);
INSERT INTO suggestion_refresh_state (id, requested, done) VALUES (1, 0, 0);
