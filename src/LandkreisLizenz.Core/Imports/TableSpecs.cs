using System.Text.RegularExpressions;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>A row that passed validation: its natural key and the database values the file provides.</summary>
internal sealed class PendingRow
{
    public required int Row { get; init; }

    /// <summary>Natural key as the user wrote it, for messages.</summary>
    public required string DisplayKey { get; init; }

    public long? OrganisationId { get; init; }

    /// <summary>Database columns of the natural key.</summary>
    public required Dictionary<string, object?> KeyValues { get; init; }

    /// <summary>Database columns the file provides (absent optional columns are not touched on update).</summary>
    public required Dictionary<string, object?> Values { get; init; }

    /// <summary>Organisations only: parent resolved when the row is written (it may be inserted by an earlier row).</summary>
    public string? ParentAgs { get; init; }

    /// <summary>A source tool's name no rule decides yet: the row is held for mapping (<see cref="NamedProducts"/>).</summary>
    public string? HeldName { get; init; }

    /// <summary>The source tool's name is decided as not licensable: nothing to write.</summary>
    public bool Ignored { get; init; }
}

/// <summary>How one format maps onto one table: columns, natural key, and how a record becomes a <see cref="PendingRow"/>.</summary>
internal sealed class TableSpec
{
    public required ImportFormat Format { get; init; }

    /// <summary>Table and column names are constants of this file; values always travel as parameters.</summary>
    public required string Table { get; init; }

    public required IReadOnlyList<ColumnSpec> Columns { get; init; }

    public required string[] KeyColumns { get; init; }

    /// <summary>Column that scopes the existing rows to load (null: small global table, load all).</summary>
    public string? OrganisationColumn { get; init; } = "organisation_id";

    public bool HasRowVersion { get; init; } = true;

    public bool HasCreatedAt { get; init; } = true;

    public bool HasUpdatedAt { get; init; } = true;

    public required Func<RowReader, ImportLookups, CallerScope, PendingRow?> Read { get; init; }
}

internal static partial class TableSpecs
{
    private static readonly string[] OrganisationKinds = ["county", "municipality", "municipal_provider", "state_provider", "private_provider", "association"];
    private static readonly string[] OperatorKinds = ["self", "municipal_provider", "state_provider", "private_provider"];
    private static readonly string[] Models = ["on_premises", "colocation", "iaas", "paas", "saas"];
    private static readonly string[] C5 = ["none", "type1", "type2"];
    private static readonly string[] Iso = ["none", "iso", "grundschutz"];
    private static readonly string[] Protection = ["normal", "high", "very_high"];
    private static readonly string[] Lifecycles = ["tolerate", "invest", "migrate", "eliminate"];
    private static readonly string[] EvbTypes = ["ueberlassung_a", "ueberlassung_b", "pflege_s", "cloud", "dienstvertrag", "other"];
    private static readonly string[] Metrics = ["device", "named_user", "subscription", "concurrent_user", "core", "instance", "inhabitants", "site"];

    public static TableSpec For(ImportFormat format) => format switch
    {
        ImportFormat.Organisations => Organisations,
        ImportFormat.Products => Products,
        ImportFormat.RecognitionRules => RecognitionRules,
        ImportFormat.Hostings => Hostings,
        ImportFormat.Applications => Applications,
        ImportFormat.Contracts => Contracts,
        ImportFormat.Licenses => Licenses,
        ImportFormat.UserAssignments => UserAssignments,
        ImportFormat.UsagePeaks => UsagePeaks,
        _ => throw new ArgumentOutOfRangeException(nameof(format), "Installations have their own importer."),
    };

    public static IReadOnlyList<ColumnSpec> Columns(ImportFormat format) =>
        format == ImportFormat.Installations ? InstallationImporter.Columns : For(format).Columns;

    [GeneratedRegex(@"^\d{5}$")]
    private static partial Regex CountyAgs();

    [GeneratedRegex(@"^\d{8}$")]
    private static partial Regex MunicipalityAgs();

