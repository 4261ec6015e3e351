-- Ids are never reused (issue 15; twin: db/sqlserver/0019_ids_never_reused.sql). Without AUTOINCREMENT, SQLite gives a
-- new row max(id) + 1, so deleting the newest hosting and creating another handed its id — and its GraphQL global id —
-- to a different object, which corrupts an integrator's normalised cache and any stored link. AUTOINCREMENT keeps the
-- highest id ever given in sqlite_sequence. Only the tables whose ids leave the system (GraphQL node ids, links of the
-- pages) are rebuilt; installations and devices are addressed by their keys.
--
-- SQLite cannot add AUTOINCREMENT to a table, so each table is copied out, recreated from its current definition
-- (columns in their order, constraints, the columns earlier migrations added) and copied back under the same ids, then
-- its indexes are created again. No reference has an ON DELETE action, and with the check deferred the children's
-- references are satisfied again by the commit (as in 0006). Putting the rows back sets each sequence to the highest
-- id in use; ids lost before this migration cannot be recovered.
PRAGMA defer_foreign_keys = ON;

-- organisations
CREATE TABLE organisations_before_0019 AS SELECT * FROM organisations;
DROP TABLE organisations;
CREATE TABLE organisations (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    ags                       TEXT    NOT NULL,
    name                      TEXT    NOT NULL,
    kind                      TEXT    NOT NULL CHECK (kind IN ('county','municipality','municipal_provider','state_provider','private_provider','association')),
    county_type               TEXT    NULL,
    parent_id                 INTEGER NULL REFERENCES organisations(id),
    state_code                TEXT    NOT NULL,
    population                INTEGER NULL,
    employees                 INTEGER NULL,
    shares_for_consolidation  INTEGER NOT NULL DEFAULT 0,
    row_version               INTEGER NOT NULL DEFAULT 1,
    created_at                TEXT    NOT NULL,
    updated_at                TEXT    NOT NULL
);
INSERT INTO organisations SELECT * FROM organisations_before_0019;
DROP TABLE organisations_before_0019;
CREATE UNIQUE INDEX ux_organisations_ags ON organisations(ags);
CREATE INDEX ix_organisations_parent ON organisations(parent_id);
CREATE INDEX ix_organisations_kind ON organisations(kind, state_code);

-- categories
CREATE TABLE categories_before_0019 AS SELECT * FROM categories;
DROP TABLE categories;
CREATE TABLE categories (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    category_key   TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    single_system  INTEGER NOT NULL DEFAULT 0
, kind TEXT NOT NULL DEFAULT 'fachverfahren' CHECK (kind IN ('fachverfahren','infrastructure','office')));
INSERT INTO categories SELECT * FROM categories_before_0019;
DROP TABLE categories_before_0019;
CREATE UNIQUE INDEX ux_categories_key ON categories(category_key);

