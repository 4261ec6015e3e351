-- Recognition rules have a scope (spec §6.1; twin: db/sqlite/0006_recognition_scopes.sql).
-- A rule without family_id is global (admins); a rule with family_id is local to that county family (the county and
-- its member municipalities) and is what a license manager's mapping creates. A rule either names a product or
-- classifies its titles as not licensable (freeware, drivers, operating-system components). Rules made before this
-- migration stay global: they were made for everyone.

DROP INDEX ux_recognition_rules ON recognition_rules;
ALTER TABLE recognition_rules ALTER COLUMN product_id BIGINT NULL;
ALTER TABLE recognition_rules ADD not_licensable INT NOT NULL CONSTRAINT df_recognition_rules_not_licensable DEFAULT 0
    CONSTRAINT ck_recognition_rules_not_licensable CHECK (not_licensable IN (0, 1));
ALTER TABLE recognition_rules ADD family_id BIGINT NULL REFERENCES organisations(id);
GO

ALTER TABLE recognition_rules ADD CONSTRAINT ck_recognition_rules_outcome
    CHECK ((not_licensable = 1 AND product_id IS NULL) OR (not_licensable = 0 AND product_id IS NOT NULL));

-- One rule per outcome and patterns in each scope (a unique index treats NULL product ids as equal here).
CREATE UNIQUE INDEX ux_recognition_rules_global ON recognition_rules(product_id, software_pattern, publisher_pattern) WHERE family_id IS NULL;
CREATE UNIQUE INDEX ux_recognition_rules_local ON recognition_rules(family_id, product_id, software_pattern, publisher_pattern) WHERE family_id IS NOT NULL;

-- What global rules decided for a title: its product, or that it is not licensable.
ALTER TABLE software_titles ADD not_licensable INT NOT NULL CONSTRAINT df_software_titles_not_licensable DEFAULT 0;

-- What a family's local rules decided for a title in that family; it wins over the global decision there.
-- product_id NULL: the family classified the title as not licensable.
CREATE TABLE family_title_recognition (
    family_id          BIGINT NOT NULL REFERENCES organisations(id),
    software_title_id  BIGINT NOT NULL REFERENCES software_titles(id),
    product_id         BIGINT NULL REFERENCES products(id),
    rule_id            BIGINT NOT NULL REFERENCES recognition_rules(id),
    PRIMARY KEY (family_id, software_title_id)
);
CREATE INDEX ix_family_title_recognition_rule ON family_title_recognition(rule_id);
GO

-- The county family an organisation belongs to: a member municipality belongs to its county's, any other organisation
-- is a family of its own. Reconciliation, local recognition and the unrecognised list read it.
CREATE VIEW organisation_family AS
SELECT id AS organisation_id, COALESCE(CASE WHEN kind = 'municipality' THEN parent_id END, id) AS family_id
FROM organisations;
GO
