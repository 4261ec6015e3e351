-- License tranches (issue 14; twin: db/sqlite/0012_license_tranches.sql): one contract can hold an expired tranche
-- of a product and its successor with the same metric. The optional license_key tells them apart in the natural key;
-- '' is the one license of its product and metric under a contract, as before.
ALTER TABLE licenses ADD license_key NVARCHAR(100) NOT NULL CONSTRAINT df_licenses_license_key DEFAULT '';
GO
DROP INDEX ux_licenses_key ON licenses;
CREATE UNIQUE INDEX ux_licenses_key ON licenses(organisation_id, contract_id, product_id, metric, license_key);