    [GeneratedRegex(@"^X[0-9A-Z]{1,11}$")]
    private static partial Regex ProviderKey();

    [GeneratedRegex(@"^[A-Z]{2}$")]
    private static partial Regex CountryCode();

    /// <summary>The row's organisation, which the caller must be allowed to write.</summary>
    private static OrganisationRef? WritableOrganisation(RowReader r, ImportLookups lookups, CallerScope scope, string column = "ags")
    {
        var ags = r.Text(column);
        if (ags is null)
        {
            return null;
        }

        if (!lookups.Organisations.TryGetValue(ags, out var organisation))
        {
            r.Error(column, "Organisation mit diesem AGS/Schlüssel existiert nicht");
            return null;
        }

        if (!scope.CanWrite(organisation.Id))
        {
            r.Refuse(column, "keine Schreibberechtigung für diese Organisation", organisation.Id);
            return null;
        }

        return organisation;
    }

    private static readonly string[] SharedOrganisationKinds = ["municipal_provider", "state_provider", "private_provider", "association"];

    /// <summary>References to other organisations may name providers, associations or the caller's own scope (spec §6.1).</summary>
    private static bool MayReference(OrganisationRef organisation, CallerScope scope) =>
        SharedOrganisationKinds.Contains(organisation.Kind) || (organisation.Id > 0 && scope.Covers(organisation.Id));

    /// <summary>
    /// The product of a row that names it — by key, or (a source tool's export) by a name recognised like a software
    /// title, which may be held for mapping or decided as not licensable.
    /// </summary>
    private static NameResolution NamedOrKeyed(RowReader r, ImportLookups lookups, OrganisationRef? organisation)
    {
        if (lookups.Names is not { } names)
        {
            return new NameResolution("", Product(r, lookups), false);
        }

        return r.Text("product_key") is { } name && organisation is not null ? names.Resolve(name, organisation) : new NameResolution("", null, false);
    }

    private static long? Product(RowReader r, ImportLookups lookups)
    {
        var key = r.Text("product_key");
        if (key is null)
        {
            return null;
        }

        if (!lookups.Products.TryGetValue(key, out var id))
        {
            r.Error("product_key", "Produkt existiert nicht im Katalog");
            return null;
        }

        return id;
    }

    private static bool MayEditCatalogue(RowReader r, CallerScope scope, string column)
    {
        if (scope.CanWriteCatalogue)
        {
            return true;
        }

        r.Refuse(column, "nur die Administration darf den gemeinsamen Katalog und die globalen Erkennungsregeln ändern");
        return false;
    }

    private static void Put(RowReader r, Dictionary<string, object?> values, string column, string dbColumn, object? value)
    {
        if (r.Has(column))
        {
            values[dbColumn] = value;
        }
    }

