using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Core.Registry;

public enum ValueFormat
{
    Text,
    Number,
    Money,
    Date,
    Bool,
    Code,
}

/// <summary>A column of a registry list. <see cref="Sql"/> is a constant expression; sorting uses only these (allow-list).</summary>
public sealed record ListColumn(string Key, string Header, string Sql, ValueFormat Format = ValueFormat.Text, bool Sortable = true, string? LinkSlug = null, string? LinkIdKey = null);

/// <summary>A list filter on coded values: the query parameter <see cref="Key"/> compares with <see cref="Sql"/>.</summary>
public sealed record ListFilter(string Key, string Label, string Sql, string? OptionsSql = null, IReadOnlyDictionary<string, string>? Options = null);

/// <summary>Related records shown on a detail page (e.g. the licenses of a contract); the SQL binds @Id and carries a scope placeholder.</summary>
public sealed record RelatedList(string Heading, string Slug, string Sql, IReadOnlyList<ListColumn> Columns);

/// <summary>
/// One kind of registry object: its pages, list SQL, export (in its import format, so an export re-imports unchanged),
/// detail and related lists. The import format's <see cref="TableSpec"/> validates create and edit, so a form and an
/// import obey one set of rules.
/// </summary>
public sealed class RegistryEntity
{
    public required string Slug { get; init; }
    public required string Singular { get; init; }
    public required string Plural { get; init; }
    public required ImportFormat Format { get; init; }
    public required string Table { get; init; }
    public required string Alias { get; init; }

    /// <summary>FROM … WHERE {scope:…}; shared by list, count and export.</summary>
    public required string FromSql { get; init; }

    public required IReadOnlyList<ListColumn> Columns { get; init; }
    public required string DefaultSort { get; init; }
    public required IReadOnlyList<string> SearchSql { get; init; }
    public ListFilter? Filter { get; init; }

    /// <summary>SELECT list whose aliases are the import columns.</summary>
    public required string ExportSelectSql { get; init; }

    /// <summary>Extra columns for the detail page (ids for links).</summary>
    public string DetailExtraSql { get; init; } = "";

    public IReadOnlyList<(string Key, string Slug, string IdKey)> DetailLinks { get; init; } = [];

    public IReadOnlyList<RelatedList> Related { get; init; } = [];

    /// <summary>Global reference data (catalogue): no organisation, readable by everyone, written by admins (spec §6.1).</summary>
    public bool Global { get; init; }

    /// <summary>Import columns that form the natural key and cannot change on edit.</summary>
    public required IReadOnlyList<string> KeyColumns { get; init; }
}

public static class RegistryEntities
{
    private static readonly ListColumn Organisation = new("organisation", "Organisation", "o.name", LinkSlug: "organisationen", LinkIdKey: "organisation_id");

