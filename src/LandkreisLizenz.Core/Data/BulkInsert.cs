using System.Data.Common;
using System.Globalization;


namespace LandkreisLizenz.Core.Data;

/// <summary>
/// One prepared INSERT reused for many rows inside one transaction: the fast path for bulk writes on
/// Microsoft.Data.Sqlite, and correct (if slower) on SQL Server. Values are always bound as parameters.
/// </summary>
internal sealed class BulkInsert : IDisposable
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private readonly bool _returnsId;
    private readonly bool _sqlite;

    public BulkInsert(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string table, string[] columns, bool returnsId = false)
    {
        _returnsId = returnsId;
        _sqlite = dialect.Provider == DatabaseProvider.Sqlite;
        var sql = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = returnsId ? dialect.InsertReturningId(sql) : sql;
        _parameters = new DbParameter[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var p = _command.CreateParameter();
            p.ParameterName = "@p" + i;
            _command.Parameters.Add(p);
            _parameters[i] = p;
        }

        _command.Prepare();
    }

    public long Insert(params object?[] values)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].Value = Convert(values[i]);
        }

        if (_returnsId)
        {
            return System.Convert.ToInt64(_command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        _command.ExecuteNonQuery();
        return 0;
    }

    private object Convert(object? value) => value switch
    {
        null => DBNull.Value,
        DateOnly d when _sqlite => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        DateTime t when _sqlite => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        bool b when _sqlite => b ? 1 : 0,
        _ => value,
    };

    public void Dispose() => _command.Dispose();
}
