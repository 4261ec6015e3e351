using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;


namespace LandkreisLizenz.Core.Data;

/// <summary>
/// One prepared INSERT reused for many rows inside one transaction: the fast path for bulk writes on
/// Microsoft.Data.Sqlite, and correct (if slower) on SQL Server. Values are always bound as parameters.
/// </summary>
/// <remarks>
/// A row is given either at once (<see cref="Insert"/>) or value by value (<see cref="Set(int, long)"/> …, then
/// <see cref="Execute"/>), which for millions of rows spares an array and a boxed value per row.
/// </remarks>
internal sealed class BulkInsert : IDisposable
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private readonly bool _returnsId;
    private readonly bool _sqlite;
    private readonly sqlite3_stmt? _raw;
    private readonly nint _native;
    private readonly sqlite3? _handle;
    private byte[] _text = new byte[256];
    private readonly Dictionary<DateOnly, string> _days = [];

    public BulkInsert(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string table, string[] columns, bool returnsId = false)
    {
        _returnsId = returnsId;
        _sqlite = dialect.Provider == DatabaseProvider.Sqlite;
        var sql = SqlDialect.InsertSql(table, columns);
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = returnsId ? dialect.InsertReturningId(sql) : sql;
        if (connection is SqliteConnection sqlite)
        {
            // Millions of inventory rows: step one prepared statement through the native API instead of creating
            // a data reader per row. It runs on the same connection handle, inside the caller's transaction; a new
            // row's id is the connection's last inserted rowid.
            _handle = sqlite.Handle!;
            Check(raw.sqlite3_prepare_v2(_handle, sql, out var statement));
            _raw = statement;
            _native = NativeSqlite.Available ? NativeSqlite.Of(statement) : 0;
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
        for (var i = 0; i < values.Length; i++)
        {
            Set(i, values[i]);
        }

        return Execute();
    }

    public void Set(int column, long value)
    {
        if (_native != 0)
        {
            Check(NativeSqlite.BindInt64(_native, column + 1, value));
        }
        else if (_raw is not null)
        {
            Check(raw.sqlite3_bind_int64(_raw, column + 1, value));
        }
        else
        {
            _parameters[column].Value = value;
        }
    }

    public void Set(int column, string? value)
    {
        if (value is null)
        {
            SetNull(column);
        }
        else if (_native != 0)
        {
            Check(NativeSqlite.BindText(_native, column + 1, value, ref _text));
        }
        else if (_raw is not null)
        {
            Check(raw.sqlite3_bind_text(_raw, column + 1, value));
        }
        else
        {
            _parameters[column].Value = value;
        }
    }

    public void SetNull(int column)
    {
        if (_native != 0)
        {
            Check(NativeSqlite.BindNull(_native, column + 1));
        }
        else if (_raw is not null)
        {
            Check(raw.sqlite3_bind_null(_raw, column + 1));
        }
        else
        {
            _parameters[column].Value = DBNull.Value;
        }
    }

    /// <summary>A date; on SQLite its text, made once per day (a million rows name a few hundred days).</summary>
    public void Set(int column, DateOnly? value)
    {
        if (value is not { } date)
        {
            SetNull(column);
        }
        else if (_sqlite)
        {
            if (!_days.TryGetValue(date, out var text))
            {
                _days[date] = text = (string)Convert(date);
            }

            Set(column, text);
        }
        else
        {
            _parameters[column].Value = Convert(date);
        }
    }

    public void Set(int column, object? value)
    {
        switch (value)
        {
            case null:
                SetNull(column);
                break;
            case string text:
                Set(column, text);
                break;
            case long number:
                Set(column, number);
                break;
            case int number:
                Set(column, number);
                break;
            case DateOnly date:
                Set(column, date);
                break;
            case bool flag when _sqlite:
                Set(column, flag ? 1L : 0L);
                break;
            default:
                if (_raw is not null)
                {
                    Check(value is double real ? raw.sqlite3_bind_double(_raw, column + 1, real) : raw.sqlite3_bind_text(_raw, column + 1, Text(value)));
                }
                else
                {
                    _parameters[column].Value = Convert(value);
                }

                break;
        }
    }

    /// <summary>Writes the row whose values were set; its new id when the insert returns one.</summary>
    public long Execute()
    {
        if (_raw is not null)
        {
            var rc = _native != 0 ? NativeSqlite.Step(_native) : raw.sqlite3_step(_raw);
            var reset = _native != 0 ? NativeSqlite.Reset(_native) : raw.sqlite3_reset(_raw);
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
                Check(reset);
            }

            return _returnsId ? raw.sqlite3_last_insert_rowid(_handle) : 0;
        }

        if (_returnsId)
        {
            return System.Convert.ToInt64(_command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        _command.ExecuteNonQuery();
        return 0;
    }

    private object Convert(object value) => value switch
    {
        DateOnly d when _sqlite => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        DateTime t when _sqlite => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        _ => value,
    };

    private string Text(object value) => Convert(value) is string s ? s : System.Convert.ToString(value, CultureInfo.InvariantCulture)!;

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
