using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Models;

public sealed record OrganisationListModel(Paged<OrganisationListItem> Page, OrganisationFilter Filter);

public sealed record OrganisationPageModel(OrganisationDetail Organisation, Paged<ApplicationListItem> Applications);
