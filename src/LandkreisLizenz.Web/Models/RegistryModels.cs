using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Models;

public sealed record UnrecognisedModel(
    Paged<LandkreisLizenz.Core.Recognition.UnrecognisedSoftware> Page,
    string? Search,
    string? Message);

/// <summary>The mapping form, filled again with <see cref="Draft"/> and its <see cref="Error"/> when a preview was refused.</summary>
public sealed record MapTitleModel(
    LandkreisLizenz.Core.Recognition.MappingContext Context,
    IReadOnlyList<CatalogueEntry> Products,
    LandkreisLizenz.Core.Recognition.RuleDraft? Draft = null,
    string? Error = null);

public sealed record RulePreviewModel(
    LandkreisLizenz.Core.Recognition.UnrecognisedSoftware Title,
    LandkreisLizenz.Core.Recognition.RuleDraft Draft,
    LandkreisLizenz.Core.Recognition.RulePreview Preview);

public sealed record PromotionPreviewModel(long RuleId, LandkreisLizenz.Core.Recognition.RulePreview Preview);

public sealed record RulesModel(
    Paged<LandkreisLizenz.Core.Recognition.RuleListItem> Page,
    string? Search,
    bool MayPromote,
    Func<LandkreisLizenz.Core.Recognition.RuleListItem, bool> MayDelete,
    string? Message);

public sealed record AuditModel(Paged<LandkreisLizenz.Core.Audit.AuditListItem> Page, LandkreisLizenz.Core.Audit.AuditFilter Filter);
