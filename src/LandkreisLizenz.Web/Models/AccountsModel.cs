using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Web.Models;

/// <param name="IsAdmin">Admins may grant every role; a CIO the county roles within the county.</param>
public sealed record AccountsModel(IReadOnlyList<Account> Accounts, bool IsAdmin, string? Message, string? Error);
