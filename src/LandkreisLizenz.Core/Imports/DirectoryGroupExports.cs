using System.Text;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// An LDIF export of directory groups (spec §7: <c>ldifde -f gruppen.ldf -r "(|(objectClass=group)(objectClass=user))"
/// -l "cn,member,sAMAccountName"</c>, or <c>ldapsearch -LLL … cn member uid</c>), read as records of the user-assignments
/// format: one per member of a group, the group's name standing for the product it grants. Group names are recognised
/// like software titles (publisher <see cref="Publisher"/>): a group nobody mapped yet is held for mapping, and each
/// group is the whole truth about its members, so whoever left loses the assignment.
/// </summary>
/// <remarks>
/// A member is named by its account: the <c>sAMAccountName</c>, <c>uid</c> or <c>userPrincipalName</c> of its entry when
/// the export contains the entry, else the value of its DN's first part (<c>uid=mmuster,…</c> → <c>mmuster</c>). A member
/// that is a group of the export grants through its own members (nested groups); posix groups list accounts directly
/// (<c>memberUid</c>). A group
/// without any member yields no record but is listed all the same: its product has no holders left.
/// </remarks>
internal static class DirectoryGroupExports
{
    public const string Kind = "Verzeichnisgruppen (LDIF-Export)";

    /// <summary>The publisher the group names are recognised under, like software titles (spec §7).</summary>
    public const string Publisher = "Verzeichnisgruppe";

    public static readonly IReadOnlyList<string> Header = ["user", "product_key"];

    private const int MaxExportChars = 256 * 1024 * 1024;

    private static readonly string[] AccountAttributes = ["samaccountname", "uid", "userprincipalname"];

    private static readonly string[] MemberAttributes = ["member", "uniquemember"];

    /// <summary>Whether the first kilobytes are LDIF: after comments, a <c>version:</c> or <c>dn:</c> line.</summary>
    public static bool Sniff(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF');
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#' || line[0] == ' ')
            {
                continue;
            }

            return line.StartsWith("version:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("dn:", StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }

    public static CsvSource Open(Stream stream, ImportMapping? mapping)
    {
        var groups = new List<string>();
        return CsvSource.FromRecords(stream, Header, CsvSource.Deferred(() => Read(stream, groups)), mapping, Kind, document: true, productNames: Publisher,
            namesComplete: true, listedNames: groups);
    }

    private static List<(int, string[])> Read(Stream stream, List<string> groups)
    {
        var entries = Entries(stream);
        var groupsByDn = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var accounts = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.IsGroup)
            {
                groupsByDn[Normalise(entry.Dn)] = entry;
            }
            else
            {
                accounts[Normalise(entry.Dn)] = AccountAttributes.Select(entry.First).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
            }
        }

        if (groupsByDn.Count == 0)
        {
            throw Error(1, "Die LDIF-Datei enthält keine Gruppe (member, uniqueMember oder memberUid). Exportiert werden müssen die Gruppen mit dem Attribut „member“, z. B. ldifde -l \"cn,member,sAMAccountName\".");
        }

        var records = new List<(int, string[])>();
        foreach (var group in groupsByDn.Values.OrderBy(g => g.Line))
        {
            var name = group.First("cn")?.Trim() ?? RdnValue(group.Dn);
            if (string.IsNullOrEmpty(name))
            {
                throw Error(group.Line, $"Die Gruppe „{group.Dn}“ hat keinen Namen (cn).");
            }

            groups.Add(name);
            var users = new SortedSet<string>(StringComparer.Ordinal);
            Collect(group, groupsByDn, accounts, users, []);
            records.AddRange(users.Select(u => (group.Line, new[] { u, name })));
        }

        return records;
    }

    /// <summary>
    /// The accounts of a group's members; a member that is a group of the export grants through its own members (nested
    /// groups, as Windows evaluates them), each group visited once.
    /// </summary>
    private static void Collect(Entry group, Dictionary<string, Entry> groupsByDn, Dictionary<string, string?> accounts, SortedSet<string> users, HashSet<string> visited)
    {
        if (!visited.Add(Normalise(group.Dn)))
        {
            return;
        }

        foreach (var member in MemberAttributes.SelectMany(group.All))
        {
            var dn = Normalise(member);
            if (groupsByDn.TryGetValue(dn, out var nested))
            {
                Collect(nested, groupsByDn, accounts, users, visited);
                continue;
            }

            var account = accounts.TryGetValue(dn, out var known) ? known : RdnValue(member);
            if (!string.IsNullOrEmpty(account))
            {
                users.Add(account);
            }
        }

        users.UnionWith(group.All("memberuid").Select(m => m.Trim()).Where(m => m.Length > 0));
    }

