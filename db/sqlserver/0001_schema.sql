-- LandkreisLizenz schema for the whole domain (see docs/domain.md / shared spec).
-- Twin: db/sqlite/0001_schema.sql. Dates DATE, timestamps DATETIME2 (UTC), money DECIMAL(18,2), booleans BIT.

CREATE TABLE organisations (
    id                        BIGINT IDENTITY(1,1) PRIMARY KEY,
    ags                       NVARCHAR(64)    NOT NULL,
    name                      NVARCHAR(400)    NOT NULL,
    kind                      NVARCHAR(64)    NOT NULL CHECK (kind IN ('county','municipality','municipal_provider','state_provider','private_provider','association')),
    county_type               NVARCHAR(400)    NULL,
    parent_id                 BIGINT NULL REFERENCES organisations(id),
    state_code                NVARCHAR(64)    NOT NULL,
    population                INT NULL,
    employees                 INT NULL,
    shares_for_consolidation  BIT NOT NULL DEFAULT 0,
    row_version               INT NOT NULL DEFAULT 1,
    created_at                DATETIME2    NOT NULL,
    updated_at                DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_organisations_ags ON organisations(ags);
CREATE INDEX ix_organisations_parent ON organisations(parent_id);
CREATE INDEX ix_organisations_kind ON organisations(kind, state_code);

CREATE TABLE categories (
    id             BIGINT IDENTITY(1,1) PRIMARY KEY,
    category_key   NVARCHAR(400)    NOT NULL,
    name           NVARCHAR(400)    NOT NULL,
    single_system  BIT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ux_categories_key ON categories(category_key);

CREATE TABLE products (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    product_key  NVARCHAR(400)    NOT NULL,
    name         NVARCHAR(400)    NOT NULL,
    vendor       NVARCHAR(400)    NOT NULL,
    category_id  BIGINT NOT NULL REFERENCES categories(id),
    list_price   DECIMAL(18,2) NULL,
    row_version  INT NOT NULL DEFAULT 1,
    created_at   DATETIME2    NOT NULL,
    updated_at   DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_products_key ON products(product_key);
CREATE INDEX ix_products_category ON products(category_id);

CREATE TABLE recognition_rules (
    id                 BIGINT IDENTITY(1,1) PRIMARY KEY,
    product_id         BIGINT NOT NULL REFERENCES products(id),
    software_pattern   NVARCHAR(400)    NOT NULL,
    publisher_pattern  NVARCHAR(400)    NOT NULL DEFAULT '*',
    created_at         DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_recognition_rules ON recognition_rules(product_id, software_pattern, publisher_pattern);

CREATE TABLE hostings (
    id                        BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id           BIGINT NOT NULL REFERENCES organisations(id),
    hosting_key               NVARCHAR(400)    NOT NULL,
    name                      NVARCHAR(400)    NOT NULL,
    operator_kind             NVARCHAR(64)    NOT NULL CHECK (operator_kind IN ('self','municipal_provider','state_provider','private_provider')),
    model                     NVARCHAR(64)    NOT NULL CHECK (model IN ('on_premises','colocation','iaas','paas','saas')),
    operator_organisation_id  BIGINT NULL REFERENCES organisations(id),
    country                   NVARCHAR(64)    NULL,
    city                      NVARCHAR(400)    NULL,
    c5                        NVARCHAR(64)    NOT NULL DEFAULT 'none' CHECK (c5 IN ('none','type1','type2')),
    iso27001                  NVARCHAR(64)    NOT NULL DEFAULT 'none' CHECK (iso27001 IN ('none','iso','grundschutz')),
    georedundant              BIT NOT NULL DEFAULT 0,
    servers_physical          INT NOT NULL DEFAULT 0,
    servers_virtual           INT NOT NULL DEFAULT 0,
    annual_cost               DECIMAL(18,2) NULL,
    row_version               INT NOT NULL DEFAULT 1,
    created_at                DATETIME2    NOT NULL,
    updated_at                DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_hostings_key ON hostings(organisation_id, hosting_key);
CREATE INDEX ix_hostings_operator ON hostings(operator_organisation_id);

CREATE TABLE applications (
    id                      BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    application_key         NVARCHAR(400)    NOT NULL,
    product_id              BIGINT NOT NULL REFERENCES products(id),
    hosting_id              BIGINT NOT NULL REFERENCES hostings(id),
    name                    NVARCHAR(400)    NULL,
    users                   INT NULL,
    protection_need         NVARCHAR(64)    NOT NULL DEFAULT 'normal' CHECK (protection_need IN ('normal','high','very_high')),
    kritis                  BIT NOT NULL DEFAULT 0,
    operation_24x7          BIT NOT NULL DEFAULT 0,
    lifecycle               NVARCHAR(64)    NOT NULL DEFAULT 'tolerate' CHECK (lifecycle IN ('tolerate','invest','migrate','eliminate')),
    annual_operating_cost   DECIMAL(18,2) NULL,
    row_version             INT NOT NULL DEFAULT 1,
    created_at              DATETIME2    NOT NULL,
    updated_at              DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_applications_key ON applications(organisation_id, application_key);
CREATE INDEX ix_applications_product ON applications(product_id, organisation_id);
CREATE INDEX ix_applications_hosting ON applications(hosting_id);

CREATE TABLE contracts (
    id                     BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id        BIGINT NOT NULL REFERENCES organisations(id),
    contract_key           NVARCHAR(400)    NOT NULL,
    vendor                 NVARCHAR(400)    NOT NULL,
    title                  NVARCHAR(400)    NOT NULL,
    evb_it_type            NVARCHAR(64)    NOT NULL CHECK (evb_it_type IN ('ueberlassung_a','ueberlassung_b','pflege_s','cloud','dienstvertrag','other')),
    start_date             DATE    NOT NULL,
    initial_term_months    INT NULL,
    renewal_term_months    INT NULL,
    notice_period_months   INT NULL,
    end_date               DATE    NULL,
    annual_cost            DECIMAL(18,2) NULL,
    framework              NVARCHAR(400)    NULL,
    row_version            INT NOT NULL DEFAULT 1,
    created_at             DATETIME2    NOT NULL,
    updated_at             DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_contracts_key ON contracts(organisation_id, contract_key);
CREATE INDEX ix_contracts_framework ON contracts(framework);

CREATE TABLE licenses (
    id                    BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id       BIGINT NOT NULL REFERENCES organisations(id),
    contract_id           BIGINT NOT NULL REFERENCES contracts(id),
    product_id            BIGINT NOT NULL REFERENCES products(id),
    metric                NVARCHAR(64)    NOT NULL CHECK (metric IN ('device','named_user','subscription','concurrent_user','core','instance','inhabitants','site')),
    quantity              INT NOT NULL,
    unit_price            DECIMAL(18,2) NULL,
    annual_cost_per_unit  DECIMAL(18,2) NULL,
    valid_from            DATE    NULL,
    valid_to              DATE    NULL,
    covers_members        BIT NOT NULL DEFAULT 0,
    min_cores_per_device  INT NULL,
    row_version           INT NOT NULL DEFAULT 1,
    created_at            DATETIME2    NOT NULL,
    updated_at            DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_licenses_key ON licenses(organisation_id, contract_id, product_id, metric);
CREATE INDEX ix_licenses_product ON licenses(product_id, organisation_id);
CREATE INDEX ix_licenses_contract ON licenses(contract_id);

-- Inventory: devices and the distinct software titles they report; recognition maps a title to a product,
-- so mapping one unrecognised name re-attributes all its installations with one row change.
CREATE TABLE devices (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    device_key       NVARCHAR(400)    NOT NULL,
    device_kind      NVARCHAR(64)    NOT NULL DEFAULT 'workstation' CHECK (device_kind IN ('workstation','laptop','thin_client','server','virtual_server','other')),
    cores            INT NULL,
    import_batch_id  INT NULL,
    updated_at       DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_devices_key ON devices(organisation_id, device_key);

CREATE TABLE software_titles (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    name        NVARCHAR(400)    NOT NULL,
    publisher   NVARCHAR(400)    NOT NULL DEFAULT '',
    product_id  BIGINT NULL REFERENCES products(id),
    rule_id     BIGINT NULL REFERENCES recognition_rules(id)
);
CREATE UNIQUE INDEX ux_software_titles ON software_titles(name, publisher);
CREATE INDEX ix_software_titles_product ON software_titles(product_id);

CREATE TABLE installations (
    id                 BIGINT IDENTITY(1,1) PRIMARY KEY,
    device_id          BIGINT NOT NULL REFERENCES devices(id),
    software_title_id  BIGINT NOT NULL REFERENCES software_titles(id),
    version            NVARCHAR(400)    NULL,
    user_key           NVARCHAR(400)    NULL,
    last_used          DATE    NULL
);
CREATE INDEX ix_installations_device ON installations(device_id);
CREATE INDEX ix_installations_title ON installations(software_title_id, device_id);

CREATE TABLE user_assignments (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    user_key         NVARCHAR(400)    NOT NULL,
    product_id       BIGINT NOT NULL REFERENCES products(id),
    assigned_since   DATE    NULL,
    last_login       DATE    NULL,
    updated_at       DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_user_assignments ON user_assignments(organisation_id, product_id, user_key);
CREATE INDEX ix_user_assignments_product ON user_assignments(product_id, organisation_id);

CREATE TABLE usage_peaks (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    product_id       BIGINT NOT NULL REFERENCES products(id),
    month            NVARCHAR(64)    NOT NULL,
    peak_concurrent  INT NOT NULL,
    updated_at       DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_usage_peaks ON usage_peaks(organisation_id, product_id, month);
CREATE INDEX ix_usage_peaks_product ON usage_peaks(product_id, month);

CREATE TABLE reconciliation_runs (
    id                   BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id      BIGINT NULL REFERENCES organisations(id),
    as_of                DATE    NOT NULL,
    status               NVARCHAR(64)    NOT NULL CHECK (status IN ('running','succeeded','failed')),
    started_at           DATETIME2    NOT NULL,
    finished_at          DATETIME2    NULL,
    positions_count      INT NOT NULL DEFAULT 0,
    organisations_count  INT NOT NULL DEFAULT 0,
    checksum             NVARCHAR(400)    NULL,
    error                NVARCHAR(MAX)    NULL
);
CREATE INDEX ix_reconciliation_runs_org ON reconciliation_runs(organisation_id, started_at);

CREATE TABLE license_positions (
    id                     BIGINT IDENTITY(1,1) PRIMARY KEY,
    run_id                 BIGINT NOT NULL REFERENCES reconciliation_runs(id),
    organisation_id        BIGINT NOT NULL REFERENCES organisations(id),
    product_id             BIGINT NOT NULL REFERENCES products(id),
    metric                 NVARCHAR(64)    NOT NULL,
    entitlement            INT NULL,
    consumption            INT NOT NULL,
    balance                INT NULL,
    status                 NVARCHAR(64)    NOT NULL CHECK (status IN ('unlicensed','shortfall','surplus','compliant')),
    unit_price             DECIMAL(18,2) NULL,
    annual_cost_per_unit   DECIMAL(18,2) NULL,
    risk_amount            DECIMAL(18,2) NULL,
    unused                 INT NOT NULL DEFAULT 0,
    active_consumption     INT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ux_license_positions ON license_positions(run_id, organisation_id, product_id, metric);
CREATE INDEX ix_license_positions_org ON license_positions(organisation_id, product_id, metric);

CREATE TABLE users (
    id                  BIGINT IDENTITY(1,1) PRIMARY KEY,
    user_name           NVARCHAR(400)    NOT NULL,
    display_name        NVARCHAR(400)    NOT NULL,
    email               NVARCHAR(400)    NULL,
    password_hash       NVARCHAR(MAX)    NULL,
    external_subject    NVARCHAR(400)    NULL,
    is_active           BIT NOT NULL DEFAULT 1,
    failed_attempts     INT NOT NULL DEFAULT 0,
    lockout_end         DATETIME2    NULL,
    security_stamp      NVARCHAR(400)    NOT NULL,
    last_login_at       DATETIME2    NULL,
    created_at          DATETIME2    NOT NULL
);
CREATE UNIQUE INDEX ux_users_name ON users(user_name);

CREATE TABLE suggestions (
    id                 BIGINT IDENTITY(1,1) PRIMARY KEY,
    suggestion_key     NVARCHAR(400)    NOT NULL,
    type               NVARCHAR(64)    NOT NULL CHECK (type IN ('right_size','compliance_risk','terminate_contract','redundant_applications','joint_procurement','shared_operation','hosting_compliance','member_pooling')),
    status             NVARCHAR(64)    NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_review','accepted','rejected','implemented','obsolete')),
    product_id         BIGINT NULL REFERENCES products(id),
    title              NVARCHAR(400)    NOT NULL,
    rationale          NVARCHAR(MAX)    NOT NULL,
    estimated_savings  DECIMAL(18,2) NULL,
    risk_amount        DECIMAL(18,2) NULL,
    details_json       NVARCHAR(MAX)    NULL,
    first_seen_at      DATETIME2    NOT NULL,
    last_seen_at       DATETIME2    NOT NULL,
    obsolete_since     DATETIME2    NULL,
    row_version        INT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ux_suggestions_key ON suggestions(suggestion_key);
CREATE INDEX ix_suggestions_type ON suggestions(type, status);

CREATE TABLE suggestion_organisations (
    suggestion_id    BIGINT NOT NULL REFERENCES suggestions(id),
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    role             NVARCHAR(64)    NOT NULL DEFAULT 'participant',
    PRIMARY KEY (suggestion_id, organisation_id)
);
CREATE INDEX ix_suggestion_organisations_org ON suggestion_organisations(organisation_id);

CREATE TABLE suggestion_objects (
    suggestion_id  BIGINT NOT NULL REFERENCES suggestions(id),
    object_type    NVARCHAR(400)    NOT NULL,
    object_id      INT NOT NULL,
    PRIMARY KEY (suggestion_id, object_type, object_id)
);

CREATE TABLE suggestion_decisions (
    id             BIGINT IDENTITY(1,1) PRIMARY KEY,
    suggestion_id  BIGINT NOT NULL REFERENCES suggestions(id),
    status         NVARCHAR(64)    NOT NULL,
    reason         NVARCHAR(MAX)    NULL,
    user_id        BIGINT NULL REFERENCES users(id),
    decided_at     DATETIME2    NOT NULL
);
CREATE INDEX ix_suggestion_decisions ON suggestion_decisions(suggestion_id, decided_at);

CREATE TABLE role_grants (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users(id),
    role             NVARCHAR(64)    NOT NULL CHECK (role IN ('admin','verbund_analyst','cio','license_manager','reader')),
    organisation_id  BIGINT NULL REFERENCES organisations(id),
    created_at       DATETIME2    NOT NULL,
    CHECK ((role IN ('admin','verbund_analyst') AND organisation_id IS NULL) OR (role IN ('cio','license_manager','reader') AND organisation_id IS NOT NULL))
);
CREATE UNIQUE INDEX ux_role_grants ON role_grants(user_id, role, organisation_id);
CREATE INDEX ix_role_grants_org ON role_grants(organisation_id);

CREATE TABLE api_tokens (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users(id),
    organisation_id  BIGINT NULL REFERENCES organisations(id),
    name             NVARCHAR(400)    NOT NULL,
    token_prefix     NVARCHAR(64)    NOT NULL,
    token_hash       NVARCHAR(64)    NOT NULL,
    scope            NVARCHAR(64)    NOT NULL CHECK (scope IN ('read','write')),
    created_at       DATETIME2    NOT NULL,
    expires_at       DATETIME2    NULL,
    last_used_at     DATETIME2    NULL,
    revoked_at       DATETIME2    NULL
);
CREATE UNIQUE INDEX ux_api_tokens_hash ON api_tokens(token_hash);

CREATE TABLE notifications (
    id                BIGINT IDENTITY(1,1) PRIMARY KEY,
    notification_key  NVARCHAR(400)    NOT NULL,
    user_id           BIGINT NOT NULL REFERENCES users(id),
    organisation_id   BIGINT NULL REFERENCES organisations(id),
    kind              NVARCHAR(64)    NOT NULL,
    title             NVARCHAR(400)    NOT NULL,
    body              NVARCHAR(MAX)    NOT NULL,
    link              NVARCHAR(400)    NULL,
    created_at        DATETIME2    NOT NULL,
    read_at           DATETIME2    NULL,
    emailed_at        DATETIME2    NULL
);
CREATE UNIQUE INDEX ux_notifications_key ON notifications(notification_key, user_id);
CREATE INDEX ix_notifications_user ON notifications(user_id, read_at);

CREATE TABLE import_batches (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    organisation_id  BIGINT NULL REFERENCES organisations(id),
    user_id          BIGINT NULL REFERENCES users(id),
    format           NVARCHAR(64)    NOT NULL CHECK (format IN ('organisations','products','recognition_rules','hostings','applications','contracts','licenses','installations','user_assignments','usage_peaks')),
    file_name        NVARCHAR(400)    NOT NULL,
    file_size        INT NOT NULL,
    file_sha256      NVARCHAR(64)    NOT NULL,
    status           NVARCHAR(64)    NOT NULL CHECK (status IN ('uploaded','validating','previewed','rejected','committing','completed','failed')),
    total_rows       INT NOT NULL DEFAULT 0,
    processed_rows   INT NOT NULL DEFAULT 0,
    inserted_rows    INT NOT NULL DEFAULT 0,
    updated_rows     INT NOT NULL DEFAULT 0,
    unchanged_rows   INT NOT NULL DEFAULT 0,
    error_count      INT NOT NULL DEFAULT 0,
    created_at       DATETIME2    NOT NULL,
    finished_at      DATETIME2    NULL
);
CREATE INDEX ix_import_batches_org ON import_batches(organisation_id, created_at);

CREATE TABLE import_errors (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    import_batch_id  BIGINT NOT NULL REFERENCES import_batches(id),
    row_number       INT NOT NULL,
    column_name      NVARCHAR(400)    NULL,
    value            NVARCHAR(MAX)    NULL,
    reason           NVARCHAR(MAX)    NOT NULL
);
CREATE INDEX ix_import_errors_batch ON import_errors(import_batch_id, row_number);

CREATE TABLE audit_log (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    occurred_at      DATETIME2    NOT NULL,
    user_id          INT NULL,
    user_name        NVARCHAR(400)    NULL,
    organisation_id  INT NULL,
    action           NVARCHAR(400)    NOT NULL,
    object_type      NVARCHAR(400)    NULL,
    object_key       NVARCHAR(400)    NULL,
    before_json      NVARCHAR(MAX)    NULL,
    after_json       NVARCHAR(MAX)    NULL,
    remote_address   NVARCHAR(400)    NULL
);
CREATE INDEX ix_audit_log_time ON audit_log(occurred_at);
CREATE INDEX ix_audit_log_org ON audit_log(organisation_id, occurred_at);

-- The audit trail is append-only, also for the application itself.
GO
CREATE TRIGGER tr_audit_log_append_only ON audit_log
INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51000, 'audit_log is append-only', 1;
END;
GO

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
GO
