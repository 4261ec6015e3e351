-- Each participant of a cluster decides for itself (spec §6.4; twin: db/sqlite/0008_participant_decisions.sql).
-- Decisions attach to (suggestion, participant) and survive every refresh, which rewrites the participants but never
-- this history. The cluster's status is derived from them (and from an analyst's "implemented") and kept on the
-- suggestion for lists and filters.

CREATE TABLE participant_decisions (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    suggestion_id    BIGINT NOT NULL REFERENCES suggestions(id),
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    status           NVARCHAR(32) NOT NULL CHECK (status IN ('interested','joined','declined','withdrawn')),
    reason           NVARCHAR(MAX) NULL,
    user_id          BIGINT NULL REFERENCES users(id),
    decided_at       DATETIME2 NOT NULL
);
CREATE INDEX ix_participant_decisions ON participant_decisions(suggestion_id, organisation_id, id);
CREATE INDEX ix_participant_decisions_org ON participant_decisions(organisation_id, status);
GO

-- The decision that stands: the latest of each participant (ids grow with time).
CREATE VIEW participant_decision_latest AS
SELECT d.suggestion_id AS suggestion_id, d.organisation_id AS organisation_id, d.status AS status, d.reason AS reason, d.decided_at AS decided_at
FROM participant_decisions d
WHERE d.id = (SELECT MAX(l.id) FROM participant_decisions l WHERE l.suggestion_id = d.suggestion_id AND l.organisation_id = d.organisation_id);
GO

ALTER TABLE suggestions ADD cluster_status NVARCHAR(32) NULL CONSTRAINT ck_suggestions_cluster_status CHECK (cluster_status IN ('open','forming','agreed','dissolved','implemented'));
GO

UPDATE suggestions SET cluster_status = 'open' WHERE type IN ('joint_procurement', 'shared_operation', 'shared_data_centre');
GO