    /// <summary>The entries of the export with their attributes (names lower-case); folded lines joined, base64 values decoded.</summary>
    private static List<Entry> Entries(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var entries = new List<Entry>();
        Entry? current = null;
        string? pending = null;
        var pendingLine = 0;
        var line = 0;
        var chars = 0L;

        void Complete()
        {
            if (pending is null)
            {
                return;
            }

            var (attribute, value) = Attribute(pending, pendingLine);
            pending = null;
            if (attribute == "version" && current is null)
            {
                return;
            }

            if (attribute == "dn")
            {
                current = new Entry(value, pendingLine);
                entries.Add(current);
                return;
            }

            if (current is null)
            {
                throw Error(pendingLine, $"Das Attribut „{attribute}“ steht vor der ersten Zeile „dn:“ – ein LDIF-Eintrag beginnt mit seinem DN.");
            }

            current.Add(attribute, value);
        }

        while (reader.ReadLine() is { } text)
        {
            line++;
            chars += text.Length + 1;
            if (chars > MaxExportChars)
            {
                throw Error(line, $"Die Datei ist länger als {MaxExportChars / 1024 / 1024} MB; exportieren Sie nur die Gruppen, die Lizenzen vergeben, und ihre Mitglieder.");
            }

            if (text.Length > 0 && text[0] == ' ' && pending is not null)
            {
                pending += text[1..];
                continue;
            }

            Complete();
            if (text.Length == 0)
            {
                current = null;
                continue;
            }

            if (text[0] == '#' || text.StartsWith("changetype:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            (pending, pendingLine) = (text, line);
        }

        Complete();
        return entries;
    }

    private static (string Attribute, string Value) Attribute(string text, int line)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw Error(line, $"Die Zeile „{Shorten(text)}“ ist keine LDIF-Zeile (erwartet „Attribut: Wert“).");
        }

        // Options such as ";range=0-1499" (Active Directory's ranged member lists) belong to the attribute, not its name.
        var attribute = text[..colon].Split(';')[0].Trim().ToLowerInvariant();
        var rest = text[(colon + 1)..];
        if (rest.StartsWith(':'))
        {
            try
            {
                return (attribute, Encoding.UTF8.GetString(Convert.FromBase64String(rest[1..].Trim())));
            }
            catch (FormatException)
            {
                throw Error(line, $"Der Wert von „{attribute}“ ist als Base64 markiert („::“), aber kein gültiges Base64.");
            }
        }

        if (rest.StartsWith('<'))
        {
            throw Error(line, $"Der Wert von „{attribute}“ verweist auf eine Datei („:<“); exportieren Sie die Werte in die LDIF-Datei selbst.");
        }

        return (attribute, rest.TrimStart(' '));
    }

    /// <summary>A DN compared as the directory does: case and the spaces around separators do not matter.</summary>
    private static string Normalise(string dn) =>
        string.Join(',', Parts(dn).Select(part => string.Join('=', part.Split('=', 2).Select(p => p.Trim())))).ToLowerInvariant();

    /// <summary>The value of the DN's first part: <c>uid=mmuster,ou=people,…</c> → <c>mmuster</c>, <c>CN=Muster\, Max,…</c> → <c>Muster, Max</c>.</summary>
    private static string RdnValue(string dn)
    {
        var first = Parts(dn).FirstOrDefault() ?? "";
        var equals = first.IndexOf('=');
        var value = equals < 0 ? first : first[(equals + 1)..];
        var unescaped = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            unescaped.Append(value[i]);
        }

        return unescaped.ToString().Trim();
    }

    /// <summary>The parts of a DN, split at the commas that are not escaped (<c>\,</c>).</summary>
    private static List<string> Parts(string dn)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < dn.Length; i++)
        {
            if (dn[i] == '\\')
            {
                i++;
            }
            else if (dn[i] == ',')
            {
                parts.Add(dn[start..i]);
                start = i + 1;
            }
        }

        parts.Add(dn[start..]);
        return parts;
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    private static ImportFileException Error(int line, string reason) => new(new ImportError(line, null, null, reason));

    private sealed class Entry(string dn, int line)
    {
        private static readonly HashSet<string> GroupClasses = new(StringComparer.OrdinalIgnoreCase) { "group", "groupOfNames", "groupOfUniqueNames", "posixGroup" };

        private readonly Dictionary<string, List<string>> _attributes = new(StringComparer.Ordinal);

        public string Dn { get; } = dn;

        public int Line { get; } = line;

        public bool IsGroup => All("objectclass").Any(GroupClasses.Contains) || All("member").Any() || All("uniquemember").Any() || All("memberuid").Any();

        public void Add(string attribute, string value)
        {
            if (!_attributes.TryGetValue(attribute, out var values))
            {
                _attributes[attribute] = values = [];
            }

            values.Add(value);
        }

        public IEnumerable<string> All(string attribute) => _attributes.TryGetValue(attribute, out var values) ? values : [];

        public string? First(string attribute) => All(attribute).FirstOrDefault();
    }
}
