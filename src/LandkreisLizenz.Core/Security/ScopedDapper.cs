using System.Data;
using Dapper;

namespace LandkreisLizenz.Core.Security;

/// <summary>
/// Dapper calls for request-facing reads. Each statement must carry at least one <c>{scope:column}</c>
/// placeholder, which becomes the caller's organisation filter; a statement without one is refused, so an
/// unscoped read cannot slip through.
/// </summary>
public static class ScopedDapper
{
    public static Task<IEnumerable<T>> QueryScopedAsync<T>(this IDbConnection connection, CallerScope scope, string sql, object? parameters = null) =>
        connection.QueryAsync<T>(Prepare(scope, sql), scope.Bind(parameters));

    public static Task<T?> QuerySingleOrDefaultScopedAsync<T>(this IDbConnection connection, CallerScope scope, string sql, object? parameters = null) =>
        connection.QuerySingleOrDefaultAsync<T>(Prepare(scope, sql), scope.Bind(parameters));

    public static Task<T> QuerySingleScopedAsync<T>(this IDbConnection connection, CallerScope scope, string sql, object? parameters = null) =>
        connection.QuerySingleAsync<T>(Prepare(scope, sql), scope.Bind(parameters));

    public static Task<T?> ExecuteScalarScopedAsync<T>(this IDbConnection connection, CallerScope scope, string sql, object? parameters = null) =>
        connection.ExecuteScalarAsync<T>(Prepare(scope, sql), scope.Bind(parameters));

    /// <summary>Rows with their places (keyset paging): the statement selects the row's columns, then the place columns K0 … Kn.</summary>
    public static async Task<IReadOnlyList<(T Row, Common.Keyset Place)>> QueryPlacesScopedAsync<T>(this IDbConnection connection, CallerScope scope, string sql,
        int terms, object? parameters = null) =>
        (await connection.QueryAsync<T, Common.PlaceColumns, (T, Common.Keyset)>(Prepare(scope, sql), (row, place) => (row, place.Place(terms)), scope.Bind(parameters), splitOn: "K0")).ToList();

    private static string Prepare(CallerScope scope, string sql)
    {
        if (!sql.Contains("{scope:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("A scoped statement needs a {scope:column} placeholder.");
        }

        return ScopeTemplate.Apply(sql, scope);
    }
}
