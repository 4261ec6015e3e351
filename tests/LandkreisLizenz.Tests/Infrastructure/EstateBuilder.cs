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

    /// <summary>An organisation of the Land its AGS names (a provider's key such as X0501: <paramref name="state"/>, default 05).</summary>
    public long Organisation(string ags, string kind = "county", long? parent = null, long population = 0, bool shares = true, string? state = null) =>
        Insert("INSERT INTO organisations (ags, name, kind, parent_id, state_code, population, shares_for_consolidation, created_at, updated_at) VALUES (@ags, @name, @kind, @parent, @state, @population, @shares, @Now, @Now)",
            new { ags, name = "Org " + ags, kind, parent, state = state ?? (ags.Length >= 2 && char.IsAsciiDigit(ags[0]) && char.IsAsciiDigit(ags[1]) ? ags[..2] : "05"), population, shares, Now });

    /// <param name="kind">The category kind: fachverfahren, infrastructure or office.</param>
    public long Product(decimal? listPrice = null, string? key = null, bool singleSystem = false, string kind = "fachverfahren")
    {
        var category = singleSystem ? "dms" : kind == "fachverfahren" ? "test" : kind;
        using (var connection = database.Open())
        {
            connection.Execute("INSERT INTO categories (category_key, name, single_system, kind) SELECT @category, @category, @singleSystem, @kind WHERE NOT EXISTS (SELECT 1 FROM categories WHERE category_key = @category)",
                new { category, singleSystem, kind });
        }

        var productKey = key ?? Key("p");
        var id = Insert("INSERT INTO products (product_key, name, vendor, category_id, list_price, created_at, updated_at) VALUES (@productKey, @productKey, 'V', (SELECT id FROM categories WHERE category_key = @category), @listPrice, @Now, @Now)",
            new { productKey, listPrice, category, Now });
        Insert("INSERT INTO software_titles (name, publisher, product_id) VALUES (@productKey, 'V', @id)", new { productKey, id });
        return id;
    }

    public long Contract(long organisation, string start = "2020-01-01", int? initial = null, int? renewal = null, string? end = null,
        int? notice = null, decimal? annualCost = null, string? framework = null) =>
        Insert("INSERT INTO contracts (organisation_id, contract_key, vendor, title, evb_it_type, start_date, initial_term_months, renewal_term_months, notice_period_months, end_date, annual_cost, framework, created_at, updated_at) VALUES (@organisation, @key, 'V', 'T', 'other', @start, @initial, @renewal, @notice, @end, @annualCost, @framework, @Now, @Now)",
            new { organisation, key = Key("k"), start, initial, renewal, notice, end, annualCost, framework, Now });

    public long Hosting(long organisation, string operatorKind = "self", string country = "DE", string c5 = "none", string iso = "none", bool georedundant = false,
        long? operatorOrganisation = null, decimal? annualCost = null, string model = "on_premises") =>
        Insert("INSERT INTO hostings (organisation_id, hosting_key, name, operator_kind, model, operator_organisation_id, country, c5, iso27001, georedundant, annual_cost, created_at, updated_at) VALUES (@organisation, @key, @key, @operatorKind, @model, @operatorOrganisation, @country, @c5, @iso, @georedundant, @annualCost, @Now, @Now)",
            new { organisation, key = Key("h"), operatorKind, model, operatorOrganisation, country, c5, iso, georedundant, annualCost, Now });

    public long Application(long organisation, long product, long hosting, int users = 10, decimal cost = 0, string protection = "normal",
        bool kritis = false, bool operation24x7 = false, string lifecycle = "tolerate") =>
        Insert("INSERT INTO applications (organisation_id, application_key, product_id, hosting_id, name, users, protection_need, kritis, operation_24x7, lifecycle, annual_operating_cost, created_at, updated_at) VALUES (@organisation, @key, @product, @hosting, @key, @users, @protection, @kritis, @operation24x7, @lifecycle, @cost, @Now, @Now)",
            new { organisation, key = Key("a"), product, hosting, users, protection, kritis, operation24x7, lifecycle, cost, Now });

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
