using Dapper;

namespace LandkreisLizenz.Core.Security;

/// <summary>A role held on an organisation, with the organisations it covers (the organisation and its members).</summary>
public sealed record RoleGrant(string Role, long? OrganisationId, IReadOnlySet<long> CoveredOrganisationIds);

/// <summary>
/// Who is asking. Every Core query and command takes one; reads filter through
/// <see cref="OrganisationFilter"/>, writes check <see cref="CanWrite"/>.
/// </summary>
public sealed class CallerScope
{
    private const string UserFilterSql =
        "IN (SELECT uos.organisation_id FROM user_organisation_scope uos WHERE uos.user_id = @ScopeUserId)";

    private CallerScope(long userId, string userName, IReadOnlyList<RoleGrant> grants, bool isSystem, bool readOnly = false)
    {
        UserId = userId;
        UserName = userName;
        Grants = grants;
        IsSystem = isSystem;
        ReadOnly = readOnly;
    }

    /// <summary>An API token with scope "read": every write is refused, whatever the user's roles.</summary>
    public bool ReadOnly { get; }

    public long UserId { get; }

    public string UserName { get; }

    public IReadOnlyList<RoleGrant> Grants { get; }

    /// <summary>Background jobs and the command line act for the whole estate.</summary>
    public bool IsSystem { get; }

    public bool IsAdmin => IsSystem || Grants.Any(g => g.Role == Roles.Admin);

    public bool IsVerbundAnalyst => Grants.Any(g => g.Role == Roles.VerbundAnalyst);

    public bool HasRole(string role) => IsSystem || Grants.Any(g => g.Role == role);

    public static CallerScope ForUser(long userId, string userName, IReadOnlyList<RoleGrant> grants) =>
        new(userId, userName, grants, isSystem: false);

    public static CallerScope System(string purpose) => new(0, "system:" + purpose, [], isSystem: true);

    /// <summary>
    /// SQL predicate restricting <paramref name="organisationIdColumn"/> to what the caller may read;
    /// binds <c>@ScopeUserId</c> (see <see cref="Bind"/>). The column name comes from code, never from input.
    /// </summary>
    public string OrganisationFilter(string organisationIdColumn) =>
        IsSystem || IsAdmin ? "1 = 1" : organisationIdColumn + " " + UserFilterSql;

    /// <summary>
    /// SQL predicate restricting <paramref name="organisationIdColumn"/> to the organisations the caller's grants of
    /// <paramref name="role"/> cover (admins: all); binds <c>@ScopeUserId</c>. Role and column come from code.
    /// </summary>
    public string RoleFilter(string role, string organisationIdColumn) =>
        IsSystem || IsAdmin
            ? "1 = 1"
            : $"{organisationIdColumn} IN (SELECT c.organisation_id FROM grant_coverage c WHERE c.user_id = @ScopeUserId AND c.role = '{Roles.Known(role)}')";

    public DynamicParameters Bind(object? parameters = null)
    {
        var p = new DynamicParameters(parameters);
        p.Add("ScopeUserId", UserId);
        return p;
    }

    /// <summary>The organisation lies in what the caller's organisation grants cover (admins: every organisation).</summary>
    public bool Covers(long organisationId) => IsAdmin || Grants.Any(g => g.CoveredOrganisationIds.Contains(organisationId));

    public bool CanWrite(long organisationId) =>
        !ReadOnly && (IsAdmin || Grants.Any(g => g.Role == Roles.LicenseManager && g.CoveredOrganisationIds.Contains(organisationId)));

    /// <summary>May change what all share (spec §6.1): categories, products and global recognition rules. Admins only.</summary>
    public bool CanWriteCatalogue => !ReadOnly && IsAdmin;

    /// <summary>May upload imports (each row is then checked against the writes it makes) and make local recognition rules.</summary>
    public bool CanImport => !ReadOnly && (IsAdmin || HasRole(Roles.LicenseManager));

    /// <summary>The scope an API token acts with: read-only, and for a license manager's token only the grants on its organisation.</summary>
    public CallerScope ForToken(bool readOnly, long? organisationId) => new(UserId, UserName,
        organisationId is { } id ? Grants.Where(g => g.OrganisationId == id || g.CoveredOrganisationIds.Contains(id)).ToList() : Grants,
        IsSystem, readOnly);

    public bool HoldsRoleFor(string role, long organisationId) =>
        IsAdmin || Grants.Any(g => g.Role == role && g.CoveredOrganisationIds.Contains(organisationId));

    /// <summary>Organisations the caller holds an organisation role on (not their members); for headings and defaults.</summary>
    public IReadOnlyList<long> HomeOrganisationIds =>
        Grants.Where(g => g.OrganisationId is not null).Select(g => g.OrganisationId!.Value).Distinct().ToList();
}
