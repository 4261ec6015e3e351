-- One-time initial passwords (issue 14; twin: db/sqlite/0015_initial_passwords.sql): an account created or reset on the
-- user management page signs in with its initial password only to choose its own; until then no session is issued.
ALTER TABLE users ADD must_change_password BIT NOT NULL CONSTRAINT df_users_must_change_password DEFAULT 0;
