-- LandkreisLizenz schema for the whole domain (see docs/domain.md / shared spec).
-- Twin: db/sqlserver/0001_schema.sql. Dates are ISO text (yyyy-MM-dd), timestamps ISO-8601 UTC text,
-- money NUMERIC so that SQLite stores numbers and SUM works, booleans 0/1.

CREATE TABLE organisations (
    id                        INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX ux_organisations_ags ON organisations(ags);
CREATE INDEX ix_organisations_parent ON organisations(parent_id);
CREATE INDEX ix_organisations_kind ON organisations(kind, state_code);

CREATE TABLE categories (
    id             INTEGER PRIMARY KEY,
    category_key   TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    single_system  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ux_categories_key ON categories(category_key);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    product_key  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    vendor       TEXT    NOT NULL,
    category_id  INTEGER NOT NULL REFERENCES categories(id),
    list_price   NUMERIC NULL,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_products_key ON products(product_key);
CREATE INDEX ix_products_category ON products(category_id);

CREATE TABLE recognition_rules (
    id                 INTEGER PRIMARY KEY,
    product_id         INTEGER NOT NULL REFERENCES products(id),
    software_pattern   TEXT    NOT NULL,
    publisher_pattern  TEXT    NOT NULL DEFAULT '*',
    created_at         TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_recognition_rules ON recognition_rules(product_id, software_pattern, publisher_pattern);

CREATE TABLE hostings (
    id                        INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX ux_hostings_key ON hostings(organisation_id, hosting_key);
CREATE INDEX ix_hostings_operator ON hostings(operator_organisation_id);

CREATE TABLE applications (
    id                      INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX ux_applications_key ON applications(organisation_id, application_key);
CREATE INDEX ix_applications_product ON applications(product_id, organisation_id);
CREATE INDEX ix_applications_hosting ON applications(hosting_id);

CREATE TABLE contracts (
    id                     INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX ux_contracts_key ON contracts(organisation_id, contract_key);
CREATE INDEX ix_contracts_framework ON contracts(framework);

CREATE TABLE licenses (
    id                    INTEGER PRIMARY KEY,
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
);
CREATE UNIQUE INDEX ux_licenses_key ON licenses(organisation_id, contract_id, product_id, metric);
CREATE INDEX ix_licenses_product ON licenses(product_id, organisation_id);
CREATE INDEX ix_licenses_contract ON licenses(contract_id);

-- Inventory: devices and the distinct software titles they report; recognition maps a title to a product,
-- so mapping one unrecognised name re-attributes all its installations with one row change.
CREATE TABLE devices (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    device_key       TEXT    NOT NULL,
    device_kind      TEXT    NOT NULL DEFAULT 'workstation' CHECK (device_kind IN ('workstation','laptop','thin_client','server','virtual_server','other')),
    cores            INTEGER NULL,
    import_batch_id  INTEGER NULL,
    updated_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_devices_key ON devices(organisation_id, device_key);

CREATE TABLE software_titles (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    publisher   TEXT    NOT NULL DEFAULT '',
    product_id  INTEGER NULL REFERENCES products(id),
    rule_id     INTEGER NULL REFERENCES recognition_rules(id)
);
CREATE UNIQUE INDEX ux_software_titles ON software_titles(name, publisher);
CREATE INDEX ix_software_titles_product ON software_titles(product_id);

CREATE TABLE installations (
    id                 INTEGER PRIMARY KEY,
    device_id          INTEGER NOT NULL REFERENCES devices(id),
    software_title_id  INTEGER NOT NULL REFERENCES software_titles(id),
    version            TEXT    NULL,
    user_key           TEXT    NULL,
    last_used          TEXT    NULL
);
CREATE INDEX ix_installations_device ON installations(device_id);
CREATE INDEX ix_installations_title ON installations(software_title_id, device_id);

CREATE TABLE user_assignments (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    user_key         TEXT    NOT NULL,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    assigned_since   TEXT    NULL,
    last_login       TEXT    NULL,
    updated_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_user_assignments ON user_assignments(organisation_id, product_id, user_key);
CREATE INDEX ix_user_assignments_product ON user_assignments(product_id, organisation_id);

CREATE TABLE usage_peaks (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    product_id       INTEGER NOT NULL REFERENCES products(id),
    month            TEXT    NOT NULL,
    peak_concurrent  INTEGER NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_usage_peaks ON usage_peaks(organisation_id, product_id, month);
CREATE INDEX ix_usage_peaks_product ON usage_peaks(product_id, month);

CREATE TABLE reconciliation_runs (
    id                   INTEGER PRIMARY KEY,
    organisation_id      INTEGER NULL REFERENCES organisations(id),
    as_of                TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('running','succeeded','failed')),
    started_at           TEXT    NOT NULL,
    finished_at          TEXT    NULL,
    positions_count      INTEGER NOT NULL DEFAULT 0,
    organisations_count  INTEGER NOT NULL DEFAULT 0,
    checksum             TEXT    NULL,
    error                TEXT    NULL
);
CREATE INDEX ix_reconciliation_runs_org ON reconciliation_runs(organisation_id, started_at);

CREATE TABLE license_positions (
    id                     INTEGER PRIMARY KEY,
    run_id                 INTEGER NOT NULL REFERENCES reconciliation_runs(id),
    organisation_id        INTEGER NOT NULL REFERENCES organisations(id),
    product_id             INTEGER NOT NULL REFERENCES products(id),
    metric                 TEXT    NOT NULL,
    entitlement            INTEGER NULL,
    consumption            INTEGER NOT NULL,
    balance                INTEGER NULL,
    status                 TEXT    NOT NULL CHECK (status IN ('unlicensed','shortfall','surplus','compliant')),
    unit_price             NUMERIC NULL,
    annual_cost_per_unit   NUMERIC NULL,
    risk_amount            NUMERIC NULL,
    unused                 INTEGER NOT NULL DEFAULT 0,
    active_consumption     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ux_license_positions ON license_positions(run_id, organisation_id, product_id, metric);
CREATE INDEX ix_license_positions_org ON license_positions(organisation_id, product_id, metric);

CREATE TABLE suggestions (
    id                 INTEGER PRIMARY KEY,
    suggestion_key     TEXT    NOT NULL,
    type               TEXT    NOT NULL CHECK (type IN ('right_size','compliance_risk','terminate_contract','redundant_applications','joint_procurement','shared_operation','hosting_compliance','member_pooling')),
    status             TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_review','accepted','rejected','implemented','obsolete')),
    product_id         INTEGER NULL REFERENCES products(id),
    title              TEXT    NOT NULL,
    rationale          TEXT    NOT NULL,
    estimated_savings  NUMERIC NULL,
    risk_amount        NUMERIC NULL,
    details_json       TEXT    NULL,
    first_seen_at      TEXT    NOT NULL,
    last_seen_at       TEXT    NOT NULL,
    obsolete_since     TEXT    NULL,
    row_version        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ux_suggestions_key ON suggestions(suggestion_key);
CREATE INDEX ix_suggestions_type ON suggestions(type, status);

CREATE TABLE suggestion_organisations (
    suggestion_id    INTEGER NOT NULL REFERENCES suggestions(id),
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    role             TEXT    NOT NULL DEFAULT 'participant',
    PRIMARY KEY (suggestion_id, organisation_id)
);
CREATE INDEX ix_suggestion_organisations_org ON suggestion_organisations(organisation_id);

CREATE TABLE suggestion_objects (
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions(id),
    object_type    TEXT    NOT NULL,
    object_id      INTEGER NOT NULL,
    PRIMARY KEY (suggestion_id, object_type, object_id)
);

CREATE TABLE suggestion_decisions (
    id             INTEGER PRIMARY KEY,
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions(id),
    status         TEXT    NOT NULL,
    reason         TEXT    NULL,
    user_id        INTEGER NULL REFERENCES users(id),
    decided_at     TEXT    NOT NULL
);
CREATE INDEX ix_suggestion_decisions ON suggestion_decisions(suggestion_id, decided_at);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    user_name           TEXT    NOT NULL,
    display_name        TEXT    NOT NULL,
    email               TEXT    NULL,
    password_hash       TEXT    NULL,
    external_subject    TEXT    NULL,
    is_active           INTEGER NOT NULL DEFAULT 1,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    lockout_end         TEXT    NULL,
    security_stamp      TEXT    NOT NULL,
    last_login_at       TEXT    NULL,
    created_at          TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_users_name ON users(user_name);

CREATE TABLE role_grants (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    role             TEXT    NOT NULL CHECK (role IN ('admin','verbund_analyst','cio','license_manager','reader')),
    organisation_id  INTEGER NULL REFERENCES organisations(id),
    created_at       TEXT    NOT NULL,
    CHECK ((role IN ('admin','verbund_analyst') AND organisation_id IS NULL) OR (role IN ('cio','license_manager','reader') AND organisation_id IS NOT NULL))
);
CREATE UNIQUE INDEX ux_role_grants ON role_grants(user_id, role, organisation_id);
CREATE INDEX ix_role_grants_org ON role_grants(organisation_id);

CREATE TABLE api_tokens (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    organisation_id  INTEGER NULL REFERENCES organisations(id),
    name             TEXT    NOT NULL,
    token_prefix     TEXT    NOT NULL,
    token_hash       TEXT    NOT NULL,
    scope            TEXT    NOT NULL CHECK (scope IN ('read','write')),
    created_at       TEXT    NOT NULL,
    expires_at       TEXT    NULL,
    last_used_at     TEXT    NULL,
    revoked_at       TEXT    NULL
);
CREATE UNIQUE INDEX ux_api_tokens_hash ON api_tokens(token_hash);

CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX ux_notifications_key ON notifications(notification_key, user_id);
CREATE INDEX ix_notifications_user ON notifications(user_id, read_at);

CREATE TABLE import_batches (
    id               INTEGER PRIMARY KEY,
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
);
CREATE INDEX ix_import_batches_org ON import_batches(organisation_id, created_at);

CREATE TABLE import_errors (
    id               INTEGER PRIMARY KEY,
    import_batch_id  INTEGER NOT NULL REFERENCES import_batches(id),
    row_number       INTEGER NOT NULL,
    column_name      TEXT    NULL,
    value            TEXT    NULL,
    reason           TEXT    NOT NULL
);
CREATE INDEX ix_import_errors_batch ON import_errors(import_batch_id, row_number);

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    occurred_at      TEXT    NOT NULL,
    user_id          INTEGER NULL,
    user_name        TEXT    NULL,
    organisation_id  INTEGER NULL,
    action           TEXT    NOT NULL,
    object_type      TEXT    NULL,
    object_key       TEXT    NULL,
    before_json      TEXT    NULL,
    after_json       TEXT    NULL,
    remote_address   TEXT    NULL
);
CREATE INDEX ix_audit_log_time ON audit_log(occurred_at);
CREATE INDEX ix_audit_log_org ON audit_log(organisation_id, occurred_at);

-- The audit trail is append-only, also for the application itself.
CREATE TRIGGER tr_audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER tr_audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Organisations a user may read: own grants, the member municipalities of a granted county,
-- everything for admins, and the opted-in organisations for Verbund analysts.
CREATE VIEW user_organisation_scope AS
SELECT g.user_id AS user_id, o.id AS organisation_id
FROM role_grants g
JOIN organisations o ON o.id = g.organisation_id OR o.parent_id = g.organisation_id
WHERE g.role IN ('cio','license_manager','reader')
UNION
SELECT g.user_id, o.id
FROM role_grants g
CROSS JOIN organisations o
WHERE g.role = 'admin'
UNION
SELECT g.user_id, o.id
FROM role_grants g
JOIN organisations o ON o.shares_for_consolidation = 1
WHERE g.role = 'verbund_analyst';