    public static readonly RegistryEntity Organisations = new()
    {
        Slug = "organisationen", Singular = "Organisation", Plural = "Organisationen", Format = ImportFormat.Organisations, Table = "organisations", Alias = "o",
        FromSql = """
            FROM organisations o
            LEFT JOIN organisations p ON p.id = o.parent_id
            WHERE {scope:o.id}
            """,
        Columns =
        [
            new("ags", "AGS / Schlüssel", "o.ags"),
            new("name", "Name", "o.name", LinkSlug: "organisationen", LinkIdKey: "id"),
            new("kind", "Art", "o.kind", ValueFormat.Code),
            new("parent", "Gehört zu", "p.name"),
            new("state", "Land", "o.state_code", ValueFormat.Code),
            new("population", "Einwohner", "o.population", ValueFormat.Number),
            new("applications", "Anwendungen", "(SELECT COUNT(*) FROM applications a WHERE a.organisation_id = o.id)", ValueFormat.Number),
            new("shares", "Verbund-Freigabe", "o.shares_for_consolidation", ValueFormat.Bool),
        ],
        DefaultSort = "kind",
        SearchSql = ["o.name", "o.ags"],
        Filter = new("art", "Art", "o.kind", Options: Labels.OrganisationKinds),
        ExportSelectSql = "o.ags AS ags, o.name AS name, o.kind AS kind, p.ags AS parent_ags, o.population AS population, o.employees AS employees, o.shares_for_consolidation AS shares_for_consolidation",
        DetailExtraSql = ", o.parent_id AS parent_id, o.state_code AS state_code",
        DetailLinks = [("parent_ags", "organisationen", "parent_id")],
        KeyColumns = ["ags"],
        Related =
        [
            new("Kreisangehörige Gemeinden", "organisationen", """
                SELECT m.id AS id, m.ags AS ags, m.name AS name, m.population AS population
                FROM organisations m WHERE m.parent_id = @Id AND {scope:m.id} ORDER BY m.name
                """,
                [new("ags", "AGS", "ags"), new("name", "Name", "name", LinkSlug: "organisationen", LinkIdKey: "id"), new("population", "Einwohner", "population", ValueFormat.Number)]),
            new("Betrieb / Hosting", "betrieb", """
                SELECT h.id AS id, h.hosting_key AS hosting_key, h.name AS name, h.operator_kind AS operator_kind, h.country AS country
                FROM hostings h WHERE h.organisation_id = @Id AND {scope:h.organisation_id} ORDER BY h.hosting_key
                """,
                [new("hosting_key", "Schlüssel", "hosting_key"), new("name", "Name", "name", LinkSlug: "betrieb", LinkIdKey: "id"), new("operator_kind", "Betreiber", "operator_kind", ValueFormat.Code), new("country", "Land", "country")]),
            new("Anwendungen", "anwendungen", """
                SELECT a.id AS id, COALESCE(a.name, a.application_key) AS name, p.vendor AS vendor, c.name AS category, a.users AS users
                FROM applications a JOIN products p ON p.id = a.product_id JOIN categories c ON c.id = p.category_id
                WHERE a.organisation_id = @Id AND {scope:a.organisation_id} ORDER BY c.name, a.application_key
                """,
                [new("name", "Anwendung", "name", LinkSlug: "anwendungen", LinkIdKey: "id"), new("vendor", "Hersteller", "vendor"), new("category", "Kategorie", "category"), new("users", "Nutzer", "users", ValueFormat.Number)]),
            new("Verträge", "vertraege", """
                SELECT k.id AS id, k.contract_key AS contract_key, k.title AS title, k.evb_it_type AS evb_it_type, k.annual_cost AS annual_cost
                FROM contracts k WHERE k.organisation_id = @Id AND {scope:k.organisation_id} ORDER BY k.contract_key
                """,
                [new("contract_key", "Schlüssel", "contract_key"), new("title", "Titel", "title", LinkSlug: "vertraege", LinkIdKey: "id"), new("evb_it_type", "Typ", "evb_it_type", ValueFormat.Code), new("annual_cost", "Jahreskosten", "annual_cost", ValueFormat.Money)]),
        ],
    };

    public static readonly RegistryEntity Products = new()
    {
        Slug = "produkte", Singular = "Produkt", Plural = "Produktkatalog", Format = ImportFormat.Products, Table = "products", Alias = "p", Global = true,
        FromSql = """
            FROM products p
            JOIN categories c ON c.id = p.category_id
            WHERE 1 = 1
            """,
        Columns =
        [
            new("product_key", "Schlüssel", "p.product_key"),
            new("name", "Produkt", "p.name", LinkSlug: "produkte", LinkIdKey: "id"),
            new("vendor", "Hersteller", "p.vendor"),
            new("category", "Kategorie", "c.name"),
            new("single_system", "Ein System je Organisation", "c.single_system", ValueFormat.Bool),
            new("list_price", "Listenpreis", "p.list_price", ValueFormat.Money),
        ],
        DefaultSort = "category",
        SearchSql = ["p.name", "p.vendor", "p.product_key"],
        Filter = new("kategorie", "Kategorie", "c.category_key", OptionsSql: "SELECT category_key AS Code, name AS Name FROM categories ORDER BY name"),
        ExportSelectSql = "p.product_key AS product_key, p.name AS name, p.vendor AS vendor, c.category_key AS category, p.list_price AS list_price",
        KeyColumns = ["product_key"],
        Related =
        [
            // The global rules and the local rules of the caller's own families; other counties' local rules are theirs.
            new("Erkennungsregeln", "produkte", """
                SELECT r.id AS id, r.software_pattern AS software_pattern, r.publisher_pattern AS publisher_pattern, fo.name AS family
                FROM recognition_rules r LEFT JOIN organisations fo ON fo.id = r.family_id
                WHERE r.product_id = @Id AND (r.family_id IS NULL OR {scope:r.family_id}) ORDER BY r.software_pattern, r.id
                """,
                [new("software_pattern", "Software-Muster", "software_pattern"), new("publisher_pattern", "Hersteller-Muster", "publisher_pattern"),
                 new("family", "Nur für (lokale Regel)", "family")]),
            new("Anwendungen in Ihrem Bereich", "anwendungen", """
                SELECT a.id AS id, o.name AS organisation, COALESCE(a.name, a.application_key) AS name, a.users AS users
                FROM applications a JOIN organisations o ON o.id = a.organisation_id
                WHERE a.product_id = @Id AND {scope:a.organisation_id} ORDER BY o.name, a.application_key
                """,
                [new("organisation", "Organisation", "organisation"), new("name", "Anwendung", "name", LinkSlug: "anwendungen", LinkIdKey: "id"), new("users", "Nutzer", "users", ValueFormat.Number)]),
        ],
    };

