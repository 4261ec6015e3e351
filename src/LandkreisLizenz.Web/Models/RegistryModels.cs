using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Models;

public sealed record OrganisationListModel(Paged<OrganisationListItem> Page, OrganisationFilter Filter);

public sealed record OrganisationPageModel(OrganisationDetail Organisation, Paged<ApplicationListItem> Applications);

public sealed record UnrecognisedModel(
    Paged<LandkreisLizenz.Core.Recognition.UnrecognisedSoftware> Page,
    string? Search,
    string? Message);

public sealed record MapTitleModel(LandkreisLizenz.Core.Recognition.UnrecognisedSoftware Title, IReadOnlyList<CatalogueEntry> Products);
