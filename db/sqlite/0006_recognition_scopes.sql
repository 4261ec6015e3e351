-- Recognition rules have a scope (spec §6.1; twin: db/sqlserver/0006_recognition_scopes.sql).
-- A rule without family_id is global (admins); a rule with family_id is local to that county family (the county and
-- its member municipalities) and is what a license manager's mapping creates. A rule either names a product or
-- classifies its titles as not licensable (freeware, drivers, operating-system components). Rules made before this
-- migration stay global: they were made for everyone.
--
-- Columns in the order SQL Server's ALTER TABLE gives them (the estate checksum reads rows column by column).
-- The table is rebuilt because SQLite cannot drop NOT NULL from product_id. software_titles.rule_id refers to it:
-- with the check deferred, the rows put back under the same ids satisfy that reference again before the commit.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE recognition_rules_before_0006 AS SELECT id, product_id, software_pattern, publisher_pattern, created_at FROM recognition_rules;
DROP TABLE recognition_rules;

CREATE TABLE recognition_rules (
    id                 INTEGER PRIMARY KEY,
    product_id         INTEGER NULL REFERENCES products(id),
    software_pattern   TEXT    NOT NULL,
    publisher_pattern  TEXT    NOT NULL DEFAULT '*',
    created_at         TEXT    NOT NULL,
    not_licensable     INTEGER NOT NULL DEFAULT 0 CHECK (not_licensable IN (0, 1)),
    family_id          INTEGER NULL REFERENCES organisations(id),
    CHECK ((not_licensable = 1 AND product_id IS NULL) OR (not_licensable = 0 AND product_id IS NOT NULL))
);
INSERT INTO recognition_rules (id, product_id, software_pattern, publisher_pattern, created_at, not_licensable, family_id)
SELECT id, product_id, software_pattern, publisher_pattern, created_at, 0, NULL FROM recognition_rules_before_0006;
DROP TABLE recognition_rules_before_0006;

-- One rule per outcome and patterns in each scope (a not-licensable rule's outcome is the class itself).
CREATE UNIQUE INDEX ux_recognition_rules_global ON recognition_rules(COALESCE(product_id, 0), software_pattern, publisher_pattern) WHERE family_id IS NULL;
CREATE UNIQUE INDEX ux_recognition_rules_local ON recognition_rules(family_id, COALESCE(product_id, 0), software_pattern, publisher_pattern) WHERE family_id IS NOT NULL;

-- What global rules decided for a title: its product, or that it is not licensable.
ALTER TABLE software_titles ADD COLUMN not_licensable INTEGER NOT NULL DEFAULT 0;

-- What a family's local rules decided for a title in that family; it wins over the global decision there.
-- product_id NULL: the family classified the title as not licensable.
CREATE TABLE family_title_recognition (
    family_id          INTEGER NOT NULL REFERENCES organisations(id),
    software_title_id  INTEGER NOT NULL REFERENCES software_titles(id),
    product_id         INTEGER NULL REFERENCES products(id),
    rule_id            INTEGER NOT NULL REFERENCES recognition_rules(id),
    PRIMARY KEY (family_id, software_title_id)
);
CREATE INDEX ix_family_title_recognition_rule ON family_title_recognition(rule_id);

-- The county family an organisation belongs to: a member municipality belongs to its county's, any other organisation
-- is a family of its own. Reconciliation, local recognition and the unrecognised list read it.
CREATE VIEW organisation_family AS
SELECT id AS organisation_id, COALESCE(CASE WHEN kind = 'municipality' THEN parent_id END, id) AS family_id
FROM organisations;
