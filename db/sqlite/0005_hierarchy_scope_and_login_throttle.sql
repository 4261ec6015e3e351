-- Tenancy by construction (twin: db/sqlserver/0005_hierarchy_scope_and_login_throttle.sql).
-- A grant on an organisation covers its member municipalities only: an organisation of any other kind that names a
-- granted county as its parent gains no reader. Counties never have a parent.

DROP VIEW user_organisation_scope;

CREATE VIEW user_organisation_scope AS
SELECT g.user_id AS user_id, o.id AS organisation_id
FROM role_grants g
JOIN organisations o ON o.id = g.organisation_id OR (o.parent_id = g.organisation_id AND o.kind = 'municipality')
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

-- Failed logins counted per (user name, source address), whether or not the account exists: the lockout tells nothing
-- about which names exist, and a stranger elsewhere cannot lock a person out of their own workplace.
CREATE TABLE login_throttle (
    user_name        TEXT    NOT NULL,
    source           TEXT    NOT NULL,
    failed_attempts  INTEGER NOT NULL,
    lockout_end      TEXT    NULL,
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (user_name, source)
);
CREATE INDEX ix_login_throttle_updated ON login_throttle(updated_at);
