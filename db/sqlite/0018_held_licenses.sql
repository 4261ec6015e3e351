-- Held license tranches (issue 14; twin: db/sqlserver/0018_held_licenses.sql): an i-doit license object is named in
-- i-doit's words and recognised like a software title. Until a rule decides its name, each tranche is held here with what
-- the license needs (contract, metric, license key, count, price, validity) and moves into licenses with the decision.
-- A tranche's subject is its key within the name ("contract id/metric/license key"), so that the one unique index keeps
-- one row per tranche; the columns carry the values its release writes into licenses.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt (nothing references it).
CREATE TABLE held_evidence_new (
    id                 INTEGER PRIMARY KEY,
    organisation_id    INTEGER NOT NULL REFERENCES organisations(id),
    software_title_id  INTEGER NOT NULL REFERENCES software_titles(id),
    kind               TEXT    NOT NULL CHECK (kind IN ('user_assignments','usage_peaks','licenses')),
    subject            TEXT    NOT NULL,
    quantity           INTEGER NULL,
    assigned_since     TEXT    NULL,
    last_login         TEXT    NULL,
    contract_id        INTEGER NULL REFERENCES contracts(id),
    metric             TEXT    NULL,
    license_key        TEXT    NULL,
    unit_price         NUMERIC NULL,
    valid_from         TEXT    NULL,
    valid_to           TEXT    NULL,
    updated_at         TEXT    NOT NULL,
    CHECK ((kind = 'licenses') = (contract_id IS NOT NULL AND metric IS NOT NULL AND license_key IS NOT NULL AND quantity IS NOT NULL))
);
INSERT INTO held_evidence_new (id, organisation_id, software_title_id, kind, subject, quantity, assigned_since, last_login, updated_at)
SELECT id, organisation_id, software_title_id, kind, subject, quantity, assigned_since, last_login, updated_at FROM held_evidence;
DROP TABLE held_evidence;
ALTER TABLE held_evidence_new RENAME TO held_evidence;
CREATE UNIQUE INDEX ux_held_evidence ON held_evidence(organisation_id, kind, software_title_id, subject);
CREATE INDEX ix_held_evidence_title ON held_evidence(software_title_id, organisation_id);
CREATE INDEX ix_held_evidence_contract ON held_evidence(contract_id) WHERE contract_id IS NOT NULL;
