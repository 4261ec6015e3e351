using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Tests.Infrastructure;

public static class Scopes
{
    public static async Task<CallerScope> ForUserNameAsync(Database database, string userName)
    {
        using var connection = database.Open();
        var id = connection.ExecuteScalar<long>("SELECT id FROM users WHERE user_name = @userName", new { userName });
        return await new ScopeService(database).ForUserAsync(id) ?? throw new InvalidOperationException(userName);
    }

    public static long OrganisationId(Database database, string ags)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = @ags", new { ags });
    }

    public static long FirstApplicationOf(Database database, string ags)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>(
            "SELECT MIN(a.id) FROM applications a JOIN organisations o ON o.id = a.organisation_id WHERE o.ags = @ags", new { ags });
    }
}
