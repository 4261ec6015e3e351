using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Registry;

public sealed class CatalogueEntry
{
    public long Id { get; init; }
    public string ProductKey { get; init; } = "";
    public string Name { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string CategoryName { get; init; } = "";
    public decimal? ListPrice { get; init; }
}

/// <summary>The product catalogue is global reference data, readable by every signed-in user.</summary>
public sealed class ProductCatalogue(Database database)
{
    private const string ListSql = """
        SELECT p.id AS Id, p.product_key AS ProductKey, p.name AS Name, p.vendor AS Vendor, c.name AS CategoryName, p.list_price AS ListPrice
        FROM products p JOIN categories c ON c.id = p.category_id
        ORDER BY c.name, p.vendor, p.name
        """;

    private const string CategoriesSql = "SELECT id AS Id, category_key AS CategoryKey, name AS Name, single_system AS SingleSystem FROM categories ORDER BY name";

    /// <summary>The product categories (a few dozen rows of reference data).</summary>
    public async Task<IReadOnlyList<CategoryRow>> CategoriesAsync()
    {
        using var connection = database.Open();
        return (await connection.QueryAsync<CategoryRow>(CategoriesSql)).ToList();
    }

    public async Task<IReadOnlyList<CatalogueEntry>> ListAsync()
    {
        using var connection = database.Open();
        return (await connection.QueryAsync<CatalogueEntry>(ListSql)).ToList();
    }
}