    public static readonly RegistryEntity Hostings = new()
    {
        Slug = "betrieb", Singular = "Betrieb / Hosting", Plural = "Betrieb / Hosting", Format = ImportFormat.Hostings, Table = "hostings", Alias = "h",
        FromSql = """
            FROM hostings h
            JOIN organisations o ON o.id = h.organisation_id
            LEFT JOIN organisations op ON op.id = h.operator_organisation_id
            WHERE {scope:h.organisation_id}
            """,
        Columns =
        [
            Organisation,
            new("hosting_key", "Schlüssel", "h.hosting_key"),
            new("name", "Name", "h.name", LinkSlug: "betrieb", LinkIdKey: "id"),
            new("operator_kind", "Betreiber", "h.operator_kind", ValueFormat.Code),
            new("model", "Modell", "h.model", ValueFormat.Code),
            new("operator", "Betreiber-Organisation", "op.name"),
            new("country", "Land", "h.country"),
            new("c5", "BSI C5", "h.c5", ValueFormat.Code),
            new("iso27001", "ISO 27001", "h.iso27001", ValueFormat.Code),
            new("georedundant", "Georedundant", "h.georedundant", ValueFormat.Bool),
        ],
        DefaultSort = "organisation",
        SearchSql = ["h.name", "h.hosting_key", "o.name", "h.city"],
        Filter = new("betreiber", "Betreiber", "h.operator_kind", Options: Labels.OperatorKinds),
        ExportSelectSql = """
            o.ags AS ags, h.hosting_key AS hosting_key, h.name AS name, h.operator_kind AS operator_kind, h.model AS model, op.ags AS operator_ags,
            h.country AS country, h.city AS city, h.c5 AS c5, h.iso27001 AS iso27001, h.georedundant AS georedundant,
            h.servers_physical AS servers_physical, h.servers_virtual AS servers_virtual, h.annual_cost AS annual_cost
            """,
        DetailExtraSql = ", h.organisation_id AS organisation_id, h.operator_organisation_id AS operator_id",
        DetailLinks = [("ags", "organisationen", "organisation_id"), ("operator_ags", "organisationen", "operator_id")],
        KeyColumns = ["ags", "hosting_key"],
        Related =
        [
            new("Anwendungen auf diesem Betrieb", "anwendungen", """
                SELECT a.id AS id, COALESCE(a.name, a.application_key) AS name, a.protection_need AS protection_need, a.operation_24x7 AS operation_24x7
                FROM applications a WHERE a.hosting_id = @Id AND {scope:a.organisation_id} ORDER BY a.application_key
                """,
                [new("name", "Anwendung", "name", LinkSlug: "anwendungen", LinkIdKey: "id"), new("protection_need", "Schutzbedarf", "protection_need", ValueFormat.Code), new("operation_24x7", "24x7", "operation_24x7", ValueFormat.Bool)]),
        ],
    };

