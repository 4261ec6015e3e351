using GraphQL;
using GraphQL.Types;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Web.GraphQL;

public sealed class PositionGraphType : ObjectGraphType<PositionView>
{
    public PositionGraphType()
    {
        Name = "LicensePosition";
        Description = "Latest reconciliation result for one (organisation pool, product, metric): entitlement against consumption (spec §2).";
        Field(p => p.ProductName).Description("Product name.");
        Field(p => p.Vendor).Description("Vendor.");
        Field(p => p.CategoryName).Description("Category (German name).");
        Field(p => p.Metric).Description("License metric.");
        Field(p => p.Entitlement, nullable: true).Description("Licenses held; null for site licenses (unlimited).");
        Field(p => p.Consumption).Description("Consumption by the metric.");
        Field(p => p.Balance, nullable: true).Description("Entitlement minus consumption.");
        Field(p => p.Status).Description("unlicensed, shortfall, surplus or compliant.");
        Field(p => p.RiskAmount, nullable: true).Description("Money at risk in euros (shortfall/unlicensed).");
        Field(p => p.Unused).Description("Devices or users whose every installation or assignment is unused.");
        Field(p => p.Savings, nullable: true).Description("Annual savings of right-sizing in euros.");
        this.Owner(p => p.OrganisationId);
        Field<ProductGraphType>("product").Description("The product.").Resolve(c => c.Product(c.Source.ProductId));
    }
}

public sealed class DeadlineGraphType : ObjectGraphType<Deadline>
{
    public DeadlineGraphType()
    {
        Name = "NoticeDeadline";
        Description = "The next notice deadline of a contract (BGB term rules, spec §3).";
        Field<NonNullGraphType<IdGraphType>>("contractId").Description("Global id of the contract.").Resolve(c => Resolve.GlobalId("Contract", c.Source.ContractId));
        Field<ContractGraphType>("contract").Description("The contract.").Resolve(c => c.Contract(c.Source.ContractId));
        Field(d => d.OrganisationName).Description("Contracting organisation.");
        Field(d => d.ContractKey).Description("Contract key within the organisation.");
        Field(d => d.Title).Description("Contract title.");
        Field(d => d.Vendor).Description("Vendor.");
        Field<NonNullGraphType<DateOnlyGraphType>>("termEnd").Description("End of the term the notice refers to.").Resolve(c => c.Source.TermEnd);
        Field<NonNullGraphType<DateOnlyGraphType>>("noticeDeadline").Description("Last day the notice must be received.").Resolve(c => c.Source.NoticeDeadline);
        Field<NonNullGraphType<IntGraphType>>("daysLeft").Description("Days from today to the deadline.").Resolve(c => c.Source.DaysLeft(c.Today()));
        Field(d => d.NoticePeriodMonths).Description("Notice period in months.");
        Field(d => d.AnnualCost, nullable: true).Description("Annual cost in euros.");
    }
}

public sealed class SuggestionParticipantGraphType : ObjectGraphType<SuggestionParticipant>
{
    public SuggestionParticipantGraphType()
    {
        Name = "SuggestionParticipant";
        Description = "An organisation taking part in a suggestion, within the caller's scope.";
        Field<NonNullGraphType<StringGraphType>>("role").Description("Role in the suggestion: participant, operator_candidate or coordinator.").Resolve(c => c.Source.Role);
        Field<OrganisationGraphType>("organisation").Description("The organisation.").Resolve(c => c.Organisation(c.Source.Id));
        Field(p => p.AnnualCost, nullable: true).Description("The organisation's own annual cost for what the suggestion concerns, in euros.");
        Field(p => p.SavingsShare, nullable: true).Description("The organisation's share of the annual savings, in euros (spec §6.3).");
        Field(p => p.Decision, nullable: true).Description("In a cluster: the participant's decision that stands — interested, joined, declined or withdrawn; null before it decided.");
    }
}

public sealed class SuggestionDecisionGraphType : ObjectGraphType<(string Status, string? Reason, string? UserName, DateTime DecidedAt)>
{
    public SuggestionDecisionGraphType()
    {
        Name = "SuggestionDecision";
        Description = "One decision on a suggestion (history, oldest first).";
        Field<NonNullGraphType<StringGraphType>>("status").Description("Status set by the decision.").Resolve(c => c.Source.Status);
        Field<StringGraphType>("reason").Description("Reason given (required for rejections).").Resolve(c => c.Source.Reason);
        Field<StringGraphType>("userName").Description("Who decided; null for the system.").Resolve(c => c.Source.UserName);
        Field<NonNullGraphType<DateTimeGraphType>>("decidedAt").Description("When (UTC).").Resolve(c => c.Source.DecidedAt);
    }
}

