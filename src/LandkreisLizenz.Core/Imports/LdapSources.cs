using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using System.Text;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// A live directory (spec §7): the members of the groups that grant a product become that product's user assignments in
/// the organisation. Configured by the operators, bound read-only (a service account that may only search).
/// </summary>
public sealed class LdapSource
{
    public string Name { get; set; } = "";

    /// <summary><c>ldap://host:port</c> (or <c>ldaps://</c>).</summary>
    public string Server { get; set; } = "";

    public string? BindDn { get; set; }

    public string? Password { get; set; }

    public string BaseDn { get; set; } = "";

    public string GroupFilter { get; set; } = "(|(objectClass=groupOfNames)(objectClass=group)(objectClass=groupOfUniqueNames))";

    /// <summary>The account the assignments are imported as (its rights apply).</summary>
    public string As { get; set; } = "";

    /// <summary>The AGS of the organisation the members belong to.</summary>
    public string Organisation { get; set; } = "";

    /// <summary>Group name (cn) → product key of the catalogue the group grants.</summary>
    public Dictionary<string, string> Groups { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Runs the LDAP sources: reads the groups, resolves their members to account names (sAMAccountName, uid or
/// userPrincipalName) and imports them as user assignments through the import every upload takes — a batch of the import
/// history with its counts and errors, all or nothing, audited. A source that cannot be read notifies the license managers.
/// </summary>
public sealed class LdapSources(ImportService imports, ScopeService scopes, NotificationService notifications, TimeProvider clock, ImportSourceOptions options)
{
    private static readonly string[] AccountAttributes = ["sAMAccountName", "uid", "userPrincipalName"];

    public async Task<IReadOnlyList<FolderRun>> RunAsync()
    {
        var runs = new List<FolderRun>();
        foreach (var source in options.Ldap)
        {
            runs.Add(await RunAsync(source));
        }

        return runs;
    }

    private async Task<FolderRun> RunAsync(LdapSource source)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var name = $"ldap-{source.Name}-{now:yyyyMMdd-HHmm}.csv";
        var scope = await scopes.ForUserNameAsync(source.As);
        string? failure = null;
        FileImportResult? result = null;
        var unmapped = new List<string>();
        var path = Path.Combine(Path.GetTempPath(), "lkl-ldap-" + Guid.NewGuid().ToString("N"), name);
        try
        {
            if (scope is null)
            {
                throw new InvalidOperationException($"Das Konto „{source.As}“, als das die Quelle importiert, gibt es nicht oder es ist gesperrt.");
            }

            var rows = Read(source, unmapped);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var csv = new StringBuilder("user;product_key\n");
            foreach (var (user, product) in rows.Distinct().Order())
            {
                csv.Append(Quote(user)).Append(';').Append(product).Append('\n');
            }

            await File.WriteAllTextAsync(path, csv.ToString(), new UTF8Encoding(false));
            // The groups are the whole truth about their products: a member who left loses the assignment.
            var mapping = new ImportMapping(new Dictionary<string, string>(), new Dictionary<string, string> { ["ags"] = source.Organisation }, Complete: source.Groups.Values.Distinct().ToList());
            result = await imports.ImportFileAsync(scope, path, ImportFormat.UserAssignments, null, mapping);
        }
        catch (Exception ex) when (ex is LdapException or DirectoryOperationException or InvalidOperationException or ArgumentException or AccessDeniedException or ImportFileException)
        {
            failure = ex switch
            {
                // 49: invalid credentials — the operators must fix the account, not the network.
                LdapException { ErrorCode: 49 } => $"Der Verzeichnisdienst {source.Server} lehnt die Anmeldung als „{source.BindDn}“ ab (Benutzer oder Passwort falsch).",
                LdapException ldap => $"Der Verzeichnisdienst {source.Server} antwortet nicht ({ldap.Message.Trim()}).",
                DirectoryOperationException operation => $"Die Suche unter „{source.BaseDn}“ ist fehlgeschlagen ({operation.Message.Trim()}).",
                ImportFileException file => file.Error.Reason,
                _ => ex.Message,
            };
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(path)))
            {
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
        }

        var committed = result?.Committed == true;
        var report = new StringBuilder(string.Create(CultureInfo.GetCultureInfo("de-DE"), $"Quelle „{source.Name}“ ({source.Server}), {now:dd.MM.yyyy HH:mm} UTC\n"));
        report.AppendLine(committed
            ? string.Create(CultureInfo.GetCultureInfo("de-DE"), $"Übernommen (Import {result!.BatchId}): {result.Commit!.Inserts:N0} neu, {result.Commit.Updates:N0} geändert, {result.Commit.Unchanged:N0} unverändert, {result.Commit.Removed:N0} entfernt.")
            : "Nicht übernommen: " + (failure ?? string.Join("; ", result!.Check.Errors.Take(5))));
        if (unmapped.Count > 0)
        {
            report.AppendLine($"Gruppen ohne Produkt (in der Konfiguration unter Groups zuordnen): {string.Join(", ", unmapped.Distinct().Order())}");
        }

        if (!committed)
        {
            await notifications.NotifyLicenseManagersAsync(null, source.Organisation, $"import-source:{source.Name}:{now:yyyyMMddHHmm}", "import_source_failed",
                $"Verzeichnisquelle „{source.Name}“ fehlgeschlagen", report.ToString().Split('\n')[1], result is null ? "/import" : $"/import/{result.BatchId}");
        }

        return new FolderRun(source.Name, name, result?.BatchId, committed, report.ToString());
    }

    /// <summary>(account, product key) for every member of every group the source maps to a product.</summary>
    private static List<(string User, string Product)> Read(LdapSource source, List<string> unmapped)
    {
        var uri = new Uri(source.Server);
        using var connection = new LdapConnection(new LdapDirectoryIdentifier(uri.Host, uri.IsDefaultPort ? (uri.Scheme == "ldaps" ? 636 : 389) : uri.Port),
            source.BindDn is null ? null : new NetworkCredential(source.BindDn, source.Password), source.BindDn is null ? AuthType.Anonymous : AuthType.Basic);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.SessionOptions.SecureSocketLayer = uri.Scheme == "ldaps";
        connection.Timeout = TimeSpan.FromSeconds(30);
        connection.Bind();

        var rows = new List<(string, string)>();
        var accounts = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in Search(connection, source.BaseDn, source.GroupFilter, SearchScope.Subtree, "cn", "member", "uniqueMember"))
        {
            var cn = First(group, "cn");
            if (cn is null)
            {
                continue;
            }

            if (!source.Groups.TryGetValue(cn, out var product))
            {
                unmapped.Add(cn);
                continue;
            }

            foreach (var member in Values(group, "member").Concat(Values(group, "uniqueMember")))
            {
                if (!accounts.TryGetValue(member, out var account))
                {
                    accounts[member] = account = Account(connection, member);
                }

                if (account is not null)
                {
                    rows.Add((account, product));
                }
            }
        }

        return rows;
    }

