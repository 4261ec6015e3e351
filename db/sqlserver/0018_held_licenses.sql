-- Held license tranches (issue 14; twin: db/sqlite/0018_held_licenses.sql): an i-doit license object is named in
-- i-doit's words and recognised like a software title. Until a rule decides its name, each tranche is held here with what
-- the license needs (contract, metric, license key, count, price, validity) and moves into licenses with the decision.
-- A tranche's subject is its key within the name ("contract id/metric/license key"), so that the one unique index keeps
-- one row per tranche; the columns carry the values its release writes into licenses.
-- The kind's CHECK of 0016 has a generated name; it is looked up to be replaced.
DECLARE @kindCheck sysname = (SELECT name FROM sys.check_constraints WHERE parent_object_id = OBJECT_ID('held_evidence') AND definition LIKE '%user_assignments%');
DECLARE @dropKindCheck nvarchar(400) = N'ALTER TABLE held_evidence DROP CONSTRAINT ' + QUOTENAME(@kindCheck);
IF @kindCheck IS NOT NULL EXEC sp_executesql @dropKindCheck;

ALTER TABLE held_evidence ADD
    contract_id  BIGINT         NULL CONSTRAINT fk_held_evidence_contract REFERENCES contracts(id),
    metric       NVARCHAR(40)   NULL,
    license_key  NVARCHAR(100)  NULL,
    unit_price   DECIMAL(18, 2) NULL,
    valid_from   DATE           NULL,
    valid_to     DATE           NULL;

ALTER TABLE held_evidence ADD CONSTRAINT ck_held_evidence_kind CHECK (kind IN ('user_assignments','usage_peaks','licenses'));
ALTER TABLE held_evidence ADD CONSTRAINT ck_held_evidence_license
    CHECK ((kind = 'licenses' AND contract_id IS NOT NULL AND metric IS NOT NULL AND license_key IS NOT NULL AND quantity IS NOT NULL)
        OR (kind <> 'licenses' AND contract_id IS NULL AND metric IS NULL AND license_key IS NULL));
CREATE INDEX ix_held_evidence_contract ON held_evidence(contract_id) WHERE contract_id IS NOT NULL;
