using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>Writes a small hand-made estate into a migrated database, for tests with hand-computed expectations.</summary>
public sealed class EstateBuilder(Database database)
{
    private const string Now = "2026-11-27T08:00:00Z";
    private int _keys;

    private long Insert(string sql, object parameters)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>(database.Dialect.InsertReturningId(sql), parameters);
    }

    private string Key(string prefix) => $"{prefix}-{++_keys}";

    public long Organisation(string ags, string kind = "county", long? parent = null, long population = 0) =>
        Insert("INSERT INTO organisations (ags, name, kind, parent_id, state_code, population, shares_for_consolidation, created_at, updated_at) VALUES (@ags, @ags, @kind, @parent, '05', @population, 1, @Now, @Now)",
            new { ags, kind, parent, population, Now });

    public long Product(decimal? listPrice = null, string? key = null)
    {
        using (var connection = database.Open())
        {
            connection.Execute("INSERT INTO categories (category_key, name, single_system) SELECT 'test', 'Test', 0 WHERE NOT EXISTS (SELECT 1 FROM categories WHERE category_key = 'test')");
        }

        var productKey = key ?? Key("p");
        var id = Insert("INSERT INTO products (product_key, name, vendor, category_id, list_price, created_at, updated_at) VALUES (@productKey, @productKey, 'V', (SELECT id FROM categories WHERE category_key = 'test'), @listPrice, @Now, @Now)",
            new { productKey, listPrice, Now });
        Insert("INSERT INTO software_titles (name, publisher, product_id) VALUES (@productKey, 'V', @id)", new { productKey, id });
        return id;
    }

    public long Contract(long organisation, string start = "2020-01-01", int? initial = null, int? renewal = null, string? end = null) =>
        Insert("INSERT INTO contracts (organisation_id, contract_key, vendor, title, evb_it_type, start_date, initial_term_months, renewal_term_months, end_date, created_at, updated_at) VALUES (@organisation, @key, 'V', 'T', 'other', @start, @initial, @renewal, @end, @Now, @Now)",
            new { organisation, key = Key("k"), start, initial, renewal, end, Now });

    public long License(long organisation, long product, string metric, long quantity, decimal? unitPrice = null, decimal? annualCost = null,
        string? validFrom = null, string? validTo = null, bool covers = false, int? minCores = null, long? contract = null) =>
        Insert("INSERT INTO licenses (organisation_id, contract_id, product_id, metric, quantity, unit_price, annual_cost_per_unit, valid_from, valid_to, covers_members, min_cores_per_device, created_at, updated_at) VALUES (@organisation, @contract, @product, @metric, @quantity, @unitPrice, @annualCost, @validFrom, @validTo, @covers, @minCores, @Now, @Now)",
            new { organisation, contract = contract ?? Contract(organisation), product, metric, quantity, unitPrice, annualCost, validFrom, validTo, covers, minCores, Now });

    public long Device(long organisation, string kind = "workstation", int? cores = null) =>
        Insert("INSERT INTO devices (organisation_id, device_key, device_kind, cores, updated_at) VALUES (@organisation, @key, @kind, @cores, @Now)",
            new { organisation, key = Key("d"), kind, cores, Now });

    /// <summary>One device with one installation of the product.</summary>
    public long Installed(long organisation, long product, string? lastUsed = "2026-11-20", string? user = null, string kind = "workstation", int? cores = null)
    {
        var device = Device(organisation, kind, cores);
        Install(device, product, lastUsed, user);
        return device;
    }

    public void Install(long device, long product, string? lastUsed = "2026-11-20", string? user = null) =>
        Insert("INSERT INTO installations (device_id, software_title_id, user_key, last_used) VALUES (@device, (SELECT id FROM software_titles WHERE product_id = @product), @user, @lastUsed)",
            new { device, product, user, lastUsed });

    public void Assign(long organisation, long product, string user, string? lastLogin = "2026-11-20") =>
        Insert("INSERT INTO user_assignments (organisation_id, user_key, product_id, last_login, updated_at) VALUES (@organisation, @user, @product, @lastLogin, @Now)",
            new { organisation, user, product, lastLogin, Now });

    public void Peak(long organisation, long product, string month, long peak) =>
        Insert("INSERT INTO usage_peaks (organisation_id, product_id, month, peak_concurrent, updated_at) VALUES (@organisation, @product, @month, @peak, @Now)",
            new { organisation, product, month, peak, Now });
}
