using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Dashboards;

public sealed record StateShare(string StateCode, string State, long Applications, long OwnServers)
{
    public decimal Share => Applications == 0 ? 0 : (decimal)OwnServers / Applications;
}

public sealed record BenchmarkFigure(string Label, decimal County, decimal? PeerMedian, decimal? PeerAverage, string Format);

public sealed record PeerBenchmark(long CountyId, string CountyName, long Population, int Peers, IReadOnlyList<BenchmarkFigure> Figures);

public sealed class VerbundDashboard
{
    public required IReadOnlyList<NamedValue> ProductsByCounties { get; init; }
    public required IReadOnlyList<StateShare> OwnServersByState { get; init; }
    public required IReadOnlyList<(long Id, string Name)> Counties { get; init; }
    public PeerBenchmark? Benchmark { get; init; }
}

/// <summary>
/// Cross-county view for Verbund analysts and admins over the organisations that opted in (the analyst's scope).
/// The benchmark names the chosen county only; its peers appear as median and average, never one by one.
/// </summary>
public sealed class VerbundDashboardService(Database database, AuditLog audit)
{
    public const int MinimumPeers = 3;

    private const string ProductsSql = """
        SELECT p.product_key AS "Key", p.name AS Label, COUNT(DISTINCT a.organisation_id) AS Value
        FROM applications a JOIN organisations o ON o.id = a.organisation_id JOIN products p ON p.id = a.product_id
        WHERE o.kind = 'county' AND {scope:a.organisation_id}
        GROUP BY p.product_key, p.name
        ORDER BY COUNT(DISTINCT a.organisation_id) DESC, p.name
        """;

    private const string StatesSql = """
        SELECT o.state_code AS StateCode, COUNT(*) AS Applications, SUM(CASE WHEN h.operator_kind = 'self' THEN 1 ELSE 0 END) AS OwnServers
        FROM applications a JOIN hostings h ON h.id = a.hosting_id JOIN organisations o ON o.id = a.organisation_id
        WHERE {scope:a.organisation_id}
        GROUP BY o.state_code ORDER BY o.state_code
        """;

    private const string CountiesSql = "SELECT o.id AS Id, o.name AS Name FROM organisations o WHERE o.kind = 'county' AND {scope:o.id} ORDER BY o.name";

    // One row per county family in scope: population and the figures compared.
    private const string FiguresSql = """
        SELECT c.id AS Id, c.name AS Name, COALESCE(c.population, 0) AS Population,
               (SELECT COUNT(*) FROM applications a JOIN organisations m ON m.id = a.organisation_id WHERE m.id = c.id OR m.parent_id = c.id) AS Applications,
               (SELECT COUNT(*) FROM applications a JOIN hostings h ON h.id = a.hosting_id JOIN organisations m ON m.id = a.organisation_id
                WHERE (m.id = c.id OR m.parent_id = c.id) AND h.operator_kind = 'self') AS OwnServers,
               (SELECT COALESCE(SUM(a.annual_operating_cost), 0) FROM applications a JOIN organisations m ON m.id = a.organisation_id WHERE m.id = c.id OR m.parent_id = c.id) AS OperatingCost,
               (SELECT COALESCE(SUM(p.risk_amount), 0) FROM reconciliation_latest l JOIN license_positions p ON p.run_id = l.run_id AND p.organisation_id = l.organisation_id
                JOIN organisations m ON m.id = p.organisation_id WHERE m.id = c.id OR m.parent_id = c.id) AS Risk
        FROM organisations c
        WHERE c.kind = 'county' AND {scope:c.id}
        """;

    public async Task<VerbundDashboard> GetAsync(CallerScope scope, long? benchmarkCounty)
    {
        if (!scope.IsAdmin && !scope.IsVerbundAnalyst)
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "verbund_dashboard", "view"));
            throw new AccessDeniedException("Das Verbund-Dashboard ist für die Verbund-Analyse und die Administration.");
        }

        using var connection = database.Open();
        var products = (await connection.QueryScopedAsync<(string Key, string Label, long Value)>(scope, database.Dialect.Page(ProductsSql), new { Skip = 0, Take = 15 }))
            .Select(p => new NamedValue(p.Key, p.Label, p.Value)).ToList();
        var states = (await connection.QueryScopedAsync<(string StateCode, long Applications, long OwnServers)>(scope, StatesSql))
            .Select(s => new StateShare(s.StateCode, Registry.States.Name(s.StateCode), s.Applications, s.OwnServers)).ToList();
        var counties = (await connection.QueryScopedAsync<(long Id, string Name)>(scope, CountiesSql)).ToList();
        PeerBenchmark? benchmark = null;
        if (benchmarkCounty is { } id)
        {
            var figures = (await connection.QueryScopedAsync<CountyFigures>(scope, FiguresSql)).ToList();
            if (figures.FirstOrDefault(f => f.Id == id) is { } county)
            {
                var peers = figures.Where(f => f.Id != id && f.Population >= county.Population * 0.75m && f.Population <= county.Population * 1.25m).ToList();
                benchmark = new PeerBenchmark(county.Id, county.Name, county.Population, peers.Count, peers.Count < MinimumPeers ? [] :
                [
                    Figure("Anwendungen je 100.000 Einwohner", county, peers, f => f.Population == 0 ? 0 : f.Applications * 100_000m / f.Population, "N1"),
                    Figure("Anteil auf eigenen Servern", county, peers, f => f.Applications == 0 ? 0 : (decimal)f.OwnServers / f.Applications, "P0"),
                    Figure("Betriebskosten je Einwohner", county, peers, f => f.Population == 0 ? 0 : f.OperatingCost / f.Population, "C"),
                    Figure("Compliance-Risiko je 1.000 Einwohner", county, peers, f => f.Population == 0 ? 0 : f.Risk * 1000m / f.Population, "C"),
                ]);
            }
        }

        return new VerbundDashboard { ProductsByCounties = products, OwnServersByState = states, Counties = counties, Benchmark = benchmark };
    }

    private static BenchmarkFigure Figure(string label, CountyFigures county, List<CountyFigures> peers, Func<CountyFigures, decimal> value, string format)
    {
        var values = peers.Select(value).Order().ToList();
        var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        return new BenchmarkFigure(label, value(county), median, values.Average(), format);
    }

    private sealed class CountyFigures
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public long Population { get; init; }
        public long Applications { get; init; }
        public long OwnServers { get; init; }
        public decimal OperatingCost { get; init; }
        public decimal Risk { get; init; }
    }
}
