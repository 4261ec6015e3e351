-- The snapshot an inventory import last wrote for a device (issue 14; twin: db/sqlite/0017_device_snapshot_hash.sql):
-- "rows:hash", the number of its installations and the order-independent 128-bit hash of them (hex). A re-import of an
-- unchanged device compares this one value instead of reading the device's installations back. NULL where the
-- installations were written some other way (the demo estate): the import then hashes the stored rows themselves.
ALTER TABLE devices ADD installations_hash NVARCHAR(50) NULL;
