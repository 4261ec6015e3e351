using System.Data.Common;
using LandkreisLizenz.Core.Data;
using static LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator;

namespace LandkreisLizenz.Core.DemoEstate;

/// <summary>Writes one county with its member municipalities: hostings, applications, inventory, usage, contracts, licenses.</summary>
internal sealed class CountyBuilder : IDisposable
{
    private readonly Catalogue _catalogue;
    private readonly Dictionary<string, long> _providers;
    private readonly DemoScaleProfile _profile;
    private readonly int _seed;
    private readonly DateOnly _asOf;
    private readonly DateTime _now;
    private readonly Totals _totals;

    private readonly BulkInsert _organisation;
    private readonly BulkInsert _hosting;
    private readonly BulkInsert _application;
    private readonly BulkInsert _device;
    private readonly BulkInsert _installation;
    private readonly BulkInsert _assignment;
    private readonly BulkInsert _peak;
    private readonly BulkInsert _contract;
    private readonly BulkInsert _license;

    public CountyBuilder(DbConnection connection, DbTransaction transaction, SqlDialect dialect, Catalogue catalogue,
        Dictionary<string, long> providers, DemoScaleProfile profile, int seed, DateOnly asOf, DateTime now, Totals totals)
    {
        _catalogue = catalogue;
        _providers = providers;
        _profile = profile;
        _seed = seed;
        _asOf = asOf;
        _now = now;
        _totals = totals;
        _organisation = new(connection, transaction, dialect, "organisations",
            ["ags", "name", "kind", "parent_id", "state_code", "population", "employees", "shares_for_consolidation", "row_version", "created_at", "updated_at"], returnsId: true);
        _hosting = new(connection, transaction, dialect, "hostings",
            ["organisation_id", "hosting_key", "name", "operator_kind", "model", "operator_organisation_id", "country", "city", "c5", "iso27001",
             "georedundant", "servers_physical", "servers_virtual", "annual_cost", "row_version", "created_at", "updated_at"], returnsId: true);
        _application = new(connection, transaction, dialect, "applications",
            ["organisation_id", "application_key", "product_id", "hosting_id", "name", "users", "protection_need", "kritis", "operation_24x7",
             "lifecycle", "annual_operating_cost", "row_version", "created_at", "updated_at"]);
        _device = new(connection, transaction, dialect, "devices", ["organisation_id", "device_key", "device_kind", "cores", "updated_at"], returnsId: true);
        _installation = new(connection, transaction, dialect, "installations", ["device_id", "software_title_id", "version", "user_key", "last_used"]);
        _assignment = new(connection, transaction, dialect, "user_assignments",
            ["organisation_id", "user_key", "product_id", "assigned_since", "last_login", "updated_at"]);
        _peak = new(connection, transaction, dialect, "usage_peaks", ["organisation_id", "product_id", "month", "peak_concurrent", "updated_at"]);
        _contract = new(connection, transaction, dialect, "contracts",
            ["organisation_id", "contract_key", "vendor", "title", "evb_it_type", "start_date", "initial_term_months", "renewal_term_months",
             "notice_period_months", "end_date", "annual_cost", "framework", "row_version", "created_at", "updated_at"], returnsId: true);
        _license = new(connection, transaction, dialect, "licenses",
            ["organisation_id", "contract_id", "product_id", "metric", "quantity", "unit_price", "annual_cost_per_unit", "valid_from", "valid_to",
             "covers_members", "min_cores_per_device", "row_version", "created_at", "updated_at"]);
    }

    public void Build(CountyRow county)
    {
        var rng = CountyRandom(_seed, county.Ags, 1);
        var countyUnit = new Unit(county.Id, county.Ags, county.Name, county.StateCode, county.Population, county.Employees, county.Shares, IsCounty: true);
        var units = new List<Unit> { countyUnit };
        units.AddRange(CreateMembers(county, rng));

        foreach (var unit in units)
        {
            BuildOperations(unit, CountyRandom(_seed, unit.Ags.Length > 5 ? unit.Ags[..5] : unit.Ags, 100 + units.IndexOf(unit)));
        }

        var members = units.Skip(1).ToList();
        var covered = BuildLicenses(countyUnit, members, CountyRandom(_seed, county.Ags, 2));
        foreach (var member in members)
        {
            BuildLicenses(member, [], CountyRandom(_seed, county.Ags, 300 + members.IndexOf(member)), covered);
        }
    }