    public static readonly RegistryEntity Applications = new()
    {
        Slug = "anwendungen", Singular = "Anwendung", Plural = "Anwendungen", Format = ImportFormat.Applications, Table = "applications", Alias = "a",
        FromSql = """
            FROM applications a
            JOIN organisations o ON o.id = a.organisation_id
            JOIN products p ON p.id = a.product_id
            JOIN categories c ON c.id = p.category_id
            JOIN hostings h ON h.id = a.hosting_id
            WHERE {scope:a.organisation_id}
            """,
        Columns =
        [
            Organisation,
            new("name", "Anwendung", "COALESCE(a.name, a.application_key)", LinkSlug: "anwendungen", LinkIdKey: "id"),
            new("vendor", "Hersteller", "p.vendor"),
            new("product", "Produkt", "p.name"),
            new("category", "Kategorie", "c.name"),
            new("hosting", "Betrieb", "h.name"),
            new("operator_kind", "Betreiber", "h.operator_kind", ValueFormat.Code),
            new("users", "Nutzer", "a.users", ValueFormat.Number),
            new("protection_need", "Schutzbedarf", "a.protection_need", ValueFormat.Code),
            new("lifecycle", "TIME", "a.lifecycle", ValueFormat.Code),
            new("annual_operating_cost", "Betriebskosten/Jahr", "a.annual_operating_cost", ValueFormat.Money),
        ],
        DefaultSort = "organisation",
        SearchSql = ["a.name", "a.application_key", "p.name", "p.vendor", "o.name"],
        Filter = new("kategorie", "Kategorie", "c.category_key", OptionsSql: "SELECT category_key AS Code, name AS Name FROM categories ORDER BY name"),
        ExportSelectSql = """
            o.ags AS ags, a.application_key AS application_key, p.product_key AS product_key, h.hosting_key AS hosting_key, a.name AS name,
            a.users AS users, a.protection_need AS protection_need, a.kritis AS kritis, a.operation_24x7 AS operation_24x7,
            a.lifecycle AS lifecycle, a.annual_operating_cost AS annual_operating_cost
            """,
        DetailExtraSql = ", a.organisation_id AS organisation_id, a.product_id AS product_id, a.hosting_id AS hosting_id",
        DetailLinks = [("ags", "organisationen", "organisation_id"), ("product_key", "produkte", "product_id"), ("hosting_key", "betrieb", "hosting_id")],
        KeyColumns = ["ags", "application_key"],
        Related =
        [
            new("Lizenzen für dieses Produkt (eigene und des Landkreises)", "lizenzen", """
                SELECT l.id AS id, lo.name AS holder, k.title AS contract, k.id AS contract_id, l.metric AS metric, l.quantity AS quantity, l.valid_to AS valid_to
                FROM applications a
                JOIN organisations ao ON ao.id = a.organisation_id
                JOIN licenses l ON l.product_id = a.product_id AND (l.organisation_id = a.organisation_id OR (l.organisation_id = ao.parent_id AND l.covers_members = 1))
                JOIN organisations lo ON lo.id = l.organisation_id
                JOIN contracts k ON k.id = l.contract_id
                WHERE a.id = @Id AND {scope:l.organisation_id}
                ORDER BY lo.name, k.title
                """,
                [new("holder", "Lizenznehmer", "holder"), new("contract", "Vertrag", "contract", LinkSlug: "vertraege", LinkIdKey: "contract_id"),
                 new("metric", "Metrik", "metric", ValueFormat.Code), new("quantity", "Menge", "quantity", ValueFormat.Number), new("valid_to", "Gültig bis", "valid_to", ValueFormat.Date)]),
        ],
    };

