-- ASP.NET Core Data Protection key ring in the database (twin: db/sqlserver/0003_data_protection_keys.sql).
-- Nodes share nothing but the database: a cookie or antiforgery token protected by one node is read by every other.
-- Keys are stored as the XML the key manager writes; encrypt them at rest in production (docs/operations.md).

CREATE TABLE data_protection_keys (
    id             INTEGER PRIMARY KEY,
    friendly_name  TEXT    NOT NULL,
    xml            TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_data_protection_keys_name ON data_protection_keys(friendly_name);
