using System.Data;
using Dapper;

namespace LandkreisLizenz.Core.Imports;

internal sealed record OrganisationRef(long Id, string Ags, string Kind, long? ParentId, string StateCode);

/// <summary>The natural keys an import resolves against, read once per import (inside the commit transaction).</summary>
internal sealed class ImportLookups
{
    private const string OrganisationsSql = """
        SELECT id AS Id, ags AS Ags, kind AS Kind, parent_id AS ParentId, state_code AS StateCode FROM organisations
        """;

    private const string ProductsSql = "SELECT product_key AS ProductKey, id AS Id FROM products";

    private const string CategoriesSql = "SELECT category_key AS CategoryKey, name AS Name, id AS Id FROM categories";

    private const string HostingsSql = "SELECT organisation_id AS OrganisationId, hosting_key AS HostingKey, id AS Id FROM hostings";

    private const string ContractsSql = "SELECT organisation_id AS OrganisationId, contract_key AS ContractKey, id AS Id FROM contracts";

    public Dictionary<string, OrganisationRef> Organisations { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Products { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Categories { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<(long OrganisationId, string Key), long> Hostings { get; } = new(KeyComparer.Instance);

    public Dictionary<(long OrganisationId, string Key), long> Contracts { get; } = new(KeyComparer.Instance);

    /// <summary>Set when the file names products in its tool's words instead of by key.</summary>
    public NamedProducts? Names { get; set; }

    public static ImportLookups Load(IDbConnection connection, IDbTransaction? transaction, ImportFormat format)
    {
        var lookups = new ImportLookups();
        foreach (var o in connection.Query<OrganisationRef>(OrganisationsSql, transaction: transaction))
        {
            lookups.Organisations[o.Ags] = o;
        }

        foreach (var (key, id) in connection.Query<(string ProductKey, long Id)>(ProductsSql, transaction: transaction))
        {
            lookups.Products[key] = id;
        }

        if (format == ImportFormat.Products)
        {
            foreach (var (key, name, id) in connection.Query<(string CategoryKey, string Name, long Id)>(CategoriesSql, transaction: transaction))
            {
                lookups.Categories[key] = id;
                lookups.Categories[name] = id;
            }
        }

        if (format == ImportFormat.Applications)
        {
            foreach (var (organisationId, key, id) in connection.Query<(long OrganisationId, string HostingKey, long Id)>(HostingsSql, transaction: transaction))
            {
                lookups.Hostings[(organisationId, key)] = id;
            }
        }

        if (format == ImportFormat.Licenses)
        {
            foreach (var (organisationId, key, id) in connection.Query<(long OrganisationId, string ContractKey, long Id)>(ContractsSql, transaction: transaction))
            {
                lookups.Contracts[(organisationId, key)] = id;
            }
        }

        return lookups;
    }

    private sealed class KeyComparer : IEqualityComparer<(long OrganisationId, string Key)>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals((long OrganisationId, string Key) x, (long OrganisationId, string Key) y) =>
            x.OrganisationId == y.OrganisationId && string.Equals(x.Key, y.Key, StringComparison.Ordinal);

        public int GetHashCode((long OrganisationId, string Key) obj) =>
            HashCode.Combine(obj.OrganisationId, StringComparer.Ordinal.GetHashCode(obj.Key));
    }
}
