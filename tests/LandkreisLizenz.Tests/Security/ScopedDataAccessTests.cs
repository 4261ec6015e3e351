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
        ["AccountService.ChooseOwnPasswordAsync"] = "sign-in with a one-time initial password: there is no caller yet",
        ["ScopeService.ForUserAsync"] = "builds the scope itself",
        ["ScopeService.ForSessionAsync"] = "builds the scope itself",
        ["ScopeService.ForUserNameAsync"] = "builds the scope itself (the command line acts as a named account)",
        ["NotificationService.NotifyLicenseManagersAsync"] = "jobs: tells the license managers of an organisation that a scheduled source failed (writes only)",
        ["ApiTokenService.AuthenticateAsync"] = "builds the scope of a presented token",
        ["ExternalSignIn.SignInAsync"] = "single sign-on: there is no caller yet",
        ["ProductCatalogue.ListAsync"] = "the shared catalogue",
        ["ProductCatalogue.CategoriesAsync"] = "the shared catalogue",
        ["RegistryService.FilterOptionsAsync"] = "filter options: catalogue values and fixed lists",
        ["ImportService.RunsInBackground"] = "a size rule on a batch already read with the scope",
        ["ImportService.BatchOwner"] = "jobs: rebuild the uploader's scope from the batch id",
        ["ImportService.ResumeInterruptedAsync"] = "start-up: queues the batches a dead process left running (ids only; the jobs rebuild each uploader's scope)",
        ["ReconciliationService.ProcessFamily"] = "jobs: one family of a run",
        ["RecognitionService.LoadRules"] = "imports: the rules, inside the import's transaction",
        ["SuggestionService.RefreshAsync"] = "jobs: the nightly refresh",
        ["SuggestionService.RequestRefresh"] = "jobs: a finished run asks for a refresh",
        ["SuggestionService.RefreshWhenRequestedAsync"] = "jobs: the refresh job",
        ["SuggestionService.RefreshState"] = "jobs and tests: the refresh bookkeeping (no tenant data)",
        ["ReminderService.RunAsync"] = "jobs: the daily reminders",
    };

    private static IEnumerable<Type> RequestFacingServices() =>
        typeof(CallerScope).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Namespace is { } ns && !ns.EndsWith(".Data", StringComparison.Ordinal) && !ns.EndsWith(".DemoEstate", StringComparison.Ordinal))
            .Where(t => t.Name.EndsWith("Service", StringComparison.Ordinal) || t.Name.EndsWith("Queries", StringComparison.Ordinal)
                        || t.Name is "DeadlineCalendar" or "ProductCatalogue" or "AuditLog" or "ExternalSignIn" or "AccountManagement" or "ImportProfiles")
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

    /// <summary>
    /// Where request-facing services read without a scope placeholder (Dapper's plain Query/ExecuteScalar), and why that
    /// reads no other organisation's data. Every other read goes through ScopedDapper, which refuses SQL without
    /// <c>{scope:…}</c>. A new unscoped read fails <see cref="UnscopedReads_InRequestFacingServices_OnlyWhereListed"/>
    /// until it is listed here with its reason: it cannot be added by accident.
    /// </summary>
    private static readonly Dictionary<string, string> UnscopedReads = new(StringComparer.Ordinal)
    {
        ["AccountManagement.AccountsAsync"] = "the grants of the accounts the scoped query found",
        ["AccountManagement.EnsureFreeAsync"] = "whether a user name is taken (names are unique across the installation)",
        ["AccountManagement.EnsureNotLastAdminAsync"] = "a count of active admins, to keep one",
        ["AccountManagement.GrantTargetAsync"] = "the organisation of an AGS, checked with MayGrant before anything is written",
        ["ImportProfiles.Save"] = "the next version number of the caller's own organisation's profile (CanWrite checked first)",
        ["AccountService.CreateUser"] = "command line: creates an account",
        ["AccountService.VerifyAsync"] = "sign-in: the account by name, before there is a caller",
        ["ExternalSignIn.SignInAsync"] = "single sign-on: the account by name, before there is a caller",
        ["ScopeService.LoadAsync"] = "builds the caller's scope from the caller's own grants",
        ["ApiTokenService.AuthenticateAsync"] = "the presented token's hash, before there is a caller",
        ["ApiTokenService.CreateAsync"] = "the caller's own tokens (user_id = caller)",
        ["ApiTokenService.ListAsync"] = "the caller's own tokens (user_id = caller)",
        ["ApiTokenService.RevokeAsync"] = "the caller's own token (user_id = caller)",
        ["NotificationService.ListAsync"] = "the caller's own notifications (user_id = caller)",
        ["NotificationService.UnreadCountAsync"] = "the caller's own notifications (user_id = caller)",
        ["AuditLog.RefusedAsync"] = "the owner of a refused object, written to the audit trail, never shown to the caller",
        ["AuditLog.AccountEventAsync"] = "the organisations of the signing-in account's own roles, to file its sign-in events there, never shown to the caller",
        ["ProductCatalogue.CategoriesAsync"] = "the shared catalogue",
        ["ProductCatalogue.ListAsync"] = "the shared catalogue",
        ["RegistryService.FilterOptionsAsync"] = "filter options: catalogue values and fixed lists",
        ["RegistryService.QueryAsync"] = "chooses by the entity (never the SQL text): only global catalogue entities read unscoped",
        ["RegistryService.ScalarAsync"] = "chooses by the entity (never the SQL text): only global catalogue entities read unscoped",
        ["RegistryService.PlacesAsync"] = "chooses by the entity (never the SQL text): only global catalogue entities read unscoped",
        ["RegistryService.Exists"] = "a save's key collision check after the write permission check (answers only 'exists')",
        ["ImportService.ErrorsAsync"] = "the errors of a batch that GetBatchAsync found in the caller's scope first",
        ["ImportService.StageAsync"] = "the id of the batch the caller inserts",
        ["ImportService.BatchOwner"] = "jobs: rebuild the uploader's scope from the batch id",
        ["ImportService.ResumeInterruptedAsync"] = "start-up: queues the batches a dead process left running (ids only; the jobs rebuild each uploader's scope)",
        ["RecognitionService.LoadRules"] = "imports: the global rules (shared), inside the import's transaction",
        ["RecognitionService.ApplyLocalRules"] = "imports: the local rules of the families the import wrote to",
        ["RecognitionService.LoadFamilyRules"] = "imports: the local rules of the family of an organisation the import writes to (its scope checked per row)",
        ["RecognitionService.Undecided"] = "titles (shared names) undecided globally or in a family the caller writes",
        ["RecognitionService.PlanFor"] = "a rule's effect, counted beyond the caller's scope so the preview can say how much lies outside (counts only)",
        ["RecognitionService.GetMappingContextAsync"] = "admins: a title by id (shared names)",
        ["RecognitionService.ResolveAsync"] = "the product chosen from the shared catalogue",
        ["RecognitionService.MapAsync"] = "the rule's own duplicate check and id",
        ["RecognitionService.ProductNameAsync"] = "the shared catalogue",
        ["RecognitionService.LocalRuleToPromoteAsync"] = "admins only (checked first): the rule by id",
        ["RecognitionService.PromoteAsync"] = "admins only (checked first): the global duplicate check",
        ["RecognitionService.DeleteRuleAsync"] = "the rule by id, then refused unless global or of a family the caller covers",
        ["ReconciliationQueries.DetailAsync"] = "a position's family inputs after the scoped visibility check of the position",
        ["ReconciliationQueries.ConsumersAsync"] = "names of the family members of a position already found visible",
        ["ReconciliationService.StartAsync"] = "the families of organisations the caller may start a run for (checked first)",
        ["ReconciliationService.AcquireLock"] = "jobs: the family lock",
        ["ReconciliationService.LoadListPrices"] = "jobs: the shared catalogue's prices",
        ["ReconciliationService.LoadUsualMetrics"] = "jobs: the shared catalogue's metrics",
        ["ReconciliationService.ProcessFamily"] = "jobs: one family of a run",
        ["ReconciliationService.ReadPositions"] = "jobs: the positions of a finished run",
        ["ReconciliationService.TryFinish"] = "jobs: the run they process",
        ["ReminderService.RunAsync"] = "jobs: the daily reminders",
        ["ReminderService.SendAsync"] = "jobs: the daily reminders",
        ["SuggestionService.GetManyAsync"] = "objects and history of suggestions already found in the caller's scope",
        ["SuggestionService.RefreshAsync"] = "jobs: the nightly refresh",
        ["SuggestionService.RefreshWhenRequestedAsync"] = "jobs: the refresh job's claim on the refresh bookkeeping",
        ["SuggestionService.RefreshState"] = "the refresh bookkeeping (no tenant data)",
        ["SuggestionService.RecomputeClusterStatus"] = "a cluster's participants and decisions, to derive its status (refresh, or after a decision the caller may take)",
    };

    [TestMethod]
    public void UnscopedReads_InRequestFacingServices_OnlyWhereListed()
    {
        var reads = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in RequestFacingServices())
        {
            foreach (var (caller, callee) in Infrastructure.CallSites.Of(type))
            {
                if (callee.DeclaringType == typeof(Dapper.SqlMapper)
                    && (callee.Name.StartsWith("Query", StringComparison.Ordinal) || callee.Name.StartsWith("ExecuteScalar", StringComparison.Ordinal)
                        || callee.Name.StartsWith("ExecuteReader", StringComparison.Ordinal)))
                {
                    reads.Add(caller);
                }
            }
        }

        Assert.IsGreaterThan(10, reads.Count, "The call sites were not read.");
        Assert.IsEmpty(reads.Except(UnscopedReads.Keys).ToList(),
            "Unscoped reads in request-facing services (use QueryScopedAsync with a {scope:…} placeholder, or list it with its reason):\n"
            + string.Join("\n", reads.Except(UnscopedReads.Keys)));
        Assert.IsEmpty(UnscopedReads.Keys.Except(reads).ToList(), "Listed but no longer there: " + string.Join(", ", UnscopedReads.Keys.Except(reads)));
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
