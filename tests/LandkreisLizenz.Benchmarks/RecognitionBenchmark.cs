using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;

/// <summary>
/// A recognition_rules import over a large list of unrecognised titles (real exports have tens of thousands of distinct
/// names; the synthetic estates only a few dozen): the import as a whole, and the rule matching alone with the indexed
/// RuleSet against trying every rule in order (what matching did before the index).
/// </summary>
internal static class RecognitionBenchmark
{
    public static int Run(int titles, int rules)
    {
        var (folder, database) = BenchEstate.Create();
        using (var connection = database.Open())
        using (var transaction = connection.BeginTransaction())
        {
            // One title in ten belongs to a rule of the file below; the rest stay unrecognised.
            connection.Execute("INSERT INTO software_titles (name, publisher) VALUES (@Name, @Publisher)",
                Enumerable.Range(0, titles).Select(i => new
                {
                    Name = i % 10 == 0 ? $"Fachverfahren {i % rules:D5} Client {i}" : $"Werkzeug {i} Version {i % 17}",
                    Publisher = i % 3 == 0 ? "Hersteller GmbH" : "",
                }), transaction);
            transaction.Commit();
        }

        string product;
        using (var connection = database.Open())
        {
            product = connection.ExecuteScalar<string>("SELECT MIN(product_key) FROM products")!;
        }

        var csv = new StringBuilder("product_key;software_pattern;publisher_pattern\n");
        for (var i = 0; i < rules; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{product};Fachverfahren {i:D5} *;*\n");
        }

        var clock = TimeProvider.System;
        var audit = new AuditLog(database, clock);
        var recognition = new RecognitionService(database, clock, audit);
        var imports = new ImportService(database, clock, audit, recognition, new ImportOptions(), folder);

        List<(string Name, string Publisher)> unrecognised;
        using (var connection = database.Open())
        {
            unrecognised = connection.Query<(string, string)>("SELECT name, publisher FROM software_titles WHERE product_id IS NULL").ToList();
        }

        var import = Stopwatch.StartNew();
        var outcome = imports.Commit(CallerScope.System("benchmark"), ImportFormat.RecognitionRules, new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), "rules.csv");
        import.Stop();
        using (var connection = database.Open())
        {
            var all = connection.Query<RecognitionRule>(
                "SELECT id AS Id, product_id AS ProductId, software_pattern AS SoftwarePattern, publisher_pattern AS PublisherPattern FROM recognition_rules").ToList();
            var mapped = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM software_titles WHERE rule_id IN (SELECT id FROM recognition_rules WHERE software_pattern LIKE 'Fachverfahren %')");
            Console.WriteLine($"recognition_rules import: {outcome.Inserts:N0} rules ({all.Count:N0} in all), {unrecognised.Count:N0} unrecognised titles, {mapped:N0} mapped, {import.Elapsed.TotalMilliseconds:N0} ms");

            var set = new RuleSet(all);
            var indexed = Stopwatch.StartNew();
            var hits = unrecognised.Count(t => set.Match(t.Name, t.Publisher) is not null);
            indexed.Stop();
            var ordered = all.Select(r => (Software: new WildcardPattern(r.SoftwarePattern), Publisher: new WildcardPattern(r.PublisherPattern)))
                .OrderByDescending(x => x.Software.Specificity).ThenByDescending(x => x.Publisher.Specificity).ToList();
            var linear = Stopwatch.StartNew();
            var linearHits = unrecognised.Count(t => ordered.Any(x => x.Software.IsMatch(t.Name) && x.Publisher.IsMatch(t.Publisher)));
            linear.Stop();
            Console.WriteLine($"matching {unrecognised.Count:N0} titles against {all.Count:N0} rules: indexed {indexed.Elapsed.TotalMilliseconds:N0} ms ({hits:N0} hits), every rule in order {linear.Elapsed.TotalMilliseconds:N0} ms ({linearHits:N0} hits)");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}