    private List<Unit> CreateMembers(CountyRow county, Random rng)
    {
        var members = new List<Unit>();
        var hasMembers = county.Ags == CioCountyAgs || rng.NextDouble() < _profile.MemberShare;
        if (!hasMembers)
        {
            return members;
        }

        var towns = county.Ags == CioCountyAgs
            ? DemoProviders.MettmannTowns.ToList()
            : Enumerable.Range(0, rng.Next(3, 9))
                .Select(i => (Ags: county.Ags + (4 * (i + 1)).ToString("000", System.Globalization.CultureInfo.InvariantCulture),
                              Name: DemoProviders.MunicipalityName(rng),
                              Population: (long)(county.Population * (0.03 + rng.NextDouble() * 0.07))))
                .ToList();
        foreach (var town in towns)
        {
            var shares = county.Shares && (county.Ags == CioCountyAgs || rng.NextDouble() < 0.85);
            var employees = (int)Math.Max(40, town.Population / 180);
            var id = _organisation.Insert(town.Ags, town.Name, "municipality", county.Id, county.StateCode, town.Population, employees, shares, 1, _now, _now);
            members.Add(new Unit(id, town.Ags, town.Name, county.StateCode, town.Population, employees, shares, IsCounty: false));
        }

        return members;
    }

    // ---------------------------------------------------------------- hostings, applications, inventory, usage

    private void BuildOperations(Unit unit, Random rng)
    {
        var hostings = CreateHostings(unit, rng);
        var products = ChooseProducts(unit, rng);
        var selfHostings = hostings.Where(h => h.OperatorKind == "self").ToList();
        var otherHostings = hostings.Where(h => h.OperatorKind != "self").ToList();

        var perProduct = new Dictionary<long, int>();
        foreach (var product in products)
        {
            var instance = perProduct[product.Id] = perProduct.GetValueOrDefault(product.Id) + 1;
            // About 80 % of applications run on the organisation's own servers.
            var hosting = otherHostings.Count == 0 || rng.NextDouble() < 0.8
                ? selfHostings[rng.NextDouble() < 0.85 ? 0 : rng.Next(selfHostings.Count)]
                : otherHostings[rng.Next(otherHostings.Count)];
            if (product.Record.Metric == "subscription" && otherHostings.Count > 0)
            {
                hosting = otherHostings.FirstOrDefault(h => h.Model == "saas") ?? hosting;
            }

            var isUserProduct = product.Record.Metric is "named_user" or "subscription" or "concurrent_user";
            var users = isUserProduct
                ? Math.Max(2, (int)(rng.Next(3, _profile.MaxUsersPerApplication + 1) * (unit.IsCounty ? 1.0 : 0.4)))
                : rng.Next(1, 20);
            if (instance == 1)
            {
                unit.ApplicationUsers[product.Id] = users;
            }

            var protection = Pick(rng, ("normal", 0.6), ("high", 0.3), ("very_high", 0.1));
            var critical = rng.NextDouble();
            // ≈20 % of applications are KRITIS-relevant or run 24x7 (both for some).
            var kritis = critical < 0.08;
            var operation24x7 = critical is >= 0.03 and < 0.2;
            var lifecycle = Pick(rng, ("tolerate", 0.5), ("invest", 0.3), ("migrate", 0.15), ("eliminate", 0.05));
            var key = instance == 1 ? product.Record.Key : $"{product.Record.Key}-{instance}";
            var name = instance == 1 ? product.Record.Name : $"{product.Record.Name} ({InstanceLabel(instance)})";
            var cost = Math.Round((decimal)(rng.Next(1_500, unit.IsCounty ? 60_000 : 15_000)), 0);
            _application.Insert(unit.Id, key, product.Id, hosting.Id, name, users, protection, kritis, operation24x7, lifecycle, cost, 1, _now, _now);
            unit.Products.Add(product);
            _totals.Applications++;
        }

        BuildInventory(unit, rng);
        BuildAssignmentsAndPeaks(unit, rng);
    }