public sealed class SuggestionGraphType : ObjectGraphType<SuggestionListItem>
{
    public SuggestionGraphType()
    {
        Name = "Suggestion";
        Description = "A consolidation or optimisation proposal (spec §4) with its rationale and decisions.";
        this.GlobalId("Suggestion", s => s.Id);
        Field(s => s.Type).Description("right_size, compliance_risk, terminate_contract, redundant_applications, joint_procurement, shared_operation, hosting_compliance, member_pooling or shared_data_centre.");
        Field(s => s.Status).Description("new, in_review, accepted, rejected, implemented or obsolete.");
        Field(s => s.ClusterStatus, nullable: true).Description("For a cluster, derived from its participants' decisions: open, forming, agreed, dissolved or implemented.");
        Field(s => s.Title).Description("German title.");
        Field<DecimalGraphType>("estimatedSavings").Description("Estimated annual savings in euros for the caller's organisations: their share of a cluster (spec §6.3).")
            .Resolve(c => c.Source.OwnSavings);
        Field<DecimalGraphType>("clusterSavings").Description("Estimated annual savings in euros of all participants together (the cluster total).")
            .Resolve(c => c.Source.EstimatedSavings);
        Field(s => s.RiskAmount, nullable: true).Description("Compliance risk in euros.");
        Field<NonNullGraphType<DateTimeGraphType>>("firstSeenAt").Description("When the rule first found it (UTC).").Resolve(c => c.Source.FirstSeenAt);
        Field<StringGraphType>("rationale").Description("Why, with the figures (German).").Resolve(c => Detail(c).Then(d => d?.Rationale));
        Field<DateTimeGraphType>("obsoleteSince").Description("Since when its condition no longer holds (UTC).").Resolve(c => Detail(c).Then(d => d?.ObsoleteSince));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SuggestionParticipantGraphType>>>>("participants")
            .Description("Participating organisations the caller may see.")
            .Resolve(c => Detail(c).Then(d => d is null ? [] : d.Organisations.Where(o => d.VisibleOrganisationIds.Contains(o.Id)).ToList()));
        Field<NonNullGraphType<IntGraphType>>("participantCount").Description("Number of all participating organisations.").Resolve(c => Detail(c).Then(d => d?.Organisations.Count ?? 0));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SuggestionDecisionGraphType>>>>("decisions").Description("Decision history, oldest first.")
            .Resolve(c => Detail(c).Then(d => d?.History ?? []));
        Field<CostAllocationGraphType>("costAllocation").Description("For a cluster: how its future cost would be shared (null otherwise).")
            .Argument<StringGraphType>("key", "users (default), inhabitants, equal or mixed.")
            // From the batched detail the other fields read too: no statement per suggestion of a list.
            .Resolve(c => Detail(c).Then(d => d is null ? null : SuggestionService.Allocation(d, c.GetArgument<string?>("key"))));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SuggestionObjectGraphType>>>>("objects")
            .Description("What the suggestion concerns: the applications, contracts, products and hostings it names, as the page lists them.")
            // A suggestion names 2.6 objects on average in the demo estate (a large cluster more), not the default list estimate.
            .WithComplexityImpact(1, 3)
            .Resolve(c => Detail(c).Then(d => d?.Objects ?? []));
        Field<SuggestionClusterGraphType>("cluster").Description("For a cluster (joint_procurement, shared_operation, shared_data_centre): its Land, lead and figures (spec §6.2–6.3); null otherwise.")
            .Resolve(c => Detail(c).Then(d => d is { IsCluster: true } ? d : null));
    }

    private static global::GraphQL.DataLoader.IDataLoaderResult<SuggestionDetail?> Detail(IResolveFieldContext<SuggestionListItem> c) =>
        c.SuggestionDetail(c.Source.Id);
}

