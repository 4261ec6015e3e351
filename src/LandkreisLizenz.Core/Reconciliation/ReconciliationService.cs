using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;
using Microsoft.Extensions.Logging;

namespace LandkreisLizenz.Core.Reconciliation;

public sealed record ReconciliationRun(long Id, DateOnly AsOf, IReadOnlyList<long> Families);

public sealed class RunSummary
{
    public long Id { get; init; }
    public long? OrganisationId { get; init; }
    public string Kind { get; init; } = "";
    public DateOnly AsOf { get; init; }
    public string Status { get; init; } = "";
    public DateTime StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public int PositionsCount { get; init; }
    public int OrganisationsCount { get; init; }
    public int FamiliesTotal { get; init; }
    public int FamiliesDone { get; init; }
    public string? Checksum { get; init; }
}

/// <summary>The other run holds the family; the job is retried later (at most one run per organisation at a time).</summary>
public sealed class FamilyBusyException(long family, long otherRun) : Exception($"Family {family} is being reconciled by run {otherRun}.");

/// <summary>
/// Runs of the reconciliation (spec §2). A run covers families — a county with its member municipalities, or a
/// standalone organisation — because a county's covers_members licenses pool its municipalities' consumption.
/// Each family is computed and written in one transaction; rewriting a family in the same run replaces its rows,
/// so a retried or duplicated job leaves the same positions and no duplicates.
/// </summary>
public sealed class ReconciliationService(Database database, TimeProvider clock, AuditLog audit, ReconciliationOptions options, ILogger<ReconciliationService>? logger = null,
    IRunFinishedListener? finished = null)
{
    private static readonly TimeSpan StaleLock = TimeSpan.FromMinutes(30);

    private const string FamilyRootsSql = """
        SELECT DISTINCT COALESCE(CASE WHEN o.kind = 'municipality' THEN o.parent_id END, o.id) AS Root
        FROM organisations o
        WHERE @All = 1 OR o.id IN @Ids
        ORDER BY Root
        """;

    private const string InsertRunSql = """
        INSERT INTO reconciliation_runs (organisation_id, as_of, status, started_at, positions_count, organisations_count, families_total, families_done, kind)
        VALUES (@OrganisationId, @AsOf, 'running', @Now, 0, 0, @Families, 0, @Kind)
        """;

    private const string RunSelectSql = """
        SELECT r.id AS Id, r.organisation_id AS OrganisationId, r.kind AS Kind, r.as_of AS AsOf, r.status AS Status, r.started_at AS StartedAt,
               r.finished_at AS FinishedAt, r.positions_count AS PositionsCount, r.organisations_count AS OrganisationsCount,
               r.families_total AS FamiliesTotal, r.families_done AS FamiliesDone, r.checksum AS Checksum
        """;

    private const string RunColumnsSql = RunSelectSql + "\nFROM reconciliation_runs r";

    private const string RunSql = RunColumnsSql + "\nWHERE r.id = @Id";

    // A run for one organisation is visible to whoever may see that organisation; a run over the whole estate to admins only.
    private const string VisibleRunsWhereSql = """
        WHERE {scope:r.organisation_id} AND (r.organisation_id IS NOT NULL OR @Admin = 1)
          AND (@Organisation IS NULL OR r.organisation_id = @Organisation)
        """;

    /// <summary>Newest first; the id last makes every place unique.</summary>
    private static readonly SortTerm[] RunOrder = [new("r.started_at", Descending: true, Nullable: false), new("r.id", Descending: true, Nullable: false)];

    private static string VisibleRunsPageSql(SqlDialect dialect, string window, IReadOnlyList<SortTerm> readOrder) =>
        dialect.Page($"{RunSelectSql}, {KeysetSql.Columns(RunOrder)}\nFROM reconciliation_runs r\n{VisibleRunsWhereSql}\n  AND {window}\n{dialect.OrderBy(readOrder)}");

    /// <summary>The statements composed at run time, in <paramref name="dialect"/> (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect) =>
        KeysetSql.Samples.Select(sample =>
        {
            var (window, readOrder) = KeysetSql.Window(dialect, RunOrder, KeysetSql.Sample(sample.Request, RunOrder.Length), new DynamicParameters());
            return ($"runs: {sample.Name}", VisibleRunsPageSql(dialect, window, readOrder));
        });

    private const string VisibleRunsCountSql = "SELECT COUNT(*) FROM reconciliation_runs r\n" + VisibleRunsWhereSql;

    private const string VisibleRunsByIdSql = RunColumnsSql + "\n" + VisibleRunsWhereSql + "\n  AND r.id IN ({ids})";

    private const string ListPricesSql = "SELECT id AS Id, list_price AS ListPrice FROM products";

    // The metric a product is usually licensed by: the most frequent among all licenses, ties by name.
    private const string UsualMetricsSql = """
        SELECT product_id AS ProductId, metric AS Metric, COUNT(*) AS Licenses FROM licenses GROUP BY product_id, metric
        """;

    private const string AcquireLockSql = "INSERT INTO reconciliation_locks (organisation_id, run_id, acquired_at) VALUES (@Root, @Run, @Now)";

    private const string LockSql = "SELECT run_id AS RunId, acquired_at AS AcquiredAt FROM reconciliation_locks WHERE organisation_id = @Root";

    private const string TakeOverLockSql = "UPDATE reconciliation_locks SET run_id = @Run, acquired_at = @Now WHERE organisation_id = @Root AND run_id = @OldRun";

    private const string ReleaseLockSql = "DELETE FROM reconciliation_locks WHERE organisation_id = @Root AND run_id = @Run";

    private const string DeleteFamilyPositionsSql = """
        DELETE FROM license_positions
        WHERE run_id = @Run AND organisation_id IN (SELECT id FROM organisations WHERE id = @Root OR parent_id = @Root)
        """;

    private const string InsertPositionSql = """
        INSERT INTO license_positions (run_id, organisation_id, product_id, metric, entitlement, consumption, balance, status, unit_price,
                                       annual_cost_per_unit, risk_amount, unused, active_consumption)
        VALUES (@Run, @OrganisationId, @ProductId, @Metric, @Entitlement, @Consumption, @Balance, @Status, @UnitPrice,
                @AnnualCostPerUnit, @RiskAmount, @Unused, @ActiveConsumption)
        """;

    // The latest run of an organisation only moves forward: a run started earlier that reconciles a family after a
    // later one did leaves the later one's pointer.
    private const string DeleteLatestSql = """
        DELETE FROM reconciliation_latest
        WHERE organisation_id IN (SELECT id FROM organisations WHERE id = @Root OR parent_id = @Root) AND run_id <= @Run
        """;

    private const string InsertLatestSql = """
        INSERT INTO reconciliation_latest (organisation_id, run_id, as_of, reconciled_at)
        SELECT o.id, @Run, @AsOf, @Now FROM organisations o
        WHERE (o.id = @Root OR o.parent_id = @Root) AND NOT EXISTS (SELECT 1 FROM reconciliation_latest l WHERE l.organisation_id = o.id)
        """;

    private const string FamilyDoneSql = """
        INSERT INTO reconciliation_run_families (run_id, organisation_id, done_at)
        SELECT @Run, @Root, @Now WHERE NOT EXISTS (SELECT 1 FROM reconciliation_run_families WHERE run_id = @Run AND organisation_id = @Root)
        """;

    // What this run finished itself (a retry of a family counts once).
    private const string CountDoneSql = """
        UPDATE reconciliation_runs SET families_done = (SELECT COUNT(*) FROM reconciliation_run_families f WHERE f.run_id = @Run)
        WHERE id = @Run
        """;

    private const string FinishSql = """
        UPDATE reconciliation_runs SET status = 'succeeded', finished_at = @Now, positions_count = @Positions, organisations_count = @Organisations, checksum = @Checksum
        WHERE id = @Run AND families_done >= families_total AND status = 'running'
        """;

    private const string RunPositionsSql = """
        SELECT organisation_id AS OrganisationId, product_id AS ProductId, metric AS Metric, entitlement AS Entitlement, consumption AS Consumption,
               balance AS Balance, status AS Status, unit_price AS UnitPrice, annual_cost_per_unit AS AnnualCostPerUnit, risk_amount AS RiskAmount,
               unused AS Unused, active_consumption AS ActiveConsumption
        FROM license_positions WHERE run_id = @Run
        ORDER BY organisation_id, product_id, metric
        """;

    private const string AbandonSql = """
        UPDATE reconciliation_runs SET status = 'failed', error = 'abgebrochen', finished_at = @Now WHERE status = 'running' AND started_at < @Before
        """;

    /// <summary>
    /// Creates a run for the whole estate (<paramref name="organisationIds"/> null) or for the families of the given
    /// organisations. The caller then processes every family (jobs fan out; <see cref="RunNow"/> does it in-process).
    /// </summary>
    public async Task<ReconciliationRun> StartAsync(CallerScope scope, IReadOnlyCollection<long>? organisationIds, string kind = "full")
    {
        if (scope.ReadOnly || (organisationIds is null ? !scope.IsAdmin : organisationIds.Any(id => !scope.CanWrite(id))))
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "reconciliation_run", organisationIds is null ? "alle" : string.Join(",", organisationIds)));
            throw new AccessDeniedException("Einen Lizenzabgleich starten darf das Lizenzmanagement für seine Organisationen, für alle die Administration.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var asOf = BusinessDate.Today(clock);
        using var connection = database.Open();
        await connection.ExecuteAsync(AbandonSql, new { Now = now, Before = now.AddHours(-6) });
        var roots = (await connection.QueryAsync<long>(FamilyRootsSql, new { All = organisationIds is null ? 1 : 0, Ids = organisationIds?.ToArray() ?? [0L] })).ToList();
        var id = await connection.ExecuteScalarAsync<long>(database.Dialect.InsertReturningId(InsertRunSql), new
        {
            OrganisationId = organisationIds is { Count: 1 } ? organisationIds.First() : (long?)null,
            AsOf = asOf,
            Now = now,
            Families = roots.Count,
            Kind = kind,
        });
        return new ReconciliationRun(id, asOf, roots);
    }

    /// <summary>Processes every family of a run in this process, <see cref="ReconciliationOptions.Parallelism"/> at a time.</summary>
    public async Task<RunSummary> RunNow(CallerScope scope, IReadOnlyCollection<long>? organisationIds, string kind = "full")
    {
        var run = await StartAsync(scope, organisationIds, kind);
        var prices = LoadListPrices();
        var metrics = LoadUsualMetrics();
        await Parallel.ForEachAsync(run.Families, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) },
            (root, _) =>
            {
                ProcessFamily(run.Id, root, prices, metrics);
                return ValueTask.CompletedTask;
            });
        return (await GetRunAsync(scope, run.Id))!;
    }

    // Catalogue inputs read once per run and shared by its family jobs in this process (a run is one snapshot);
    // another node, or a restart, simply reads them again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Lazy<(IReadOnlyDictionary<long, decimal?> Prices, IReadOnlyDictionary<long, string> Metrics)>> _runInputs = new();

    /// <summary>Computes and writes one family of a run (idempotent); the last family finishes the run.</summary>
    public void ProcessFamily(long runId, long root)
    {
        var inputs = _runInputs.GetOrAdd(runId, _ => new Lazy<(IReadOnlyDictionary<long, decimal?>, IReadOnlyDictionary<long, string>)>(() => (LoadListPrices(), LoadUsualMetrics()))).Value;
        ProcessFamily(runId, root, inputs.Prices, inputs.Metrics);
    }

    private void ProcessFamily(long runId, long root, IReadOnlyDictionary<long, decimal?> prices, IReadOnlyDictionary<long, string> metrics)
    {
        using var connection = database.Open();
        var run = connection.QuerySingle<RunSummary>(RunSql, new { Id = runId });
        if (run.Status != "running")
        {
            return;
        }

        AcquireLock(connection, runId, root);
        try
        {
            var data = FamilyLoader.Load(connection, root, run.AsOf, options.UnusedThresholdDays, prices, metrics);
            var positions = ReconciliationEngine.Compute(data, run.AsOf);
            var now = clock.GetUtcNow().UtcDateTime;
            using var transaction = connection.BeginTransaction();
            connection.Execute(DeleteFamilyPositionsSql, new { Run = runId, Root = root }, transaction);
            connection.Execute(InsertPositionSql, positions.Select(p => new
            {
                Run = runId, p.OrganisationId, p.ProductId, p.Metric, p.Entitlement, p.Consumption, p.Balance, p.Status, p.UnitPrice,
                p.AnnualCostPerUnit, p.RiskAmount, p.Unused, p.ActiveConsumption,
            }), transaction);
            connection.Execute(DeleteLatestSql, new { Root = root, Run = runId }, transaction);
            connection.Execute(InsertLatestSql, new { Run = runId, run.AsOf, Now = now, Root = root }, transaction);
            connection.Execute(FamilyDoneSql, new { Run = runId, Root = root, Now = now }, transaction);
            connection.Execute(CountDoneSql, new { Run = runId }, transaction);
            transaction.Commit();
        }
        finally
        {
            connection.Execute(ReleaseLockSql, new { Root = root, Run = runId });
        }

        TryFinish(connection, runId);
    }

    private void AcquireLock(System.Data.IDbConnection connection, long runId, long root)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        try
        {
            connection.Execute(AcquireLockSql, new { Root = root, Run = runId, Now = now });
            return;
        }
        catch (System.Data.Common.DbException)
        {
            // The family is locked: by this run (a retry after a crash), by a stale run, or by a live one.
        }

        var holder = connection.QuerySingleOrDefault<(long RunId, DateTime AcquiredAt)?>(LockSql, new { Root = root });
        if (holder is null)
        {
            AcquireLock(connection, runId, root);
            return;
        }

        if (holder.Value.RunId == runId || now - holder.Value.AcquiredAt > StaleLock)
        {
            connection.Execute(TakeOverLockSql, new { Root = root, Run = runId, Now = now, OldRun = holder.Value.RunId });
            return;
        }

        throw new FamilyBusyException(root, holder.Value.RunId);
    }

    private void TryFinish(System.Data.IDbConnection connection, long runId)
    {
        var run = connection.QuerySingle<RunSummary>(RunSql, new { Id = runId });
        if (run.Status != "running" || run.FamiliesDone < run.FamiliesTotal)
        {
            return;
        }

        var positions = ReadPositions(connection, runId);
        var finishedHere = connection.Execute(FinishSql, new
        {
            Run = runId,
            Now = clock.GetUtcNow().UtcDateTime,
            Positions = positions.Count,
            Organisations = positions.Select(p => p.OrganisationId).Distinct().Count(),
            Checksum = Checksum(positions),
        }) > 0;
        _runInputs.TryRemove(runId, out _);
        if (finishedHere)
        {
            // Two family jobs finishing at once both get here; only the one whose update finished the run hands over.
            logger?.LogInformation("Reconciliation run {Run} finished: {Positions} positions", runId, positions.Count);
            finished?.RunFinished(runId);
        }
    }

    /// <summary>A run as the caller may see it (see <see cref="RunsAsync"/>); null otherwise.</summary>
    public async Task<RunSummary?> GetRunAsync(CallerScope scope, long runId)
    {
        var run = (await GetRunsAsync(scope, [runId])).SingleOrDefault();
        if (run is null)
        {
            await audit.RefusedAsync(scope, "reconciliation_runs", runId);
        }

        return run;
    }

    /// <summary>The runs with these ids the caller may see, in one statement (batched lookups).</summary>
    public async Task<IReadOnlyList<RunSummary>> GetRunsAsync(CallerScope scope, IReadOnlyCollection<long> runIds)
    {
        using var connection = database.Open();
        var sql = VisibleRunsByIdSql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal);
        return (await connection.QueryScopedAsync<RunSummary>(scope, sql,
            new { Admin = scope.IsAdmin ? 1 : 0, Organisation = (long?)null, Ids = SqlDialect.IdList(runIds) })).ToList();
    }

    /// <summary>
    /// Runs the caller may see, newest first: runs for one organisation when the caller may see that organisation,
    /// runs over the whole estate only for admins. Optionally only the runs started for one organisation.
    /// </summary>
    public async Task<KeysetPage<RunSummary>> RunsAsync(CallerScope scope, long? organisationId, KeysetRequest request)
    {
        var parameters = new DynamicParameters(new { Admin = scope.IsAdmin ? 1 : 0, Organisation = organisationId, Skip = 0, Take = request.SafeTake + 1 });
        var (window, readOrder) = KeysetSql.Window(database.Dialect, RunOrder, request, parameters);
        using var connection = database.Open();
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, VisibleRunsCountSql, parameters);
        var read = await connection.QueryPlacesScopedAsync<RunSummary>(scope, VisibleRunsPageSql(database.Dialect, window, readOrder), RunOrder.Length, parameters);
        return KeysetSql.Page(read, request, total);
    }

    /// <summary>SHA-256 over the positions in key order: equal for two runs that computed the same positions.</summary>
    public static string Checksum(IEnumerable<LicensePosition> positions)
    {
        var text = new StringBuilder();
        foreach (var p in positions.OrderBy(p => p.OrganisationId).ThenBy(p => p.ProductId).ThenBy(p => p.Metric, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{p.OrganisationId}|{p.ProductId}|{p.Metric}|{p.Entitlement}|{p.Consumption}|{p.Balance}|{p.Status}|")
                .Append(ValueText.Normalise(p.UnitPrice)).Append('|').Append(ValueText.Normalise(p.AnnualCostPerUnit)).Append('|')
                .Append(ValueText.Normalise(p.RiskAmount)).Append(CultureInfo.InvariantCulture, $"|{p.Unused}|{p.ActiveConsumption}\n");
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    internal IReadOnlyList<LicensePosition> PositionsOfRun(long runId)
    {
        using var connection = database.Open();
        return ReadPositions(connection, runId);
    }

    private static List<LicensePosition> ReadPositions(System.Data.IDbConnection connection, long runId) =>
        connection.Query<PositionRow>(RunPositionsSql, new { Run = runId })
            .Select(r => new LicensePosition(r.OrganisationId, r.ProductId, r.Metric, r.Entitlement, r.Consumption, r.Balance, r.Status,
                r.UnitPrice, r.AnnualCostPerUnit, r.RiskAmount, r.Unused, r.ActiveConsumption))
            .ToList();

    private sealed class PositionRow
    {
        public long OrganisationId { get; init; }
        public long ProductId { get; init; }
        public string Metric { get; init; } = "";
        public long? Entitlement { get; init; }
        public long Consumption { get; init; }
        public long? Balance { get; init; }
        public string Status { get; init; } = "";
        public decimal? UnitPrice { get; init; }
        public decimal? AnnualCostPerUnit { get; init; }
        public decimal? RiskAmount { get; init; }
        public long Unused { get; init; }
        public long ActiveConsumption { get; init; }
    }

    private IReadOnlyDictionary<long, decimal?> LoadListPrices()
    {
        using var connection = database.Open();
        return connection.Query<(long Id, decimal? ListPrice)>(ListPricesSql).ToDictionary(p => p.Id, p => p.ListPrice);
    }

    private IReadOnlyDictionary<long, string> LoadUsualMetrics()
    {
        using var connection = database.Open();
        return connection.Query<(long ProductId, string Metric, long Licenses)>(UsualMetricsSql)
            .GroupBy(r => r.ProductId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Licenses).ThenBy(r => r.Metric, StringComparer.Ordinal).First().Metric);
    }
}
