-- One-time initial passwords (issue 14; twin: db/sqlserver/0015_initial_passwords.sql): an account created or reset on the
-- user management page signs in with its initial password only to choose its own; until then no session is issued.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
