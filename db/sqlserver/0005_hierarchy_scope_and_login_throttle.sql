-- Tenancy by construction (twin: db/sqlite/0005_hierarchy_scope_and_login_throttle.sql).
-- A grant on an organisation covers its member municipalities only: an organisation of any other kind that names a
-- granted county as its parent gains no reader. Counties never have a parent.

DROP VIEW user_organisation_scope;
GO

-- What each organisation grant covers: the granted organisation and its member municipalities. The one definition of
-- it: the scope view below and the scope the application loads per request (ScopeService) both read this view.
CREATE VIEW grant_coverage AS
SELECT g.id AS grant_id, g.user_id AS user_id, g.role AS role, o.id AS organisation_id
FROM role_grants g
JOIN organisations o ON o.id = g.organisation_id OR (o.parent_id = g.organisation_id AND o.kind = 'municipality');
GO

CREATE VIEW user_organisation_scope AS
SELECT c.user_id AS user_id, c.organisation_id AS organisation_id
FROM grant_coverage c
WHERE c.role IN ('cio','license_manager','reader')
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

-- Failed logins counted per (user name, source address), whether or not the account exists: the lockout tells nothing
-- about which names exist, and a stranger elsewhere cannot lock a person out of their own workplace.
CREATE TABLE login_throttle (
    user_name        NVARCHAR(256)  NOT NULL,
    source           NVARCHAR(64)   NOT NULL,
    failed_attempts  INT            NOT NULL,
    lockout_end      DATETIME2      NULL,
    updated_at       DATETIME2      NOT NULL,
    CONSTRAINT pk_login_throttle PRIMARY KEY (user_name, source)
);
CREATE INDEX ix_login_throttle_updated ON login_throttle(updated_at);
