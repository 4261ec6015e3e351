using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;


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
    private readonly sqlite3_stmt? _raw;
    private readonly sqlite3? _handle;

    public BulkInsert(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string table, string[] columns, bool returnsId = false)
    {
        _returnsId = returnsId;
        _sqlite = dialect.Provider == DatabaseProvider.Sqlite;
        var sql = SqlDialect.InsertSql(table, columns);
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = returnsId ? dialect.InsertReturningId(sql) : sql;
        if (!returnsId && connection is SqliteConnection sqlite)
        {
            // Millions of inventory rows: step one prepared statement through the native API instead of creating
            // a data reader per row. It runs on the same connection handle, inside the caller's transaction.
            _handle = sqlite.Handle!;
            Check(raw.sqlite3_prepare_v2(_handle, sql, out var statement));
            _raw = statement;
        }

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
        if (_raw is not null)
        {
            for (var i = 0; i < values.Length; i++)
            {
                Bind(i + 1, values[i]);
            }

            var rc = raw.sqlite3_step(_raw);
            raw.sqlite3_reset(_raw);
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
            }

            return 0;
        }

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

    private void Bind(int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(_raw, index),
            string text => raw.sqlite3_bind_text(_raw, index, text),
            long number => raw.sqlite3_bind_int64(_raw, index, number),
            int number => raw.sqlite3_bind_int64(_raw, index, number),
            bool flag => raw.sqlite3_bind_int64(_raw, index, flag ? 1 : 0),
            double real => raw.sqlite3_bind_double(_raw, index, real),
            _ => raw.sqlite3_bind_text(_raw, index, Convert(value) is string s ? s : System.Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
        Check(rc);
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException(raw.sqlite3_errmsg(_handle).utf8_to_string(), rc);
        }
    }

    public void Dispose()
    {
        if (_raw is not null)
        {
            raw.sqlite3_finalize(_raw);
        }

        _command.Dispose();
    }
}