    public static readonly RegistryEntity Contracts = new()
    {
        Slug = "vertraege", Singular = "Vertrag", Plural = "Verträge", Format = ImportFormat.Contracts, Table = "contracts", Alias = "k",
        FromSql = """
            FROM contracts k
            JOIN organisations o ON o.id = k.organisation_id
            WHERE {scope:k.organisation_id}
            """,
        Columns =
        [
            Organisation,
            new("contract_key", "Schlüssel", "k.contract_key"),
            new("title", "Titel", "k.title", LinkSlug: "vertraege", LinkIdKey: "id"),
            new("vendor", "Vertragspartner", "k.vendor"),
            new("evb_it_type", "Typ", "k.evb_it_type", ValueFormat.Code),
            new("start_date", "Beginn", "k.start_date", ValueFormat.Date),
            new("notice_period_months", "Kündigungsfrist (Monate)", "k.notice_period_months", ValueFormat.Number),
            new("end_date", "Festes Ende", "k.end_date", ValueFormat.Date),
            new("annual_cost", "Jahreskosten", "k.annual_cost", ValueFormat.Money),
        ],
        DefaultSort = "organisation",
        SearchSql = ["k.title", "k.vendor", "k.contract_key", "o.name"],
        Filter = new("typ", "Vertragstyp", "k.evb_it_type", Options: Labels.EvbTypes),
        ExportSelectSql = """
            o.ags AS ags, k.contract_key AS contract_key, k.vendor AS vendor, k.title AS title, k.evb_it_type AS evb_it_type, k.start_date AS start_date,
            k.initial_term_months AS initial_term_months, k.renewal_term_months AS renewal_term_months, k.notice_period_months AS notice_period_months,
            k.end_date AS end_date, k.annual_cost AS annual_cost, k.framework AS framework
            """,
        DetailExtraSql = ", k.organisation_id AS organisation_id",
        DetailLinks = [("ags", "organisationen", "organisation_id")],
        KeyColumns = ["ags", "contract_key"],
        Related =
        [
            new("Lizenzen aus diesem Vertrag", "lizenzen", """
                SELECT l.id AS id, p.name AS product, l.metric AS metric, l.quantity AS quantity, l.annual_cost_per_unit AS annual_cost_per_unit, l.valid_to AS valid_to
                FROM licenses l JOIN products p ON p.id = l.product_id
                WHERE l.contract_id = @Id AND {scope:l.organisation_id} ORDER BY p.name
                """,
                [new("product", "Produkt", "product", LinkSlug: "lizenzen", LinkIdKey: "id"), new("metric", "Metrik", "metric", ValueFormat.Code),
                 new("quantity", "Menge", "quantity", ValueFormat.Number), new("annual_cost_per_unit", "Kosten je Einheit/Jahr", "annual_cost_per_unit", ValueFormat.Money),
                 new("valid_to", "Gültig bis", "valid_to", ValueFormat.Date)]),
        ],
    };

    public static readonly RegistryEntity Licenses = new()
    {
        Slug = "lizenzen", Singular = "Lizenz", Plural = "Lizenzen", Format = ImportFormat.Licenses, Table = "licenses", Alias = "l",
        FromSql = """
            FROM licenses l
            JOIN organisations o ON o.id = l.organisation_id
            JOIN contracts k ON k.id = l.contract_id
            JOIN products p ON p.id = l.product_id
            WHERE {scope:l.organisation_id}
            """,
        Columns =
        [
            Organisation,
            new("product", "Produkt", "p.name", LinkSlug: "lizenzen", LinkIdKey: "id"),
            new("contract", "Vertrag", "k.contract_key"),
            new("metric", "Metrik", "l.metric", ValueFormat.Code),
            new("license_key", "Tranche", "l.license_key"),
            new("quantity", "Menge", "l.quantity", ValueFormat.Number),
            new("unit_price", "Stückpreis", "l.unit_price", ValueFormat.Money),
            new("annual_cost_per_unit", "Kosten je Einheit/Jahr", "l.annual_cost_per_unit", ValueFormat.Money),
            new("valid_from", "Gültig ab", "l.valid_from", ValueFormat.Date),
            new("valid_to", "Gültig bis", "l.valid_to", ValueFormat.Date),
            new("covers_members", "Für Gemeinden", "l.covers_members", ValueFormat.Bool),
        ],
        DefaultSort = "organisation",
        SearchSql = ["p.name", "k.contract_key", "o.name"],
        Filter = new("metrik", "Metrik", "l.metric", Options: Labels.Metrics),
        ExportSelectSql = """
            o.ags AS ags, k.contract_key AS contract_key, p.product_key AS product_key, l.metric AS metric, l.license_key AS license_key, l.quantity AS quantity,
            l.unit_price AS unit_price, l.annual_cost_per_unit AS annual_cost_per_unit, l.valid_from AS valid_from, l.valid_to AS valid_to,
            l.covers_members AS covers_members, l.min_cores_per_device AS min_cores_per_device
            """,
        DetailExtraSql = ", l.organisation_id AS organisation_id, l.contract_id AS contract_id, l.product_id AS product_id",
        DetailLinks = [("ags", "organisationen", "organisation_id"), ("contract_key", "vertraege", "contract_id"), ("product_key", "produkte", "product_id")],
        KeyColumns = ["ags", "contract_key", "product_key", "metric", "license_key"],
    };

    public static readonly IReadOnlyList<RegistryEntity> All = [Organisations, Products, Hostings, Applications, Contracts, Licenses];

    public static RegistryEntity? BySlug(string slug) => All.FirstOrDefault(e => e.Slug == slug);
}