    /// <summary>The member's account name; a member that is not an account (a nested group, a deleted entry) has none.</summary>
    private static string? Account(LdapConnection connection, string dn)
    {
        try
        {
            var entry = Search(connection, dn, "(objectClass=*)", SearchScope.Base, AccountAttributes).FirstOrDefault();
            return entry is null ? null : AccountAttributes.Select(a => First(entry, a)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        }
        catch (DirectoryOperationException)
        {
            return null;
        }
    }

    private static IEnumerable<SearchResultEntry> Search(LdapConnection connection, string baseDn, string filter, SearchScope scope, params string[] attributes)
    {
        var request = new SearchRequest(baseDn, filter, scope, attributes);
        var paging = new PageResultRequestControl(500);
        if (scope != SearchScope.Base)
        {
            request.Controls.Add(paging);
        }

        while (true)
        {
            var response = (SearchResponse)connection.SendRequest(request);
            foreach (SearchResultEntry entry in response.Entries)
            {
                yield return entry;
            }

            var cookie = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault()?.Cookie;
            if (scope == SearchScope.Base || cookie is null || cookie.Length == 0)
            {
                yield break;
            }

            paging.Cookie = cookie;
        }
    }

    private static IEnumerable<string> Values(SearchResultEntry entry, string attribute) =>
        entry.Attributes.Contains(attribute) ? entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>() : [];

    private static string? First(SearchResultEntry entry, string attribute) => Values(entry, attribute).FirstOrDefault();

    private static string Quote(string value) => value.IndexOfAny([';', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
