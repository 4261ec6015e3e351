using System.Reflection;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Tests.Security;

/// <summary>
/// The request-facing data access, enumerated by reflection: every public method of the Core services that pages and
/// GraphQL call takes the caller's scope, except the few listed here with the reason they are not tenant data.
/// </summary>
[TestClass]
public sealed class ScopedDataAccessTests
{
    /// <summary>Unscoped on purpose: catalogue, sign-in before there is a caller, and job or command-line entry points.</summary>
    private static readonly Dictionary<string, string> Unscoped = new(StringComparer.Ordinal)
    {
        ["AccountService.SignInAsync"] = "sign-in: there is no caller yet",
        ["ScopeService.ForUserAsync"] = "builds the scope itself",
        ["ScopeService.ForSessionAsync"] = "builds the scope itself",
        ["ApiTokenService.AuthenticateAsync"] = "builds the scope of a presented token",
        ["ExternalSignIn.SignInAsync"] = "single sign-on: there is no caller yet",
        ["ProductCatalogue.ListAsync"] = "the shared catalogue",
        ["ProductCatalogue.CategoriesAsync"] = "the shared catalogue",
        ["RegistryService.FilterOptionsAsync"] = "filter options: catalogue values and fixed lists",
        ["ImportService.RunsInBackground"] = "a size rule on a batch already read with the scope",
        ["ImportService.BatchOwner"] = "jobs: rebuild the uploader's scope from the batch id",
        ["ReconciliationService.GetRunAsync(Int64)"] = "jobs: the run they process",
        ["ReconciliationService.ProcessFamily"] = "jobs: one family of a run",
        ["RecognitionService.LoadRules"] = "imports: the rules, inside the import's transaction",
        ["SuggestionService.RefreshAsync"] = "jobs: the nightly refresh",
        ["ReminderService.RunAsync"] = "jobs: the daily reminders",
    };

    private static IEnumerable<Type> RequestFacingServices() =>
        typeof(CallerScope).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Namespace is { } ns && !ns.EndsWith(".Data", StringComparison.Ordinal) && !ns.EndsWith(".DemoEstate", StringComparison.Ordinal))
            .Where(t => t.Name.EndsWith("Service", StringComparison.Ordinal) || t.Name.EndsWith("Queries", StringComparison.Ordinal)
                        || t.Name is "DeadlineCalendar" or "ProductCatalogue" or "AuditLog" or "ExternalSignIn")
            .Where(t => t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(Database))));

    private static string Name(MethodInfo method, bool overloaded) =>
        $"{method.DeclaringType!.Name}.{method.Name}" + (overloaded ? "(" + string.Join(",", method.GetParameters().Select(p => p.ParameterType.Name)) + ")" : "");

    [TestMethod]
    public void PublicMethods_OfEveryRequestFacingService_TakeTheCallersScope()
    {
        var services = RequestFacingServices().ToList();
        var unscoped = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in services)
        {
            var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName).ToList();
            foreach (var method in methods)
            {
                var overloaded = methods.Count(m => m.Name == method.Name) > 1;
                var name = Name(method, overloaded);
                var plain = Name(method, false);
                if (method.GetParameters().Any(p => p.ParameterType == typeof(CallerScope)))
                {
                    continue;
                }

                if (Unscoped.ContainsKey(name) || Unscoped.ContainsKey(plain))
                {
                    seen.Add(Unscoped.ContainsKey(name) ? name : plain);
                    continue;
                }

                unscoped.Add(name);
            }
        }

        Assert.IsGreaterThan(10, services.Count, "The services were not found: " + string.Join(", ", services.Select(s => s.Name)));
        Assert.IsEmpty(unscoped, "Reachable from a request without the caller's scope:\n" + string.Join("\n", unscoped));
        Assert.IsEmpty(Unscoped.Keys.Except(seen).ToList(), "Listed as unscoped but no longer there: " + string.Join(", ", Unscoped.Keys.Except(seen)));
    }

    [TestMethod]
    public async Task QueryScoped_StatementWithoutScopePlaceholder_Refused()
    {
        using var db = Infrastructure.TestDatabase.CopyOf(Infrastructure.SharedEstate.Database);
        var scope = await Infrastructure.Scopes.ForUserNameAsync(db.Database, "leser.wartburgkreis");
        using var connection = db.Database.Open();

        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => connection.QueryScopedAsync<long>(scope, "SELECT id FROM applications"));
        var scoped = (await connection.QueryScopedAsync<long>(scope, "SELECT COUNT(*) FROM applications a WHERE {scope:a.organisation_id}")).Single();
        var all = (await connection.QueryScopedAsync<long>(CallerScope.System("test"), "SELECT COUNT(*) FROM applications a WHERE {scope:a.organisation_id}")).Single();

        Assert.IsLessThan(all, scoped, "The reader's scope did not narrow the count.");
    }

    [TestMethod]
    public void RegistryStatements_EveryTenantListAndRelatedList_CarryTheScopePlaceholder()
    {
        var offenders = new List<string>();
        foreach (var entity in LandkreisLizenz.Core.Registry.RegistryEntities.All)
        {
            if (!entity.Global && !entity.FromSql.Contains("{scope:", StringComparison.Ordinal))
            {
                offenders.Add(entity.Slug);
            }

            offenders.AddRange(entity.Related.Where(r => !r.Sql.Contains("{scope:", StringComparison.Ordinal)).Select(r => $"{entity.Slug}: {r.Heading}"));
        }

        Assert.IsEmpty(offenders, "Would be read without the caller's scope (or fail): " + string.Join(", ", offenders));
    }
}