    private static readonly TableSpec Organisations = new()
    {
        Format = ImportFormat.Organisations,
        Table = "organisations",
        OrganisationColumn = null,
        KeyColumns = ["ags"],
        Columns =
        [
            new("ags", true, MaxLength: 12), new("name", true), new("kind", true, Allowed: OrganisationKinds), new("parent_ags", false, MaxLength: 12),
            new("population", false, ValueKind.Int), new("employees", false, ValueKind.Int), new("shares_for_consolidation", false, ValueKind.Bool),
        ],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var ags = r.Text("ags");
            var name = r.Text("name");
            var kind = r.Text("kind");
            var parentAgs = r.Text("parent_ags");
            var population = r.Int("population");
            var employees = r.Int("employees");
            var shares = r.Bool("shares_for_consolidation");
            if (ags is null || kind is null)
            {
                return null;
            }

            var validKey = kind switch
            {
                "county" => CountyAgs().IsMatch(ags),
                "municipality" => MunicipalityAgs().IsMatch(ags),
                _ => ProviderKey().IsMatch(ags),
            };
            if (!validKey)
            {
                r.Error("ags", kind switch
                {
                    "county" => "ein Landkreis hat einen fünfstelligen AGS",
                    "municipality" => "eine Gemeinde hat einen achtstelligen AGS",
                    _ => "IT-Dienstleister und Verbände haben einen Schlüssel der Form X…",
                });
            }

            OrganisationRef? parent = null;
            if (parentAgs is not null)
            {
                if (!lookups.Organisations.TryGetValue(parentAgs, out parent))
                {
                    r.Error("parent_ags", "übergeordnete Organisation existiert nicht (sie muss vorher oder weiter oben in der Datei stehen)");
                }
                else if (kind == "municipality" && parent.Kind != "county")
                {
                    r.Error("parent_ags", "eine Gemeinde gehört zu einem Landkreis");
                }
                else if (kind == "municipality" && !ags.StartsWith(parentAgs, StringComparison.Ordinal))
                {
                    r.Error("ags", "der AGS einer Gemeinde beginnt mit dem AGS ihres Landkreises");
                }
            }
            else if (kind == "municipality")
            {
                r.Error("parent_ags", "eine Gemeinde braucht den AGS ihres Landkreises");
            }

            if (kind == "county" && parentAgs is not null)
            {
                r.Error("parent_ags", "ein Landkreis hat keine übergeordnete Organisation");
            }

            lookups.Organisations.TryGetValue(ags, out var existing);
            if (existing is { Id: 0 })
            {
                r.Error("ags", "doppelter Schlüssel: diese Organisation steht weiter oben schon in der Datei");
                return null;
            }

            var allowed = existing is not null ? scope.CanWrite(existing.Id) : scope.IsAdmin || (parent is not null && parent.Id > 0 && scope.CanWrite(parent.Id));
            if (!allowed)
            {
                r.Refuse("ags", existing is null ? "neue Organisationen legt die Administration an (Gemeinden auch das Lizenzmanagement ihres Landkreises)" : "keine Schreibberechtigung für diese Organisation",
                    existing?.Id ?? (parent is { Id: > 0 } ? parent.Id : null));
            }
            else if (!scope.IsAdmin)
            {
                // A parent already refused above (missing, or given to a county) is not reported twice.
                var parentRefused = parentAgs is not null && (parent is null || kind == "county");
                HierarchyStaysAsItIs(r, kind, parent, existing, parentGiven: r.Has("parent_ags") && !parentRefused);
            }

            if (r.ErrorCount > errors)
            {
                return null;
            }

            if (existing is null)
            {
                // Later rows may name this organisation as their parent; its id is assigned when it is written.
                lookups.Organisations[ags] = new OrganisationRef(0, ags, kind, parent?.Id, StateOf(ags, parent));
            }

            var values = new Dictionary<string, object?> { ["name"] = name, ["kind"] = kind, ["state_code"] = StateOf(ags, parent) };
            Put(r, values, "population", "population", population);
            Put(r, values, "employees", "employees", employees);
            Put(r, values, "shares_for_consolidation", "shares_for_consolidation", shares);
            return new PendingRow { Row = r.Row, DisplayKey = ags, KeyValues = new() { ["ags"] = ags }, Values = values, ParentAgs = r.Has("parent_ags") ? parentAgs ?? "" : null };
        },
    };

    /// <summary>
    /// Scope is derived from the hierarchy (spec §6.1), so only admins change it: others create municipalities of a county
    /// they write and keep every organisation's kind and parent as stored.
    /// </summary>
    private static void HierarchyStaysAsItIs(RowReader r, string kind, OrganisationRef? parent, OrganisationRef? existing, bool parentGiven)
    {
        if (existing is null)
        {
            if (kind != "municipality")
            {
                r.Refuse("kind", "Landkreise, IT-Dienstleister und Verbände legt die Administration an; das Lizenzmanagement legt Gemeinden seines Landkreises an");
            }

            return;
        }

        if (existing.Kind != kind)
        {
            r.Refuse("kind", "die Art einer Organisation ändert nur die Administration", existing.Id);
        }

        if (parentGiven && parent?.Id != existing.ParentId)
        {
            r.Refuse("parent_ags", existing.Kind == "municipality"
                ? "eine Gemeinde einem anderen Landkreis zuordnen kann nur die Administration"
                : "die übergeordnete Organisation ändert nur die Administration", existing.Id);
        }
    }

    private static string StateOf(string ags, OrganisationRef? parent) =>
        char.IsDigit(ags[0]) && ags.Length >= 2 ? ags[..2] : parent?.StateCode ?? "00";

    private static readonly TableSpec Products = new()
    {
        Format = ImportFormat.Products,
        Table = "products",
        OrganisationColumn = null,
        KeyColumns = ["product_key"],
        Columns = [new("product_key", true, MaxLength: 100), new("name", true), new("vendor", true), new("category", true), new("list_price", false, ValueKind.Decimal)],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var key = r.Text("product_key");
            var name = r.Text("name");
            var vendor = r.Text("vendor");
            var category = r.Text("category");
            var listPrice = r.Decimal("list_price");
            long categoryId = 0;
            if (category is not null && !lookups.Categories.TryGetValue(category, out categoryId))
            {
                r.Error("category", "Kategorie existiert nicht (Schlüssel oder Name einer Kategorie angeben)");
            }

            MayEditCatalogue(r, scope, "product_key");
            if (r.ErrorCount > errors || key is null)
            {
                return null;
            }

            var values = new Dictionary<string, object?> { ["name"] = name, ["vendor"] = vendor, ["category_id"] = categoryId };
            Put(r, values, "list_price", "list_price", listPrice);
            return new PendingRow { Row = r.Row, DisplayKey = key, KeyValues = new() { ["product_key"] = key }, Values = values };
        },
    };

    // An imported rule is global (family_id null): importing rules is the administration's (spec §6.1).
    private static readonly TableSpec RecognitionRules = new()
    {
        Format = ImportFormat.RecognitionRules,
        Table = "recognition_rules",
        OrganisationColumn = null,
        KeyColumns = ["product_id", "software_pattern", "publisher_pattern", "family_id"],
        HasRowVersion = false,
        HasUpdatedAt = false,
        Columns = [new("product_key", false), new("software_pattern", true), new("publisher_pattern", false), new("not_licensable", false, ValueKind.Bool)],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var productId = Product(r, lookups);
            var notLicensable = r.Bool("not_licensable") ?? false;
            var software = r.Text("software_pattern");
            var publisher = r.Text("publisher_pattern") ?? "*";
            if (notLicensable && r.Raw("product_key") is { Length: > 0 })
            {
                r.Error("product_key", "eine Regel „nicht lizenzpflichtig“ nennt kein Produkt");
            }
            else if (!notLicensable && r.Raw("product_key") is null or "")
            {
                r.Error("product_key", "Pflichtfeld fehlt (oder not_licensable = ja für nicht lizenzpflichtige Software)");
            }

            if (software is not null && Recognition.WildcardPattern.Refusal(software, isPublisher: false) is { } softwareRefusal)
            {
                r.Error("software_pattern", softwareRefusal);
            }

            if (Recognition.WildcardPattern.Refusal(publisher, isPublisher: true) is { } publisherRefusal)
            {
                r.Error("publisher_pattern", publisherRefusal);
            }

            MayEditCatalogue(r, scope, "software_pattern");
            if (r.ErrorCount > errors)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row,
                DisplayKey = $"{(notLicensable ? "nicht lizenzpflichtig" : r.Raw("product_key"))}: {software} / {publisher}",
                KeyValues = new() { ["product_id"] = productId, ["software_pattern"] = software, ["publisher_pattern"] = publisher, ["family_id"] = null },
                Values = new() { ["not_licensable"] = notLicensable ? 1 : 0 },
            };
        },
    };

    private static readonly TableSpec Hostings = new()
    {
        Format = ImportFormat.Hostings,
        Table = "hostings",
        KeyColumns = ["organisation_id", "hosting_key"],
        Columns =
        [
            new("ags", true), new("hosting_key", true, MaxLength: 100), new("name", true), new("operator_kind", true, Allowed: OperatorKinds),
            new("model", true, Allowed: Models), new("operator_ags", false), new("country", false, MaxLength: 2), new("city", false),
            new("c5", false, Allowed: C5), new("iso27001", false, Allowed: Iso), new("georedundant", false, ValueKind.Bool),
            new("servers_physical", false, ValueKind.Int), new("servers_virtual", false, ValueKind.Int), new("annual_cost", false, ValueKind.Decimal),
        ],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var organisation = WritableOrganisation(r, lookups, scope);
            var key = r.Text("hosting_key");
            var values = new Dictionary<string, object?>
            {
                ["name"] = r.Text("name"),
                ["operator_kind"] = r.Text("operator_kind"),
                ["model"] = r.Text("model"),
            };
            var operatorAgs = r.Text("operator_ags");
            long? operatorId = null;
            if (operatorAgs is not null)
            {
                if (lookups.Organisations.TryGetValue(operatorAgs, out var op) && MayReference(op, scope))
                {
                    operatorId = op.Id;
                }
                else
                {
                    // One message for "missing" and "not yours": the answer must not tell which keys exist.
                    r.Error("operator_ags", "Betreiber-Organisation existiert nicht");
                }
            }

            var country = r.Text("country")?.ToUpperInvariant();
            if (country is not null && !CountryCode().IsMatch(country))
            {
                r.Error("country", "Ländercode mit zwei Buchstaben erwartet (z. B. DE)");
            }

            Put(r, values, "operator_ags", "operator_organisation_id", operatorId);
            Put(r, values, "country", "country", country);
            Put(r, values, "city", "city", r.Text("city"));
            Put(r, values, "c5", "c5", r.Text("c5") ?? "none");
            Put(r, values, "iso27001", "iso27001", r.Text("iso27001") ?? "none");
            Put(r, values, "georedundant", "georedundant", r.Bool("georedundant") ?? false);
            Put(r, values, "servers_physical", "servers_physical", r.Int("servers_physical") ?? 0);
            Put(r, values, "servers_virtual", "servers_virtual", r.Int("servers_virtual") ?? 0);
            Put(r, values, "annual_cost", "annual_cost", r.Decimal("annual_cost"));
            if (r.ErrorCount > errors || organisation is null || key is null)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row, DisplayKey = $"{organisation.Ags}/{key}", OrganisationId = organisation.Id,
                KeyValues = new() { ["organisation_id"] = organisation.Id, ["hosting_key"] = key }, Values = values,
            };
        },
    };

    private static readonly TableSpec Applications = new()
    {
        Format = ImportFormat.Applications,
        Table = "applications",
        KeyColumns = ["organisation_id", "application_key"],
        Columns =
        [
            new("ags", true), new("application_key", true, MaxLength: 100), new("product_key", true), new("hosting_key", true), new("name", false),
            new("users", false, ValueKind.Int), new("protection_need", false, Allowed: Protection), new("kritis", false, ValueKind.Bool),
            new("operation_24x7", false, ValueKind.Bool), new("lifecycle", false, Allowed: Lifecycles), new("annual_operating_cost", false, ValueKind.Decimal),
        ],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var organisation = WritableOrganisation(r, lookups, scope);
            var key = r.Text("application_key");
            var productId = Product(r, lookups);
            var hostingKey = r.Text("hosting_key");
            long hostingId = 0;
            if (organisation is not null && hostingKey is not null && !lookups.Hostings.TryGetValue((organisation.Id, hostingKey), out hostingId))
            {
                r.Error("hosting_key", "Betrieb/Hosting dieser Organisation existiert nicht (zuerst den Hosting-Import ausführen)");
            }

            var values = new Dictionary<string, object?> { ["product_id"] = productId, ["hosting_id"] = hostingId };
            Put(r, values, "name", "name", r.Text("name"));
            Put(r, values, "users", "users", r.Int("users"));
            Put(r, values, "protection_need", "protection_need", r.Text("protection_need") ?? "normal");
            Put(r, values, "kritis", "kritis", r.Bool("kritis") ?? false);
            Put(r, values, "operation_24x7", "operation_24x7", r.Bool("operation_24x7") ?? false);
            Put(r, values, "lifecycle", "lifecycle", r.Text("lifecycle") ?? "tolerate");
            Put(r, values, "annual_operating_cost", "annual_operating_cost", r.Decimal("annual_operating_cost"));
            if (r.ErrorCount > errors || organisation is null || key is null)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row, DisplayKey = $"{organisation.Ags}/{key}", OrganisationId = organisation.Id,
                KeyValues = new() { ["organisation_id"] = organisation.Id, ["application_key"] = key }, Values = values,
            };
        },
    };

    private static readonly TableSpec Contracts = new()
    {
        Format = ImportFormat.Contracts,
        Table = "contracts",
        KeyColumns = ["organisation_id", "contract_key"],
        Columns =
        [
            new("ags", true), new("contract_key", true, MaxLength: 100), new("vendor", true), new("title", true), new("evb_it_type", true, Allowed: EvbTypes),
            new("start_date", true, ValueKind.Date), new("initial_term_months", false, ValueKind.Int), new("renewal_term_months", false, ValueKind.Int),
            new("notice_period_months", false, ValueKind.Int), new("end_date", false, ValueKind.Date), new("annual_cost", false, ValueKind.Decimal),
            new("framework", false, MaxLength: 100),
        ],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var organisation = WritableOrganisation(r, lookups, scope);
            var key = r.Text("contract_key");
            var start = r.Date("start_date");
            var end = r.Date("end_date");
            if (start is not null && end is not null && end < start)
            {
                r.Error("end_date", "Vertragsende liegt vor dem Vertragsbeginn");
            }

            var values = new Dictionary<string, object?>
            {
                ["vendor"] = r.Text("vendor"),
                ["title"] = r.Text("title"),
                ["evb_it_type"] = r.Text("evb_it_type"),
                ["start_date"] = start,
            };
            Put(r, values, "initial_term_months", "initial_term_months", r.Int("initial_term_months"));
            Put(r, values, "renewal_term_months", "renewal_term_months", r.Int("renewal_term_months"));
            Put(r, values, "notice_period_months", "notice_period_months", r.Int("notice_period_months"));
            Put(r, values, "end_date", "end_date", end);
            Put(r, values, "annual_cost", "annual_cost", r.Decimal("annual_cost"));
            Put(r, values, "framework", "framework", r.Text("framework"));
            if (r.ErrorCount > errors || organisation is null || key is null)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row, DisplayKey = $"{organisation.Ags}/{key}", OrganisationId = organisation.Id,
                KeyValues = new() { ["organisation_id"] = organisation.Id, ["contract_key"] = key }, Values = values,
            };
        },
    };

    private static readonly TableSpec Licenses = new()
    {
        Format = ImportFormat.Licenses,
        Table = "licenses",
        KeyColumns = ["organisation_id", "contract_id", "product_id", "metric", "license_key"],
        Columns =
        [
            new("ags", true), new("contract_key", true), new("product_key", true), new("metric", true, Allowed: Metrics), new("license_key", false, MaxLength: 100),
            new("quantity", true, ValueKind.Int),
            new("unit_price", false, ValueKind.Decimal), new("annual_cost_per_unit", false, ValueKind.Decimal), new("valid_from", false, ValueKind.Date),
            new("valid_to", false, ValueKind.Date), new("covers_members", false, ValueKind.Bool), new("min_cores_per_device", false, ValueKind.Int),
        ],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var organisation = WritableOrganisation(r, lookups, scope);
            var contractKey = r.Text("contract_key");
            long contractId = 0;
            if (organisation is not null && contractKey is not null && !lookups.Contracts.TryGetValue((organisation.Id, contractKey), out contractId))
            {
                r.Error("contract_key", "Vertrag dieser Organisation existiert nicht (zuerst den Vertrags-Import ausführen)");
            }

            var product = NamedOrKeyed(r, lookups, organisation);
            var metric = r.Text("metric");
            // A tranche (e.g. the successor of an expired one of the same product and metric) under the same contract.
            var licenseKey = r.Text("license_key") ?? "";
            var quantity = r.Int("quantity");
            var from = r.Date("valid_from");
            var to = r.Date("valid_to");
            if (from is not null && to is not null && to < from)
            {
                r.Error("valid_to", "Gültigkeitsende liegt vor dem Gültigkeitsbeginn");
            }

            var values = new Dictionary<string, object?> { ["quantity"] = quantity };
            Put(r, values, "unit_price", "unit_price", r.Decimal("unit_price"));
            Put(r, values, "annual_cost_per_unit", "annual_cost_per_unit", r.Decimal("annual_cost_per_unit"));
            Put(r, values, "valid_from", "valid_from", from);
            Put(r, values, "valid_to", "valid_to", to);
            Put(r, values, "covers_members", "covers_members", r.Bool("covers_members") ?? false);
            Put(r, values, "min_cores_per_device", "min_cores_per_device", r.Int("min_cores_per_device"));
            if (r.ErrorCount > errors || organisation is null)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row, DisplayKey = $"{organisation.Ags}/{contractKey}/{r.Raw("product_key")}/{metric}{(licenseKey.Length > 0 ? "/" + licenseKey : "")}", OrganisationId = organisation.Id,
                KeyValues = new() { ["organisation_id"] = organisation.Id, ["contract_id"] = contractId, ["product_id"] = product.ProductId, ["metric"] = metric, ["license_key"] = licenseKey },
                Values = values, HeldName = product.Held ? product.Name : null, Ignored = product.NotLicensable,
            };
        },
    };

    private static readonly TableSpec UserAssignments = new()
    {
        Format = ImportFormat.UserAssignments,
        Table = "user_assignments",
        KeyColumns = ["organisation_id", "product_id", "user_key"],
        HasRowVersion = false,
        HasCreatedAt = false,
        Columns = [new("ags", true), new("user", true), new("product_key", true), new("assigned_since", false, ValueKind.Date), new("last_login", false, ValueKind.Date)],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var organisation = WritableOrganisation(r, lookups, scope);
            var user = r.Text("user");
            var product = NamedOrKeyed(r, lookups, organisation);
            var values = new Dictionary<string, object?>();
            Put(r, values, "assigned_since", "assigned_since", r.Date("assigned_since"));
            Put(r, values, "last_login", "last_login", r.Date("last_login"));
            if (r.ErrorCount > errors || organisation is null)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row, DisplayKey = $"{organisation.Ags}/{user}/{r.Raw("product_key")}", OrganisationId = organisation.Id,
                KeyValues = new() { ["organisation_id"] = organisation.Id, ["product_id"] = product.ProductId, ["user_key"] = user }, Values = values,
                HeldName = product.Held ? product.Name : null, Ignored = product.NotLicensable,
            };
        },
    };

    private static readonly TableSpec UsagePeaks = new()
    {
        Format = ImportFormat.UsagePeaks,
        Table = "usage_peaks",
        KeyColumns = ["organisation_id", "product_id", "month"],
        HasRowVersion = false,
        HasCreatedAt = false,
        Columns = [new("ags", true), new("product_key", true), new("month", true, ValueKind.Month), new("peak_concurrent", true, ValueKind.Int)],
        Read = (r, lookups, scope) =>
        {
            var errors = r.ErrorCount;
            var organisation = WritableOrganisation(r, lookups, scope);
            var product = NamedOrKeyed(r, lookups, organisation);
            var month = r.Month("month");
            var peak = r.Int("peak_concurrent");
            if (r.ErrorCount > errors || organisation is null)
            {
                return null;
            }

            return new PendingRow
            {
                Row = r.Row, DisplayKey = $"{organisation.Ags}/{r.Raw("product_key")}/{month}", OrganisationId = organisation.Id,
                KeyValues = new() { ["organisation_id"] = organisation.Id, ["product_id"] = product.ProductId, ["month"] = month },
                Values = new() { ["peak_concurrent"] = peak },
                HeldName = product.Held ? product.Name : null, Ignored = product.NotLicensable,
            };
        },
    };
}