public sealed class ReconciliationRunGraphType : ObjectGraphType<RunSummary>
{
    public ReconciliationRunGraphType()
    {
        Name = "ReconciliationRun";
        Description = "A run of the license reconciliation (Lizenzabgleich) over one organisation or the whole estate.";
        this.GlobalId("ReconciliationRun", r => r.Id);
        Field(r => r.Kind).Description("full (nightly), manual, import or family.");
        Field<NonNullGraphType<DateOnlyGraphType>>("asOf").Description("Business date the run reconciled.").Resolve(c => c.Source.AsOf);
        Field(r => r.Status).Description("running, succeeded or failed.");
        Field<NonNullGraphType<DateTimeGraphType>>("startedAt").Description("Start (UTC).").Resolve(c => c.Source.StartedAt);
        Field<DateTimeGraphType>("finishedAt").Description("End (UTC).").Resolve(c => c.Source.FinishedAt);
        Field(r => r.PositionsCount).Description("Positions written.");
        Field(r => r.OrganisationsCount).Description("Organisations reconciled.");
        Field(r => r.FamiliesTotal).Description("Families (county with its municipalities) to reconcile.");
        Field(r => r.FamiliesDone).Description("Families done.");
        Field(r => r.Checksum, nullable: true).Description("SHA-256 over the positions: equal for runs with equal results.");
        Field<OrganisationGraphType>("organisation").Description("The organisation the run was started for; null for the whole estate.")
            .Resolve(c => c.Source.OrganisationId is { } id ? c.Organisation(id) : null);
    }
}

public sealed class NotificationGraphType : ObjectGraphType<Notification>
{
    public NotificationGraphType()
    {
        Name = "Notification";
        Description = "A message to the caller (notice deadline reminders, finished imports).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Global id.").Resolve(c => Resolve.GlobalId("Notification", c.Source.Id));
        Field(n => n.Kind).Description("Kind of message.");
        Field(n => n.Title).Description("Title (German).");
        Field(n => n.Body).Description("Text (German).");
        Field(n => n.Link, nullable: true).Description("Path of the page it refers to.");
        Field<NonNullGraphType<DateTimeGraphType>>("createdAt").Description("When (UTC).").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeGraphType>("readAt").Description("When it was read (UTC); null while unread.").Resolve(c => c.Source.ReadAt);
    }
}

public sealed class ImportBatchGraphType : ObjectGraphType<ImportBatch>
{
    public ImportBatchGraphType()
    {
        Name = "ImportBatch";
        Description = "An uploaded CSV file and its validation and import (spec §5).";
        this.GlobalId("ImportBatch", b => b.Id);
        Field(b => b.Format).Description("Import format.");
        Field(b => b.FileName).Description("File name.");
        Field(b => b.FileSize).Description("Size in bytes.");
        Field(b => b.Status).Description("uploaded, validating, previewed, rejected, committing, completed or failed.");
        Field(b => b.TotalRows).Description("Data rows in the file.");
        Field(b => b.ProcessedRows).Description("Rows processed so far.");
        Field(b => b.InsertedRows).Description("Rows inserted.");
        Field(b => b.UpdatedRows).Description("Rows updated.");
        Field(b => b.UnchangedRows).Description("Rows unchanged.");
        Field(b => b.ErrorCount).Description("Rows with errors.");
        Field(b => b.UserName).Description("Who uploaded it.");
        Field<NonNullGraphType<DateTimeGraphType>>("createdAt").Description("Upload (UTC).").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeGraphType>("finishedAt").Description("End of the import (UTC).").Resolve(c => c.Source.FinishedAt);
        Field<OrganisationGraphType>("organisation").Description("Organisation of the uploader.").Resolve(c => c.Source.OrganisationId is { } id ? c.Organisation(id) : null);
    }
}

public sealed class NamedValueGraphType : ObjectGraphType<NamedValue>
{
    public NamedValueGraphType()
    {
        Name = "NamedValue";
        Description = "A figure of a dashboard chart with its key and German label.";
        Field(v => v.Key).Description("Key (e.g. status or model).");
        Field(v => v.Label).Description("German label.");
        Field(v => v.Value).Description("Value (euros or counts, as the field says).");
    }
}

public sealed class TrendValueGraphType : ObjectGraphType<TrendValue>
{
    public TrendValueGraphType()
    {
        Name = "TrendValue";
        Description = "Risk and license spend as of one reconciliation run.";
        Field<NonNullGraphType<DateOnlyGraphType>>("asOf").Description("Business date of the run.").Resolve(c => c.Source.AsOf);
        Field(v => v.Risk).Description("Compliance risk in euros.");
        Field(v => v.LicenseSpend).Description("Annual license spend in euros.");
    }
}