-- products
CREATE TABLE products_before_0019 AS SELECT * FROM products;
DROP TABLE products;
CREATE TABLE products (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    product_key  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    vendor       TEXT    NOT NULL,
    category_id  INTEGER NOT NULL REFERENCES categories(id),
    list_price   NUMERIC NULL,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
INSERT INTO products SELECT * FROM products_before_0019;
DROP TABLE products_before_0019;
CREATE UNIQUE INDEX ux_products_key ON products(product_key);
CREATE INDEX ix_products_category ON products(category_id);

-- hostings
CREATE TABLE hostings_before_0019 AS SELECT * FROM hostings;
DROP TABLE hostings;
CREATE TABLE hostings (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id           INTEGER NOT NULL REFERENCES organisations(id),
    hosting_key               TEXT    NOT NULL,
    name                      TEXT    NOT NULL,
    operator_kind             TEXT    NOT NULL CHECK (operator_kind IN ('self','municipal_provider','state_provider','private_provider')),
    model                     TEXT    NOT NULL CHECK (model IN ('on_premises','colocation','iaas','paas','saas')),
    operator_organisation_id  INTEGER NULL REFERENCES organisations(id),
    country                   TEXT    NULL,
    city                      TEXT    NULL,
    c5                        TEXT    NOT NULL DEFAULT 'none' CHECK (c5 IN ('none','type1','type2')),
    iso27001                  TEXT    NOT NULL DEFAULT 'none' CHECK (iso27001 IN ('none','iso','grundschutz')),
    georedundant              INTEGER NOT NULL DEFAULT 0,
    servers_physical          INTEGER NOT NULL DEFAULT 0,
    servers_virtual           INTEGER NOT NULL DEFAULT 0,
    annual_cost               NUMERIC NULL,
    row_version               INTEGER NOT NULL DEFAULT 1,
    created_at                TEXT    NOT NULL,
    updated_at                TEXT    NOT NULL
);
INSERT INTO hostings SELECT * FROM hostings_before_0019;
DROP TABLE hostings_before_0019;
CREATE UNIQUE INDEX ux_hostings_key ON hostings(organisation_id, hosting_key);
CREATE INDEX ix_hostings_operator ON hostings(operator_organisation_id);

-- contracts
CREATE TABLE contracts_before_0019 AS SELECT * FROM contracts;
DROP TABLE contracts;
CREATE TABLE contracts (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id        INTEGER NOT NULL REFERENCES organisations(id),
    contract_key           TEXT    NOT NULL,
    vendor                 TEXT    NOT NULL,
    title                  TEXT    NOT NULL,
    evb_it_type            TEXT    NOT NULL CHECK (evb_it_type IN ('ueberlassung_a','ueberlassung_b','pflege_s','cloud','dienstvertrag','other')),
    start_date             TEXT    NOT NULL,
    initial_term_months    INTEGER NULL,
    renewal_term_months    INTEGER NULL,
    notice_period_months   INTEGER NULL,
    end_date               TEXT    NULL,
    annual_cost            NUMERIC NULL,
    framework              TEXT    NULL,
    row_version            INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
);
INSERT INTO contracts SELECT * FROM contracts_before_0019;
DROP TABLE contracts_before_0019;
CREATE UNIQUE INDEX ux_contracts_key ON contracts(organisation_id, contract_key);
CREATE INDEX ix_contracts_framework ON contracts(framework);

-- applications
CREATE TABLE applications_before_0019 AS SELECT * FROM applications;
DROP TABLE applications;
CREATE TABLE applications (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id         INTEGER NOT NULL REFERENCES organisations(id),
    application_key         TEXT    NOT NULL,
    product_id              INTEGER NOT NULL REFERENCES products(id),
    hosting_id              INTEGER NOT NULL REFERENCES hostings(id),
    name                    TEXT    NULL,
    users                   INTEGER NULL,
    protection_need         TEXT    NOT NULL DEFAULT 'normal' CHECK (protection_need IN ('normal','high','very_high')),
    kritis                  INTEGER NOT NULL DEFAULT 0,
    operation_24x7          INTEGER NOT NULL DEFAULT 0,
    lifecycle               TEXT    NOT NULL DEFAULT 'tolerate' CHECK (lifecycle IN ('tolerate','invest','migrate','eliminate')),
    annual_operating_cost   NUMERIC NULL,
    row_version             INTEGER NOT NULL DEFAULT 1,
    created_at              TEXT    NOT NULL,
    updated_at              TEXT    NOT NULL
);
INSERT INTO applications SELECT * FROM applications_before_0019;
DROP TABLE applications_before_0019;
CREATE UNIQUE INDEX ux_applications_key ON applications(organisation_id, application_key);
CREATE INDEX ix_applications_product ON applications(product_id, organisation_id);
CREATE INDEX ix_applications_hosting ON applications(hosting_id);

-- licenses
CREATE TABLE licenses_before_0019 AS SELECT * FROM licenses;
DROP TABLE licenses;
CREATE TABLE licenses (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id       INTEGER NOT NULL REFERENCES organisations(id),
    contract_id           INTEGER NOT NULL REFERENCES contracts(id),
    product_id            INTEGER NOT NULL REFERENCES products(id),
    metric                TEXT    NOT NULL CHECK (metric IN ('device','named_user','subscription','concurrent_user','core','instance','inhabitants','site')),
    quantity              INTEGER NOT NULL,
    unit_price            NUMERIC NULL,
    annual_cost_per_unit  NUMERIC NULL,
    valid_from            TEXT    NULL,
    valid_to              TEXT    NULL,
    covers_members        INTEGER NOT NULL DEFAULT 0,
    min_cores_per_device  INTEGER NULL,
    row_version           INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL
, license_key TEXT NOT NULL DEFAULT '');
INSERT INTO licenses SELECT * FROM licenses_before_0019;
DROP TABLE licenses_before_0019;
CREATE INDEX ix_licenses_product ON licenses(product_id, organisation_id);
CREATE INDEX ix_licenses_contract ON licenses(contract_id);
CREATE UNIQUE INDEX ux_licenses_key ON licenses(organisation_id, contract_id, product_id, metric, license_key);

-- software_titles
CREATE TABLE software_titles_before_0019 AS SELECT * FROM software_titles;
DROP TABLE software_titles;
CREATE TABLE software_titles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    publisher   TEXT    NOT NULL DEFAULT '',
    product_id  INTEGER NULL REFERENCES products(id),
    rule_id     INTEGER NULL REFERENCES recognition_rules(id)
, not_licensable INTEGER NOT NULL DEFAULT 0);
INSERT INTO software_titles SELECT * FROM software_titles_before_0019;
DROP TABLE software_titles_before_0019;
CREATE UNIQUE INDEX ux_software_titles ON software_titles(name, publisher);
CREATE INDEX ix_software_titles_product ON software_titles(product_id);

