using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Models;

public sealed record UnrecognisedModel(
    Paged<LandkreisLizenz.Core.Recognition.UnrecognisedSoftware> Page,
    string? Search,
    string? Message);

public sealed record MapTitleModel(LandkreisLizenz.Core.Recognition.UnrecognisedSoftware Title, IReadOnlyList<CatalogueEntry> Products);

public sealed record AuditModel(Paged<LandkreisLizenz.Core.Audit.AuditListItem> Page, LandkreisLizenz.Core.Audit.AuditFilter Filter);