public sealed class DashboardGraphType : ObjectGraphType<CioDashboard>
{
    public DashboardGraphType()
    {
        Name = "Dashboard";
        Description = "The CIO dashboard figures of a county with its municipalities (or of one organisation).";
        Field<OrganisationGraphType>("organisation").Description("The organisation.").Resolve(c => c.Organisation(c.Source.OrganisationId));
        Field(d => d.Applications).Description("Applications.");
        Field(d => d.ApplicationsOnOwnServers).Description("Applications on own servers (operator self).");
        Field(d => d.ApplicationsOnDvsHosting).Description("Applications on hosting that meets the DVS criteria.");
        Field(d => d.OwnServerShare).Description("Share on own servers (0–1).");
        Field(d => d.DvsShare).Description("Share on DVS-conformant hosting (0–1).");
        Field(d => d.AnnualLicenseSpend).Description("Annual license spend in euros.");
        Field(d => d.AnnualOperatingSpend).Description("Annual operating spend in euros.");
        Field(d => d.ComplianceRisk).Description("Compliance risk in euros.");
        Field(d => d.SavingsPotential).Description("Savings potential of open suggestions in euros per year.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NamedValueGraphType>>>>("savingsByType").Description("Savings potential by suggestion type.").Resolve(c => c.Source.SavingsByType);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NamedValueGraphType>>>>("spendByCategory").Description("License spend by category.").Resolve(c => c.Source.SpendByCategory);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NamedValueGraphType>>>>("hostingModels").Description("Applications by hosting model.").Resolve(c => c.Source.HostingModels);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NamedValueGraphType>>>>("positionsByStatus").Description("License positions by status.").Resolve(c => c.Source.PositionsByStatus);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TrendValueGraphType>>>>("trend").Description("Risk and spend over the runs.").Resolve(c => c.Source.Trend);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DeadlineGraphType>>>>("nextDeadlines").Description("Next notice deadlines.").Resolve(c => c.Source.NextDeadlines);
    }
}

public sealed class MeasureGraphType : ObjectGraphType<Measure>
{
    public MeasureGraphType()
    {
        Name = "Measure";
        Description = "A measure (Maßnahme) of one organisation, from an accepted suggestion or an agreed cluster it joined (spec §6.4).";
        this.GlobalId("Measure", m => m.Id);
        Field(m => m.Status).Description("planned, in_progress, done or cancelled.");
        Field(m => m.SuggestionTitle).Description("Title of the suggestion it comes from (German).");
        Field(m => m.Responsible, nullable: true).Description("Who is responsible.");
        Field<DateGraphType>("dueDate").Description("When it is due.").Resolve(c => c.Source.DueDate?.ToDateTime(TimeOnly.MinValue));
        Field(m => m.PlannedSavings, nullable: true).Description("Annual savings planned, in euros: the organisation's share.");
        Field(m => m.RealisedSavings, nullable: true).Description("Annual savings realised, in euros, as entered.");
        Field(m => m.RowVersion).Description("Row version for optimistic concurrency (pass it to updateMeasure).");
        Field<OrganisationGraphType>("organisation").Description("The organisation.").Resolve(c => c.Organisation(c.Source.OrganisationId));
        Field<SuggestionGraphType>("suggestion").Description("The suggestion (or cluster) the measure comes from.")
            .Resolve(c => c.SuggestionDetail(c.Source.SuggestionId).Then(d => d?.ToListItem()));
    }
}

/// <summary>One object a suggestion names; the object itself only where the caller may see it (a cluster names other counties' objects by label).</summary>
public sealed class SuggestionObjectGraphType : ObjectGraphType<(string Type, long Id, string Label)>
{
    // suggestion_objects.object_type → the node type that looks it up.
    private static readonly Dictionary<string, string> NodeTypes = new(StringComparer.Ordinal)
    {
        ["application"] = "Application", ["contract"] = "Contract", ["product"] = "Product", ["hosting"] = "Hosting",
    };