    private static string InstanceLabel(int instance) => instance switch
    {
        2 => "Testsystem",
        3 => "Schulungssystem",
        _ => $"Mandant {instance - 2}",
    };

    private List<HostingRow> CreateHostings(Unit unit, Random rng)
    {
        var list = new List<HostingRow>();
        var city = unit.Name.Split(',')[0];
        // ≈154 servers per county, ≈13 % of them physical; municipalities run a small server room.
        var servers = unit.IsCounty ? rng.Next(130, 180) : rng.Next(6, 24);
        var physical = (int)Math.Round(servers * (0.10 + rng.NextDouble() * 0.06));
        var iso = Pick(rng, ("none", 0.4), ("iso", 0.3), ("grundschutz", 0.3));
        list.Add(AddHosting(unit, "RZ-01", unit.IsCounty ? "Rechenzentrum Kreisverwaltung" : "Serverraum Rathaus", "self", "on_premises", null,
            "DE", city, "none", iso, rng.NextDouble() < 0.3, physical, servers - physical, servers * rng.Next(4_000, 7_000)));
        if (unit.IsCounty && rng.NextDouble() < 0.5)
        {
            list.Add(AddHosting(unit, "RZ-02", "Ausweichrechenzentrum (Colocation)", "self", "colocation", null,
                "DE", city, "none", iso, true, rng.Next(2, 8), rng.Next(10, 30), rng.Next(40_000, 120_000)));
        }

        var municipal = DemoProviders.MunicipalFor(unit.StateCode, rng);
        list.Add(AddProviderHosting(unit, "KDL-01", $"{municipal.Name} – Fachverfahrensbetrieb", "municipal_provider", rng.NextDouble() < 0.5 ? "saas" : "iaas", municipal, rng));
        if (unit.IsCounty && rng.NextDouble() < 0.4)
        {
            var state = DemoProviders.StateFor(unit.StateCode);
            list.Add(AddProviderHosting(unit, "LDL-01", $"{state.Name} – Landesnetz-Dienste", "state_provider", "iaas", state, rng));
        }

        if (rng.NextDouble() < (unit.IsCounty ? 0.7 : 0.3))
        {
            var cloud = DemoProviders.Private[rng.Next(DemoProviders.Private.Count)];
            list.Add(AddProviderHosting(unit, "CLD-01", $"{cloud.Name} – SaaS", "private_provider", "saas", cloud, rng));
        }

        return list;
    }

    private HostingRow AddProviderHosting(Unit unit, string key, string name, string kind, string model, DemoProviders.Provider provider, Random rng) =>
        AddHosting(unit, key, name, kind, model, _providers[provider.Key], provider.Country, provider.City, provider.C5, provider.Iso27001,
            provider.Country == "DE" ? rng.NextDouble() < 0.8 : true, 0, 0, rng.Next(20_000, 250_000));

    private HostingRow AddHosting(Unit unit, string key, string name, string operatorKind, string model, long? operatorId, string country, string city,
        string c5, string iso, bool georedundant, int physical, int virtualServers, decimal annualCost)
    {
        var id = _hosting.Insert(unit.Id, key, name, operatorKind, model, operatorId, country, city, c5, iso, georedundant, physical, virtualServers,
            annualCost, 1, _now, _now);
        return new HostingRow(id, operatorKind, model);
    }

