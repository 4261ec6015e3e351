using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace LandkreisLizenz.Tests.Data;

/// <summary>
/// No SQL Server runs on this machine, so every statement the application can issue is produced in its SQL Server form
/// and parsed with ScriptDom: every SQL constant of Core and Web (found by reflection, so new ones are included
/// automatically), in the paged and returning-id forms the dialect adds, and every statement composed at run time
/// (registry lists, exports and lookups per entity, filter and sort; the importers per table; audit, suggestion and
/// recognition lists) — with the caller's scope filter and Dapper's list expansion applied as at run time.
/// </summary>
[TestClass]
public sealed partial class SqlServerStatementTests
{
    private static readonly SqlDialect Dialect = SqlDialect.SqlServer;

    [GeneratedRegex(@"^\s*(--[^\n]*\n\s*)*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Statement();

    // Dapper turns "IN @Ids" into "IN (@Ids1, @Ids2, …)".
    [GeneratedRegex(@"\bIN\s+@(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex DapperList();

    [TestMethod]
    public void EveryRuntimeStatement_SqlServerForm_ParsesWithoutErrors()
    {
        var statements = Constants().Concat(Composed()).ToList();
        var scope = CallerScope.ForUser(1, "pruefung", [new RoleGrant(Roles.LicenseManager, 1, new HashSet<long> { 1, 2 })]);
        var errors = new List<string>();

        foreach (var (name, raw) in statements)
        {
            var sql = Expand(raw, scope);
            Assert.DoesNotContain("{", sql.Replace("{scope:", "", StringComparison.Ordinal), $"{name}: unknown placeholder left in\n{sql}");
            var parser = new TSql160Parser(initialQuotedIdentifiers: true);
            using var reader = new StringReader(sql);
            parser.Parse(reader, out var parseErrors);
            errors.AddRange(parseErrors.Select(e => $"{name}: line {e.Line}: {e.Message}\n{sql}"));
        }

        Assert.IsEmpty(errors, string.Join("\n\n", errors.Take(Environment.GetEnvironmentVariable("SQL_ERRORS_BRIEF") == "1" ? 1000 : 10).Select(e => Environment.GetEnvironmentVariable("SQL_ERRORS_BRIEF") == "1" ? e.Split('\n')[0] : e)));
        Assert.IsGreaterThan(400, statements.Count, "constants and composed statements were found");
        Console.WriteLine($"{statements.Count} SQL Server statements parsed without errors.");
    }

    private static string Expand(string sql, CallerScope scope)
    {
        var expanded = ScopeTemplate.Apply(sql, scope)
            .Replace("{ids}", Dialect.IdSet("@Ids"), StringComparison.Ordinal)
            .Replace("{keys}", Dialect.TextSet("@Keys"), StringComparison.Ordinal)
            .Replace("{search}", Dialect.ContainsIgnoreCase("x.name", "@Search"), StringComparison.Ordinal);
        return DapperList().Replace(expanded, m => $"IN (@{m.Groups[1].Value}1, @{m.Groups[1].Value}2)");
    }

    /// <summary>Every string constant (and static read-only string) of Core and Web that is a statement, with the dialect's forms.</summary>
    private static IEnumerable<(string Name, string Sql)> Constants()
    {
        foreach (var assembly in new[] { typeof(Database).Assembly, typeof(Program).Assembly })
        {
            foreach (var type in assembly.GetTypes().Where(t => !t.ContainsGenericParameters))
            {
                foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                             .Where(f => f.FieldType == typeof(string) && (f.IsLiteral || f.IsInitOnly)))
                {
                    var value = (field.IsLiteral ? field.GetRawConstantValue() : field.GetValue(null)) as string;
                    // A statement, not a word such as the audit action "update".
                    if (value is null || !Statement().IsMatch(value) || !value.Trim().Contains(' ', StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var name = $"{type.Name}.{field.Name}";
                    yield return (name, value);
                    if (value.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && value.Contains("ORDER BY", StringComparison.OrdinalIgnoreCase))
                    {
                        yield return (name + " (paged)", Dialect.Page(value));
                    }

                    if (value.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) && value.Contains("VALUES", StringComparison.OrdinalIgnoreCase))
                    {
                        yield return (name + " (returning id)", Dialect.InsertReturningId(value));
                    }
                }
            }
        }
    }

    /// <summary>The statements composed at run time, from the same builders the code uses.</summary>
    private static IEnumerable<(string Name, string Sql)> Composed()
    {
        var columns = TableColumns();
        return RegistryService.Statements(Dialect)
            .Concat(TableImporter.Statements(Dialect, table => columns[table]))
            .Concat(AuditQueries.Statements(Dialect))
            .Concat(AuditLog.Statements())
            .Concat(RecognitionService.Statements(Dialect))
            .Concat(SuggestionService.Statements(Dialect))
            .Concat(ReconciliationService.Statements(Dialect))
            .Concat(EstateChecksum.Tables.Select(t => ($"checksum: {t}", $"SELECT * FROM {t} ORDER BY id")))
            // BulkInsert (demo estate, inventory import) inserts through the same builder into these tables.
            .Concat(columns.SelectMany(t => new[]
            {
                ($"bulk insert: {t.Key}", SqlDialect.InsertSql(t.Key, t.Value)),
                ($"bulk insert: {t.Key} (returning id)", Dialect.InsertReturningId(SqlDialect.InsertSql(t.Key, t.Value))),
            }));
    }

    private static Dictionary<string, IReadOnlyList<string>> TableColumns()
    {
        using var sqlite = TestDatabase.CreateEmpty(sqlite: true);
        using var connection = sqlite.Database.Open();
        return connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schemaversions'")
            .ToDictionary(t => t, t => (IReadOnlyList<string>)connection.Query<string>($"SELECT name FROM pragma_table_info('{t}') WHERE name <> 'id'").ToList());
    }
}