-- suggestions
CREATE TABLE suggestions_before_0019 AS SELECT * FROM suggestions;
DROP TABLE suggestions;
CREATE TABLE suggestions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
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
, cluster_status TEXT NULL CHECK (cluster_status IN ('open','forming','agreed','dissolved','implemented')));
INSERT INTO suggestions SELECT * FROM suggestions_before_0019;
DROP TABLE suggestions_before_0019;
CREATE UNIQUE INDEX ux_suggestions_key ON suggestions(suggestion_key);
CREATE INDEX ix_suggestions_type ON suggestions(type, status);

-- reconciliation_runs
CREATE TABLE reconciliation_runs_before_0019 AS SELECT * FROM reconciliation_runs;
DROP TABLE reconciliation_runs;
CREATE TABLE reconciliation_runs (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id      INTEGER NULL REFERENCES organisations(id),
    as_of                TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('running','succeeded','failed')),
    started_at           TEXT    NOT NULL,
    finished_at          TEXT    NULL,
    positions_count      INTEGER NOT NULL DEFAULT 0,
    organisations_count  INTEGER NOT NULL DEFAULT 0,
    checksum             TEXT    NULL,
    error                TEXT    NULL
, families_total INTEGER NOT NULL DEFAULT 0, families_done INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'full');
INSERT INTO reconciliation_runs SELECT * FROM reconciliation_runs_before_0019;
DROP TABLE reconciliation_runs_before_0019;
CREATE INDEX ix_reconciliation_runs_org ON reconciliation_runs(organisation_id, started_at);

-- import_batches
CREATE TABLE import_batches_before_0019 AS SELECT * FROM import_batches;
DROP TABLE import_batches;
CREATE TABLE import_batches (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  INTEGER NULL REFERENCES organisations(id),
    user_id          INTEGER NULL REFERENCES users(id),
    format           TEXT    NOT NULL CHECK (format IN ('organisations','products','recognition_rules','hostings','applications','contracts','licenses','installations','user_assignments','usage_peaks')),
    file_name        TEXT    NOT NULL,
    file_size        INTEGER NOT NULL,
    file_sha256      TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('uploaded','validating','previewed','rejected','committing','completed','failed')),
    total_rows       INTEGER NOT NULL DEFAULT 0,
    processed_rows   INTEGER NOT NULL DEFAULT 0,
    inserted_rows    INTEGER NOT NULL DEFAULT 0,
    updated_rows     INTEGER NOT NULL DEFAULT 0,
    unchanged_rows   INTEGER NOT NULL DEFAULT 0,
    error_count      INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT    NOT NULL,
    finished_at      TEXT    NULL
, mapping_json TEXT NULL, profile_id INTEGER NULL REFERENCES import_profiles(id), profile_name TEXT NULL, needs_mapping INTEGER NOT NULL DEFAULT 0, removed_rows INTEGER NOT NULL DEFAULT 0, held_rows INTEGER NOT NULL DEFAULT 0);
INSERT INTO import_batches SELECT * FROM import_batches_before_0019;
DROP TABLE import_batches_before_0019;
CREATE INDEX ix_import_batches_org ON import_batches(organisation_id, created_at);

-- measures
CREATE TABLE measures_before_0019 AS SELECT * FROM measures;
DROP TABLE measures;
CREATE TABLE measures (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO measures SELECT * FROM measures_before_0019;
DROP TABLE measures_before_0019;
CREATE UNIQUE INDEX ux_measures ON measures(suggestion_id, organisation_id);
CREATE INDEX ix_measures_organisation ON measures(organisation_id, status);

-- notifications
CREATE TABLE notifications_before_0019 AS SELECT * FROM notifications;
DROP TABLE notifications;
CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_key  TEXT    NOT NULL,
    user_id           INTEGER NOT NULL REFERENCES users(id),
    organisation_id   INTEGER NULL REFERENCES organisations(id),
    kind              TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    link              TEXT    NULL,
    created_at        TEXT    NOT NULL,
    read_at           TEXT    NULL,
    emailed_at        TEXT    NULL
);
INSERT INTO notifications SELECT * FROM notifications_before_0019;
DROP TABLE notifications_before_0019;
CREATE UNIQUE INDEX ux_notifications_key ON notifications(notification_key, user_id);
CREATE INDEX ix_notifications_user ON notifications(user_id, read_at);
