-- Each participant of a cluster decides for itself (spec §6.4; twin: db/sqlserver/0008_participant_decisions.sql).
-- Decisions attach to (suggestion, participant) and survive every refresh, which rewrites the participants but never
-- this history. The cluster's status is derived from them (and from an analyst's "implemented") and kept on the
-- suggestion for lists and filters.

CREATE TABLE participant_decisions (
    id               INTEGER PRIMARY KEY,
    suggestion_id    INTEGER NOT NULL REFERENCES suggestions(id),
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
    status           TEXT    NOT NULL CHECK (status IN ('interested','joined','declined','withdrawn')),
    reason           TEXT    NULL,
    user_id          INTEGER NULL REFERENCES users(id),
    decided_at       TEXT    NOT NULL
);
CREATE INDEX ix_participant_decisions ON participant_decisions(suggestion_id, organisation_id, id);
CREATE INDEX ix_participant_decisions_org ON participant_decisions(organisation_id, status);

-- The decision that stands: the latest of each participant (ids grow with time).
CREATE VIEW participant_decision_latest AS
SELECT d.suggestion_id AS suggestion_id, d.organisation_id AS organisation_id, d.status AS status, d.reason AS reason, d.decided_at AS decided_at
FROM participant_decisions d
WHERE d.id = (SELECT MAX(l.id) FROM participant_decisions l WHERE l.suggestion_id = d.suggestion_id AND l.organisation_id = d.organisation_id);

ALTER TABLE suggestions ADD COLUMN cluster_status TEXT NULL CHECK (cluster_status IN ('open','forming','agreed','dissolved','implemented'));
UPDATE suggestions SET cluster_status = 'open' WHERE type IN ('joint_procurement', 'shared_operation', 'shared_data_centre');