    private List<CatalogueProduct> ChooseProducts(Unit unit, Random rng)
    {
        var level = unit.IsCounty ? "county" : "municipality";
        var pool = _catalogue.Products.Where(p => p.Record.UsedBy == "all" || p.Record.UsedBy == level).ToList();
        var chosen = new List<CatalogueProduct>();

        foreach (var category in pool.Where(p => p.SingleSystem).GroupBy(p => p.Record.CategoryKey))
        {
            if (!unit.IsCounty && rng.NextDouble() < 0.25)
            {
                continue;
            }

            var options = category.ToList();
            chosen.Add(options[rng.Next(options.Count)]);
        }

        // Planted: a county running two DMS products (redundant_applications).
        if (unit.IsCounty && (unit.Ags == CioCountyAgs || rng.NextDouble() < 0.06))
        {
            var second = pool.Where(p => p.Record.CategoryKey == "dms" && !chosen.Contains(p)).ToList();
            if (second.Count > 0)
            {
                chosen.Add(second[rng.Next(second.Count)]);
            }
        }

        // Every workplace needs an office suite, endpoint protection and a management agent.
        var baseline = new[]
        {
            rng.NextDouble() < 0.6 ? "ms-m365-e3" : "ms-office-ltsc-std-2021",
            "sophos-intercept-x",
            rng.NextDouble() < 0.6 ? "baramundi-suite" : "matrix42-empirum",
            "ms-windows-server-dc",
        };
        foreach (var key in baseline)
        {
            chosen.Add(_catalogue.Products.Single(p => p.Record.Key == key));
        }

        var others = pool.Where(p => !p.SingleSystem && !chosen.Contains(p) && p.Record.Key is not ("ms-m365-e3" or "ms-office-ltsc-std-2021" or "baramundi-suite" or "matrix42-empirum"))
            .OrderBy(_ => rng.Next()).ToList();
        var share = unit.IsCounty ? 0.8 : 0.35;
        chosen.AddRange(others.Take((int)(others.Count * share)));

        var target = unit.IsCounty
            ? Vary(rng, _profile.ApplicationsPerCounty)
            : Math.Max(chosen.Count, Vary(rng, _profile.ApplicationsPerCounty / 6));
        var extendable = chosen.Where(p => !p.SingleSystem && p.Record.Metric is not ("site" or "inhabitants" or "subscription")).ToList();
        while (chosen.Count < target && extendable.Count > 0)
        {
            chosen.Add(extendable[rng.Next(extendable.Count)]);
        }

        return chosen;
    }

    private void BuildInventory(Unit unit, Random rng)
    {
        var deviceCount = unit.IsCounty ? Vary(rng, _profile.DevicesPerCounty) : Math.Max(4, Vary(rng, _profile.DevicesPerCounty / 8));
        var serverCount = Math.Max(2, deviceCount / 12);
        var distinct = unit.Products.Distinct().ToList();
        var clientProducts = distinct.Where(p => p.Record.Metric is "named_user" or "subscription" or "concurrent_user" or "device" or "site"
            && !IsBaseline(p)).ToList();
        var serverProducts = distinct.Where(p => p.Record.Metric is "instance" or "core" && p.Record.Key != "ms-windows-server-dc").ToList();
        var baseline = distinct.Where(IsBaseline).ToList();
        var windowsServer = distinct.First(p => p.Record.Key == "ms-windows-server-dc");
        var userPool = Math.Max(10, unit.Employees);

        for (var d = 0; d < deviceCount; d++)
        {
            var isServer = d < serverCount;
            var kind = isServer ? (rng.NextDouble() < 0.3 ? "server" : "virtual_server") : (rng.NextDouble() < 0.35 ? "laptop" : "workstation");
            int? cores = isServer ? rng.Next(1, 5) * 4 : rng.Next(2, 5) * 2;
            var prefix = isServer ? "SRV" : kind == "laptop" ? "NB" : "PC";
            var deviceId = _device.Insert(unit.Id, $"{prefix}-{unit.Ags}-{d + 1:00000}", kind, cores, _now);
            _totals.Devices++;
            var user = isServer ? null : UserKey(rng.Next(userPool));

            var installs = new List<CatalogueProduct>();
            if (isServer)
            {
                installs.Add(windowsServer);
                installs.AddRange(serverProducts.Where(_ => rng.NextDouble() < 0.35));
                if (d == 0)
                {
                    installs.AddRange(serverProducts.Where(p => !installs.Contains(p)));
                }
            }
            else
            {
                installs.AddRange(baseline.Where(p => p.Record.Key != "ms-windows-server-dc"));
                var target = Vary(rng, _profile.InstallationsPerDevice) - installs.Count - 2;
                installs.AddRange(clientProducts.OrderBy(_ => rng.Next()).Take(Math.Max(0, target)));
            }

            foreach (var product in installs.Distinct())
            {
                var lastUsed = LastUsed(rng);
                _installation.Insert(deviceId, product.TitleId, $"{rng.Next(1, 12)}.{rng.Next(0, 10)}", user, lastUsed);
                _totals.Installations++;
                var usage = unit.Usage(product.Id);
                usage.Devices++;
                if (isServer)
                {
                    usage.Servers++;
                    usage.CoreUnits += Math.Max(cores ?? 1, MinCores(product) ?? 1);
                }

                if (user is not null)
                {
                    usage.Users.Add(user);
                }
            }

            if (!isServer)
            {
                var unrecognised = rng.Next(1, 4);
                for (var u = 0; u < unrecognised; u++)
                {
                    var title = _catalogue.UnrecognisedTitleIds[rng.Next(_catalogue.UnrecognisedTitleIds.Count)];
                    _installation.Insert(deviceId, title, $"{rng.Next(1, 30)}.{rng.Next(0, 10)}", user, LastUsed(rng));
                    _totals.Installations++;
                }
            }
        }
    }

