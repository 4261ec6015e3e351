-- Consolidation a CIO can act on (spec §6.2–6.3; twin: db/sqlserver/0007_consolidation_clusters.sql).
-- Categories get a kind: specialised applications are consolidated by shared operation (EfA), infrastructure by a
-- shared data centre, never the other way round. Cross-organisation suggestions become clusters of one Land with a
-- lead, and every participant carries its own cost and share of the savings: what a county is shown is its share.

ALTER TABLE categories ADD COLUMN kind TEXT NOT NULL DEFAULT 'fachverfahren' CHECK (kind IN ('fachverfahren','infrastructure','office'));
-- The demo catalogue's keys; a catalogue of its own gets its kinds from the administration.
UPDATE categories SET kind = 'infrastructure' WHERE category_key IN ('infrastruktur', 'infrastructure');
UPDATE categories SET kind = 'office' WHERE category_key = 'office';

-- Rebuilt for the new type shared_data_centre (SQLite cannot change a CHECK). The participants, objects and decisions
-- refer to it: with the check deferred, the rows put back under the same ids satisfy them again before the commit.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE suggestions_before_0007 AS SELECT * FROM suggestions;
DROP TABLE suggestions;

CREATE TABLE suggestions (
    id                    INTEGER PRIMARY KEY,
    suggestion_key        TEXT    NOT NULL,
    type                  TEXT    NOT NULL CHECK (type IN ('right_size','compliance_risk','terminate_contract','redundant_applications','joint_procurement','shared_operation','hosting_compliance','member_pooling','shared_data_centre')),
    status                TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_review','accepted','rejected','implemented','obsolete')),
    product_id            INTEGER NULL REFERENCES products(id),
    title                 TEXT    NOT NULL,
    rationale             TEXT    NOT NULL,
    estimated_savings     NUMERIC NULL,
    risk_amount           NUMERIC NULL,
    details_json          TEXT    NULL,
    first_seen_at         TEXT    NOT NULL,
    last_seen_at          TEXT    NOT NULL,
    obsolete_since        TEXT    NULL,
    row_version           INTEGER NOT NULL DEFAULT 1,
    -- A cluster's Land, lead, the participants' summed annual cost, the savings share (or discount) in percent,
    -- the one-off migration cost of all participants and its payback in months.
    state_code            TEXT    NULL,
    lead_organisation_id  INTEGER NULL REFERENCES organisations(id),
    cluster_annual_cost   NUMERIC NULL,
    share_percent         NUMERIC NULL,
    migration_cost        NUMERIC NULL,
    payback_months        NUMERIC NULL
);
INSERT INTO suggestions (id, suggestion_key, type, status, product_id, title, rationale, estimated_savings, risk_amount, details_json,
                         first_seen_at, last_seen_at, obsolete_since, row_version)
SELECT id, suggestion_key, type, status, product_id, title, rationale, estimated_savings, risk_amount, details_json,
       first_seen_at, last_seen_at, obsolete_since, row_version
FROM suggestions_before_0007;
DROP TABLE suggestions_before_0007;
CREATE UNIQUE INDEX ux_suggestions_key ON suggestions(suggestion_key);
CREATE INDEX ix_suggestions_type ON suggestions(type, status);

-- Each participant's own annual cost for what the suggestion concerns, its share of the savings, its users (for the
-- cost allocation) and its one-off migration cost.
ALTER TABLE suggestion_organisations ADD COLUMN annual_cost NUMERIC NULL;
ALTER TABLE suggestion_organisations ADD COLUMN savings_share NUMERIC NULL;
ALTER TABLE suggestion_organisations ADD COLUMN users INTEGER NULL;
ALTER TABLE suggestion_organisations ADD COLUMN migration_cost NUMERIC NULL;

-- Until the next refresh recomputes them: a participant's share is the whole saving when it is the only participant,
-- else an equal part (what the dashboard counted so far).
UPDATE suggestion_organisations
SET savings_share = (SELECT s.estimated_savings FROM suggestions s WHERE s.id = suggestion_organisations.suggestion_id)
                    / (SELECT COUNT(*) FROM suggestion_organisations t WHERE t.suggestion_id = suggestion_organisations.suggestion_id AND t.role = 'participant')
WHERE role = 'participant';
