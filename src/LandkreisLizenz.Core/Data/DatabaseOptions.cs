namespace LandkreisLizenz.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Bound from the configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>For SQL Server the full connection string; for SQLite optional (else <see cref="SqliteFile"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite database file; relative paths are resolved against the data folder.</summary>
    public string SqliteFile { get; set; } = "landkreislizenz.db";

    /// <summary>Folder for the SQLite file and the Hangfire file; relative paths are resolved against the content root.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>SQL Server migrations run only when asked for (a DBA usually runs them with <c>dotnet cake --target=Migrate</c>).</summary>
    public bool MigrateOnStartup { get; set; }
}