    private static bool IsBaseline(CatalogueProduct p) =>
        p.Record.Key is "ms-m365-e3" or "ms-office-ltsc-std-2021" or "sophos-intercept-x" or "baramundi-suite" or "matrix42-empirum" or "ms-windows-server-dc";

    private void BuildAssignmentsAndPeaks(Unit unit, Random rng)
    {
        var userPool = Math.Max(10, unit.Employees);
        foreach (var product in unit.Products.Distinct())
        {
            var metric = product.Record.Metric;
            var users = unit.ApplicationUsers.GetValueOrDefault(product.Id, 5);
            if (metric is "named_user" or "subscription")
            {
                var picked = new HashSet<int>();
                while (picked.Count < Math.Min(users, userPool))
                {
                    picked.Add(rng.Next(userPool));
                }

                foreach (var u in picked.Order())
                {
                    var key = UserKey(u);
                    var since = _asOf.AddDays(-rng.Next(30, 2_000));
                    var roll = rng.NextDouble();
                    DateOnly? lastLogin = roll < 0.1 ? null : roll < 0.22 ? _asOf.AddDays(-rng.Next(91, 500)) : _asOf.AddDays(-rng.Next(0, 60));
                    _assignment.Insert(unit.Id, key, product.Id, since, lastLogin, _now);
                    var usage = unit.Usage(product.Id);
                    usage.AssignedUsers.Add(key);
                    usage.Users.Add(key);
                }
            }
            else if (metric == "concurrent_user")
            {
                var basePeak = Math.Max(1, users / 2);
                var first = new DateOnly(_asOf.Year, _asOf.Month, 1).AddMonths(-17);
                for (var m = 0; m < 18; m++)
                {
                    var month = first.AddMonths(m);
                    var peak = Math.Max(1, basePeak + rng.Next(-basePeak / 3 - 1, basePeak / 3 + 2));
                    _peak.Insert(unit.Id, product.Id, month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), peak, _now);
                    if (month >= first.AddMonths(6))
                    {
                        var usage = unit.Usage(product.Id);
                        usage.PeakConcurrent = Math.Max(usage.PeakConcurrent, peak);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- contracts and licenses

    /// <returns>The products the county licensed for its members too (<c>covers_members</c>).</returns>
    private HashSet<long> BuildLicenses(Unit unit, IReadOnlyList<Unit> members, Random rng, IReadOnlySet<long>? coveredByCounty = null)
    {
        var covers = new HashSet<long>();
        var contractNo = 0;
        string NextKey(DateOnly start) => $"V-{start.Year}-{unit.Ags}-{++contractNo:000}";

        foreach (var product in unit.Products.Distinct().OrderBy(p => p.Record.Key, StringComparer.Ordinal))
        {
            if (coveredByCounty is not null && coveredByCounty.Contains(product.Id))
            {
                continue;
            }

            // Planted: ≈3 % of products run without any license (unlicensed / compliance_risk).
            if (rng.NextDouble() < 0.03)
            {
                continue;
            }

            var record = product.Record;
            var coversMembers = unit.IsCounty && members.Count > 0 && record.UsedBy == "all" && rng.NextDouble() < 0.4;
            var consumption = Consumption(unit, product);
            if (coversMembers)
            {
                covers.Add(product.Id);
                consumption += members.Sum(m => Consumption(m, product));
            }

            var quantity = PlanQuantity(record.Metric, consumption, unit.Population, rng);
            var (type, initial, renewal, notice) = ContractShape(record.Metric, rng);
            var start = StartDate(rng);
            DateOnly? end = null;
            if (type == "pflege_s" && rng.NextDouble() < 0.12)
            {
                start = _asOf.AddMonths(-rng.Next(6, 40));
                end = start.AddMonths(48).AddDays(-1);
            }

            var unitPrice = record.ListPrice > 0 ? Math.Round(record.ListPrice * (decimal)(0.85 + rng.NextDouble() * 0.15), 2) : record.AnnualCostPerUnit;
            var annualCost = record.AnnualCostPerUnit > 0 ? quantity * record.AnnualCostPerUnit : (decimal?)null;
            var framework = record.Metric == "subscription" && rng.NextDouble() < 0.3 ? $"RV-{record.Key.ToUpperInvariant()}-{unit.StateCode}-2023" : null;
            var contractId = _contract.Insert(unit.Id, NextKey(start), record.Vendor, $"{TypeTitle(type)} {record.Name}", type, start,
                initial, renewal, notice, end, annualCost, framework, 1, _now, _now);
            _totals.Contracts++;

            DateOnly? validTo = null;
            var validFrom = start;
            var validity = rng.NextDouble();
            if (validity < 0.03)
            {
                validTo = _asOf.AddDays(-rng.Next(1, 200));
            }
            else if (validity < 0.05)
            {
                validFrom = _asOf.AddDays(rng.Next(1, 60));
            }

            _license.Insert(unit.Id, contractId, product.Id, record.Metric, quantity, unitPrice, record.AnnualCostPerUnit, validFrom, validTo,
                coversMembers, MinCores(product), 1, _now, _now);
            _totals.Licenses++;
        }

        // Planted: a maintenance contract for a product nobody uses any more, with a notice deadline ahead (terminate_contract).
        if (unit.IsCounty && (unit.Ags == CioCountyAgs || rng.NextDouble() < 0.15))
        {
            var used = unit.Products.Select(p => p.Id).ToHashSet();
            var unused = _catalogue.Products.Where(p => !used.Contains(p.Id) && !p.SingleSystem && p.Record.Metric == "named_user").ToList();
            if (unused.Count > 0)
            {
                var product = unused[rng.Next(unused.Count)];
                var termEnd = _asOf.AddMonths(rng.Next(3, 6));
                var start = termEnd.AddDays(1).AddMonths(-12 * rng.Next(2, 6));
                var quantity = rng.Next(5, 40);
                var contractId = _contract.Insert(unit.Id, NextKey(start), product.Record.Vendor, $"{TypeTitle("pflege_s")} {product.Record.Name}", "pflege_s",
                    start, 12, 12, 3, null, quantity * product.Record.AnnualCostPerUnit, null, 1, _now, _now);
                _license.Insert(unit.Id, contractId, product.Id, product.Record.Metric, quantity, product.Record.ListPrice, product.Record.AnnualCostPerUnit,
                    start, null, false, null, 1, _now, _now);
                _totals.Contracts++;
                _totals.Licenses++;
            }
        }

        return covers;
    }

    private static int Consumption(Unit unit, CatalogueProduct product)
    {
        if (!unit.UsageByProduct.TryGetValue(product.Id, out var usage))
        {
            return 0;
        }

        return product.Record.Metric switch
        {
            "device" or "site" => usage.Devices,
            "named_user" => usage.Users.Count,
            "subscription" => usage.AssignedUsers.Count,
            "concurrent_user" => usage.PeakConcurrent,
            "core" => usage.CoreUnits,
            "instance" => usage.Servers,
            "inhabitants" => (int)unit.Population,
            _ => 0,
        };
    }

    private static int PlanQuantity(string metric, int consumption, long population, Random rng)
    {
        if (metric == "site")
        {
            return 1;
        }

        if (metric == "inhabitants")
        {
            return (int)(Math.Ceiling(population / 1000.0) * 1000);
        }

        var roll = rng.NextDouble();
        if (consumption == 0)
        {
            return rng.Next(1, 10);
        }

        // Planted mix: ≈8 % shortfalls, ≈17 % exact, the rest over-licensed (right_size).
        if (roll < 0.08)
        {
            return Math.Max(1, (int)(consumption * (0.7 + rng.NextDouble() * 0.2)));
        }

        if (roll < 0.25)
        {
            return consumption;
        }

        return (int)Math.Ceiling(consumption * (1.05 + rng.NextDouble() * 0.4)) + 1;
    }

    private static (string Type, int? Initial, int? Renewal, int? Notice) ContractShape(string metric, Random rng)
    {
        switch (metric)
        {
            case "subscription":
                return ("cloud", rng.NextDouble() < 0.7 ? 12 : 36, 12, 3);
            case "inhabitants":
                return ("ueberlassung_b", 60, 12, 6);
            case "site":
                return ("other", null, null, null);
        }

        var roll = rng.NextDouble();
        return roll switch
        {
            < 0.5 => ("pflege_s", 12, 12, 3),
            < 0.7 => ("ueberlassung_b", 36, 12, 6),
            < 0.9 => ("ueberlassung_a", null, null, null),
            _ => ("dienstvertrag", 24, 12, 3),
        };
    }

    private DateOnly StartDate(Random rng)
    {
        var monthsAgo = rng.Next(3, 96);
        var month = new DateOnly(_asOf.Year, _asOf.Month, 1).AddMonths(-monthsAgo);
        var roll = rng.NextDouble();
        // Mostly the first of a month; some month ends, so that BGB month-end clamping shows in the demo.
        var day = roll < 0.6 ? 1 : roll < 0.95 ? rng.Next(2, 29) : DateTime.DaysInMonth(month.Year, month.Month);
        return new DateOnly(month.Year, month.Month, day);
    }

    private static string TypeTitle(string type) => type switch
    {
        "ueberlassung_a" => "EVB-IT Überlassung Typ A:",
        "ueberlassung_b" => "EVB-IT Überlassung Typ B:",
        "pflege_s" => "EVB-IT Pflege S:",
        "cloud" => "EVB-IT Cloud:",
        "dienstvertrag" => "EVB-IT Dienstvertrag:",
        _ => "Vertrag:",
    };

    private static int? MinCores(CatalogueProduct product) => product.Record.Key switch
    {
        "ms-windows-server-dc" => 16,
        "ms-sql-server-std" => 4,
        _ => null,
    };

    private DateOnly? LastUsed(Random rng)
    {
        var roll = rng.NextDouble();
        return roll < 0.15 ? null : roll < 0.27 ? _asOf.AddDays(-rng.Next(91, 600)) : _asOf.AddDays(-rng.Next(0, 60));
    }

    private static string UserKey(int index) => $"u{index + 1:00000}";

    private static int Vary(Random rng, int value) => Math.Max(1, (int)Math.Round(value * (0.9 + rng.NextDouble() * 0.2)));

    private static string Pick(Random rng, params (string Value, double Weight)[] options)
    {
        var roll = rng.NextDouble();
        foreach (var (value, weight) in options)
        {
            if (roll < weight)
            {
                return value;
            }

            roll -= weight;
        }

        return options[^1].Value;
    }

    public void Dispose()
    {
        foreach (var insert in new[] { _organisation, _hosting, _application, _device, _installation, _assignment, _peak, _contract, _license })
        {
            insert.Dispose();
        }
    }

    private sealed record HostingRow(long Id, string OperatorKind, string Model);

    private sealed class Usage
    {
        public int Devices;
        public int Servers;
        public int CoreUnits;
        public int PeakConcurrent;
        public readonly HashSet<string> Users = new(StringComparer.Ordinal);
        public readonly HashSet<string> AssignedUsers = new(StringComparer.Ordinal);
    }

    private sealed record Unit(long Id, string Ags, string Name, string StateCode, long Population, int Employees, bool Shares, bool IsCounty)
    {
        public List<CatalogueProduct> Products { get; } = [];
        public Dictionary<long, int> ApplicationUsers { get; } = [];
        public Dictionary<long, Usage> UsageByProduct { get; } = [];

        public Usage Usage(long productId)
        {
            if (!UsageByProduct.TryGetValue(productId, out var usage))
            {
                UsageByProduct[productId] = usage = new Usage();
            }

            return usage;
        }
    }
}