    public SuggestionObjectGraphType()
    {
        Name = "SuggestionObject";
        Description = "An application, contract, product or hosting a suggestion concerns.";
        Field<NonNullGraphType<StringGraphType>>("kind").Description("application, contract, product or hosting.").Resolve(c => c.Source.Type);
        Field<NonNullGraphType<StringGraphType>>("label").Description("Its name or title as the suggestion shows it.").Resolve(c => c.Source.Label);
        Field<NodeInterface>("object").Description("The object (Application, Contract, Product or Hosting); null where it lies outside the caller's scope or was deleted.")
            .Resolve(c => NodeTypes.TryGetValue(c.Source.Type, out var type) ? c.NodeOf(type, c.Source.Id) : null);
    }
}

/// <summary>A cluster's own figures (spec §6.2–6.3).</summary>
public sealed class SuggestionClusterGraphType : ObjectGraphType<SuggestionDetail>
{
    public SuggestionClusterGraphType()
    {
        Name = "SuggestionCluster";
        Description = "A cross-county cluster of one Land: who leads it and what it would cost and save (spec §6.2–6.3).";
        Field(d => d.StateCode, nullable: true).Description("Two-digit code of the Land the cluster lies in.");
        Field(d => d.LeadName, nullable: true).Description("Name of the lead organisation (operator or coordinator).");
        Field<OrganisationGraphType>("lead").Description("The lead organisation; null where it lies outside the caller's scope.")
            .Resolve(c => c.Source.LeadOrganisationId is { } id ? c.Organisation(id) : null);
        Field<DecimalGraphType>("annualCost").Description("The participants' annual cost today together, in euros.").Resolve(c => c.Source.ClusterAnnualCost);
        Field(d => d.SharePercent, nullable: true).Description("Share of the cost saved by operating once, in per cent.");
        Field(d => d.MigrationCost, nullable: true).Description("One-off migration cost of all participants, in euros.");
        Field(d => d.PaybackMonths, nullable: true).Description("Months until the savings have paid the migration.");
    }
}

public sealed class AllocationLineGraphType : ObjectGraphType<AllocationLine>
{
    public AllocationLineGraphType()
    {
        Name = "CostAllocationLine";
        Description = "One participant's cost today and after the shared operation, by the chosen key.";
        Field(l => l.Name).Description("Participating organisation.");
        Field(l => l.Ags).Description("Its AGS or key.");
        Field(l => l.CostToday).Description("Annual cost today, in euros.");
        Field(l => l.CostAfter).Description("Annual cost allocated after the shared operation, in euros.");
        Field(l => l.Difference).Description("After − today, in euros (negative: it saves).");
    }
}

public sealed class CostAllocationGraphType : ObjectGraphType<CostAllocationResult>
{
    public CostAllocationGraphType()
    {
        Name = "CostAllocation";
        Description = "A cluster's future annual cost (its participants' cost today − the savings) shared among them (spec §6.3).";
        Field(a => a.Key).Description("users, inhabitants, equal or mixed.");
        Field(a => a.CostToday).Description("The participants' annual cost today together, in euros.");
        Field(a => a.FutureCost).Description("The annual cost of the shared operation, in euros.");
        Field(a => a.Note, nullable: true).Description("Why the key fell back to equal parts, if it did (German).");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AllocationLineGraphType>>>>("lines").Description("Per participant.").Resolve(c => c.Source.Lines);
    }
}

/// <summary>A software title no rule decides yet, with what it counts in the caller's scope (the page "Nicht erkannte Software").</summary>
public sealed class UnrecognisedSoftwareGraphType : ObjectGraphType<UnrecognisedSoftware>
{
    public UnrecognisedSoftwareGraphType()
    {
        Name = "UnrecognisedSoftware";
        Description = "A software title, license server feature, Microsoft 365 SKU or directory group no recognition rule decides yet (spec §6.1, §7).";
        Field<NonNullGraphType<IdGraphType>>("softwareTitle").Description("Global id of the title, for mapSoftwareTitle.")
            .Resolve(c => Resolve.GlobalId("SoftwareTitle", c.Source.SoftwareTitleId));
        Field(s => s.Name).Description("The name as the source tool reports it.");
        Field(s => s.Publisher).Description("The publisher as reported, or the source (FlexLM, Microsoft 365, Verzeichnisgruppe, i-doit).");
        Field(s => s.Devices).Description("Devices in the caller's scope with an installation of it.");
        Field(s => s.Installations).Description("Installations in the caller's scope.");
        Field(s => s.HeldEvidence).Description("Assignments, monthly peaks or license tranches held under this name until it is mapped.");
    }
}

/// <summary>What a new recognition rule decided at once.</summary>
public sealed class SoftwareMappingGraphType : ObjectGraphType<MappingResult>
{
    public SoftwareMappingGraphType()
    {
        Name = "SoftwareMapping";
        Description = "The rule made by mapSoftwareTitle and what it recognised at once.";
        Field(m => m.TitlesRecognised).Description("Titles the rule decided.");
        Field(m => m.InstallationsReattributed).Description("Installations now attributed to the product (or set aside as not licensable).");
        Field(m => m.Organisations).Description("Organisations whose license positions are reconciled again.");
    }
}
