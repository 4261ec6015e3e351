using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>One version of an organisation's saved way to read files of one header (spec §7).</summary>
public sealed class ImportProfile
{
    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public string OrganisationName { get; init; } = "";
    public string Name { get; init; } = "";
    public int Version { get; init; }
    public string Format { get; init; } = "";
    public string SourceHeader { get; init; } = "";
    public string MappingJson { get; init; } = "";
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }

    public ImportFormat ImportFormat => ImportFormats.TryParse(Format, out var f) ? f : throw new InvalidOperationException(Format);

    public ImportMapping Mapping => ImportMapping.FromJson(MappingJson)!;

    /// <summary>How the batch page names it: „Vertragsregister“ (Version 2).</summary>
    public string Label => $"„{Name}“ (Version {Version})";
}

/// <summary>
/// Saved mapping profiles: an organisation's license manager saves how its tool's files are read; the next file with
/// the same header (the same column names, in any order) is read the same way without asking. Saving again adds a
/// version; batches keep the mapping they were read with.
/// </summary>
public sealed class ImportProfiles(Database database, TimeProvider clock, AuditLog audit)
{
    private const string ProfileSql = """
        SELECT p.id AS Id, p.organisation_id AS OrganisationId, o.name AS OrganisationName, p.name AS Name, p.version AS Version,
               p.format AS Format, p.source_header AS SourceHeader, p.mapping_json AS MappingJson, COALESCE(u.user_name, '') AS CreatedBy,
               p.created_at AS CreatedAt
        FROM import_profiles p
        JOIN organisations o ON o.id = p.organisation_id
        LEFT JOIN users u ON u.id = p.created_by
        """;

    private const string ForHeaderSql = ProfileSql + """

        WHERE p.header_hash = @Hash AND p.superseded_at IS NULL AND {scope:p.organisation_id}
        ORDER BY p.created_at DESC, p.id DESC
        """;

    private const string CurrentSql = ProfileSql + """

        WHERE p.superseded_at IS NULL AND {scope:p.organisation_id}
        ORDER BY o.name, p.name
        """;

    private const string LatestVersionSql = """
        SELECT COALESCE(MAX(version), 0) FROM import_profiles WHERE organisation_id = @OrganisationId AND name = @Name
        """;

    private const string SupersedeSql = """
        UPDATE import_profiles SET superseded_at = @Now
        WHERE organisation_id = @OrganisationId AND superseded_at IS NULL AND (name = @Name OR header_hash = @Hash)
        """;

    private const string InsertSql = """
        INSERT INTO import_profiles (organisation_id, name, version, format, source_header, header_hash, mapping_json, created_by, created_at)
        VALUES (@OrganisationId, @Name, @Version, @Format, @SourceHeader, @Hash, @MappingJson, @CreatedBy, @Now)
        """;

    private const string RetireSql = "UPDATE import_profiles SET superseded_at = @Now WHERE id = @Id AND superseded_at IS NULL";

    /// <summary>The same column names in any order make the same header.</summary>
    public static string HeaderHash(IEnumerable<string> header) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\t', header.Select(h => h.Trim().ToLowerInvariant()).Order(StringComparer.Ordinal)))));

    /// <summary>The caller's organisations' current profile for files with this header, the newest first; null when none.</summary>
    public async Task<ImportProfile?> ForHeaderAsync(CallerScope scope, IReadOnlyList<string> sourceHeader)
    {
        await using var connection = database.Open();
        var profiles = (await connection.QueryScopedAsync<ImportProfile>(scope, ForHeaderSql, new { Hash = HeaderHash(sourceHeader) })).ToList();
        return profiles.FirstOrDefault(p => scope.HomeOrganisationIds.Contains(p.OrganisationId)) ?? profiles.FirstOrDefault();
    }

    /// <summary>The current version of every profile in the caller's scope.</summary>
    public async Task<IReadOnlyList<ImportProfile>> CurrentAsync(CallerScope scope)
    {
        await using var connection = database.Open();
        return (await connection.QueryScopedAsync<ImportProfile>(scope, CurrentSql)).ToList();
    }

    /// <summary>
    /// Retires a profile: files with its header ask for a mapping again; past batches keep how they were read. Only who
    /// may import for its organisation retires it; any other id is answered like a missing one (and audited).
    /// </summary>
    public async Task RetireAsync(CallerScope scope, long profileId)
    {
        var profile = (await CurrentAsync(scope)).FirstOrDefault(p => p.Id == profileId);
        if (profile is null || !scope.CanImport || !scope.CanWrite(profile.OrganisationId))
        {
            await audit.RefusedAsync(scope, "import_profiles", profileId, "retire");
            throw new KeyNotFoundException("Das Profil gibt es nicht oder es gehört nicht zu Ihrem Zuständigkeitsbereich.");
        }

        await using var connection = database.Open();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(RetireSql, new { Id = profileId, Now = clock.GetUtcNow().UtcDateTime }, transaction);
        audit.Write(connection, transaction, scope, new AuditEntry(AuditActions.Delete, "import_profiles", $"{profile.Name} v{profile.Version}", profile.OrganisationId));
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Saves a profile as a new version (the one before with that name, or with that header, is superseded), in the
    /// caller's transaction, and audits it. Only who may import for the organisation saves its profiles.
    /// </summary>
    /// <returns>The new version's id and number.</returns>
    internal (long Id, int Version) Save(DbConnection connection, DbTransaction transaction, CallerScope scope, long organisationId, string name,
        ImportFormat format, IReadOnlyList<string> sourceHeader, ImportMapping mapping)
    {
        if (!scope.CanImport || !scope.CanWrite(organisationId))
        {
            throw new AccessDeniedException("Profile speichert nur das Lizenzmanagement der Organisation (oder die Administration).");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var hash = HeaderHash(sourceHeader);
        var version = connection.ExecuteScalar<int>(LatestVersionSql, new { OrganisationId = organisationId, Name = name }, transaction) + 1;
        connection.Execute(SupersedeSql, new { OrganisationId = organisationId, Name = name, Hash = hash, Now = now }, transaction);
        var id = connection.ExecuteScalar<long>(database.Dialect.InsertReturningId(InsertSql), new
        {
            OrganisationId = organisationId,
            Name = name,
            Version = version,
            Format = format.Key(),
            SourceHeader = string.Join('\t', sourceHeader),
            Hash = hash,
            MappingJson = mapping.ToJson(),
            CreatedBy = scope.IsSystem ? (long?)null : scope.UserId,
            Now = now,
        }, transaction);
        audit.Write(connection, transaction, scope, new AuditEntry(version == 1 ? AuditActions.Create : AuditActions.Update, "import_profiles", $"{name} v{version}", organisationId,
            After: new { Format = format.Key(), mapping.Columns, mapping.Constants, mapping.DateFormat, mapping.NumberFormat }));
        return (id, version);
    }
}
