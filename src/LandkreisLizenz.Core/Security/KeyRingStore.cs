using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

/// <summary>
/// Storage of the web host's data protection key ring (opaque XML elements) in the shared database, so that every
/// node reads the cookies and antiforgery tokens every other node wrote.
/// </summary>
public sealed class KeyRingStore(Database database, TimeProvider clock)
{
    private const string AllSql = "SELECT xml FROM data_protection_keys ORDER BY id";

    private const string InsertSql = """
        INSERT INTO data_protection_keys (friendly_name, xml, created_at)
        SELECT @Name, @Xml, @Now WHERE NOT EXISTS (SELECT 1 FROM data_protection_keys WHERE friendly_name = @Name)
        """;

    public IReadOnlyList<string> All()
    {
        using var connection = database.Open();
        return connection.Query<string>(AllSql).ToList();
    }

    /// <summary>Adds a key once; a second node storing the same key name changes nothing.</summary>
    public void Store(string name, string xml)
    {
        using var connection = database.Open();
        connection.Execute(InsertSql, new { Name = name, Xml = xml, Now = clock.GetUtcNow().UtcDateTime });
    }
}
