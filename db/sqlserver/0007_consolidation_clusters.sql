-- Consolidation a CIO can act on (spec §6.2–6.3; twin: db/sqlite/0007_consolidation_clusters.sql).
-- Categories get a kind: specialised applications are consolidated by shared operation (EfA), infrastructure by a
-- shared data centre, never the other way round. Cross-organisation suggestions become clusters of one Land with a
-- lead, and every participant carries its own cost and share of the savings: what a county is shown is its share.

ALTER TABLE categories ADD kind NVARCHAR(32) NOT NULL CONSTRAINT df_categories_kind DEFAULT 'fachverfahren'
    CONSTRAINT ck_categories_kind CHECK (kind IN ('fachverfahren','infrastructure','office'));
GO

-- The demo catalogue's keys; a catalogue of its own gets its kinds from the administration.
UPDATE categories SET kind = 'infrastructure' WHERE category_key IN ('infrastruktur', 'infrastructure');
UPDATE categories SET kind = 'office' WHERE category_key = 'office';
GO

-- The type check of 0001 has a generated name: found and replaced by one that allows shared_data_centre.
DECLARE @check sysname = (
    SELECT cc.name FROM sys.check_constraints cc
    JOIN sys.columns c ON c.object_id = cc.parent_object_id AND c.column_id = cc.parent_column_id
    WHERE cc.parent_object_id = OBJECT_ID('suggestions') AND c.name = 'type');
IF @check IS NOT NULL EXEC('ALTER TABLE suggestions DROP CONSTRAINT ' + @check);
GO

ALTER TABLE suggestions ADD CONSTRAINT ck_suggestions_type CHECK (type IN ('right_size','compliance_risk','terminate_contract','redundant_applications','joint_procurement','shared_operation','hosting_compliance','member_pooling','shared_data_centre'));

-- A cluster's Land, lead, the participants' summed annual cost, the savings share (or discount) in percent,
-- the one-off migration cost of all participants and its payback in months.
ALTER TABLE suggestions ADD
    state_code            NVARCHAR(8)   NULL,
    lead_organisation_id  BIGINT        NULL REFERENCES organisations(id),
    cluster_annual_cost   DECIMAL(18,2) NULL,
    share_percent         DECIMAL(9,4)  NULL,
    migration_cost        DECIMAL(18,2) NULL,
    payback_months        DECIMAL(9,1)  NULL;

-- Each participant's own annual cost for what the suggestion concerns, its share of the savings, its users (for the
-- cost allocation) and its one-off migration cost.
ALTER TABLE suggestion_organisations ADD
    annual_cost     DECIMAL(18,2) NULL,
    savings_share   DECIMAL(18,2) NULL,
    users           INT           NULL,
    migration_cost  DECIMAL(18,2) NULL;
GO

-- Until the next refresh recomputes them: a participant's share is the whole saving when it is the only participant,
-- else an equal part (what the dashboard counted so far).
UPDATE so
SET savings_share = s.estimated_savings / (SELECT COUNT(*) FROM suggestion_organisations t WHERE t.suggestion_id = so.suggestion_id AND t.role = 'participant')
FROM suggestion_organisations so JOIN suggestions s ON s.id = so.suggestion_id
WHERE so.role = 'participant';
GO
