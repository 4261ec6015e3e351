-- License tranches (issue 14; twin: db/sqlserver/0012_license_tranches.sql): one contract can hold an expired tranche
-- of a product and its successor with the same metric. The optional license_key tells them apart in the natural key;
-- '' is the one license of its product and metric under a contract, as before.
ALTER TABLE licenses ADD COLUMN license_key TEXT NOT NULL DEFAULT '';
DROP INDEX ux_licenses_key;
CREATE UNIQUE INDEX ux_licenses_key ON licenses(organisation_id, contract_id, product_id, metric, license_key);
