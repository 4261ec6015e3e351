using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Inventory import. A file is a snapshot per device: for every device it lists, that device's earlier
/// installations are replaced; devices it does not list stay as they are. A device whose snapshot equals the
/// stored one is not touched, so importing the same file twice changes nothing. New software names are run
/// through the recognition rules once, when their title is first stored.
/// </summary>
internal sealed class InstallationImporter(SqlDialect dialect, DateTime now, RuleSet rules)
{
    private static readonly string[] DeviceKinds = ["workstation", "laptop", "thin_client", "server", "virtual_server", "other"];

    public static readonly IReadOnlyList<ColumnSpec> Columns =
    [
        new("ags", true), new("device", true), new("software", true, MaxLength: 400), new("device_kind", false, Allowed: DeviceKinds),
        new("cores", false, ValueKind.Int), new("publisher", false), new("version", false, MaxLength: 100), new("user", false, MaxLength: 100),
        new("last_used", false, ValueKind.Date),
    ];

    private const string DevicesSql = """
        SELECT id AS Id, organisation_id AS OrganisationId, device_key AS DeviceKey, device_kind AS DeviceKind, cores AS Cores
        FROM devices WHERE organisation_id IN @Ids
        """;

    private const string InstallationsSql = """
        SELECT i.device_id AS DeviceId, t.name AS Name, t.publisher AS Publisher, i.version AS Version, i.user_key AS UserKey, i.last_used AS LastUsed
        FROM installations i
        JOIN devices d ON d.id = i.device_id
        JOIN software_titles t ON t.id = i.software_title_id
        WHERE d.organisation_id IN @Ids
        """;

    private const string TitlesSql = "SELECT id AS Id, name AS Name, publisher AS Publisher FROM software_titles";

    private const string UpdateDeviceSql = "UPDATE devices SET device_kind = @Kind, cores = @Cores, updated_at = @Now WHERE id = @Id";

    private const string DeleteInstallationsSql = "DELETE FROM installations WHERE device_id = @Id";

    public ImportOutcome Run(DbConnection connection, DbTransaction? transaction, CsvSource source, CallerScope scope, bool commit, Action<int>? progress)
    {
        var errors = new ImportErrors();
        var lookups = ImportLookups.Load(connection, transaction, ImportFormat.Installations);
        var reader = new RowReader(source.Header, Columns, source.Delimiter, errors, source.Mapping);
        var devices = new Dictionary<(long OrganisationId, string Device), Snapshot>();
        var writable = new Dictionary<string, bool>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (row, values, fieldsMatch) in source.Records())
        {
            if (++total % 50_000 == 0)
            {
                progress?.Invoke(total);
            }

            if (!fieldsMatch)
            {
                errors.Add(new ImportError(row, null, null, $"{values.Length} Felder statt {source.SourceHeader.Count} wie in der Kopfzeile – Trennzeichen und Anführungszeichen prüfen"));
                continue;
            }

            reader.Load(row, values);
            var before = reader.ErrorCount;
            var organisation = Organisation(reader, lookups, scope, writable);
            var device = reader.Text("device");
            var software = reader.Text("software");
            var kind = reader.Text("device_kind");
            var cores = reader.Int("cores");
            var publisher = reader.Text("publisher") ?? "";
            var version = reader.Text("version");
            var user = reader.Text("user");
            var lastUsed = reader.Date("last_used");
            if (reader.ErrorCount > before || organisation is null || device is null || software is null)
            {
                continue;
            }

            var key = (organisation.Id, device);
            if (!devices.TryGetValue(key, out var snapshot))
            {
                devices[key] = snapshot = new Snapshot(organisation.Id, device, row);
            }

            if (kind is not null)
            {
                if (snapshot.Kind is not null && snapshot.Kind != kind)
                {
                    reader.Error("device_kind", $"widerspricht Zeile {snapshot.KindRow} für dasselbe Gerät ({snapshot.Kind})");
                    continue;
                }

                (snapshot.Kind, snapshot.KindRow) = (kind, row);
            }

            if (cores is not null)
            {
                if (snapshot.Cores is not null && snapshot.Cores != cores)
                {
                    reader.Error("cores", $"widerspricht Zeile {snapshot.CoresRow} für dasselbe Gerät ({snapshot.Cores})");
                    continue;
                }

                (snapshot.Cores, snapshot.CoresRow) = (cores, row);
            }

            snapshot.Items.Add(new Item(software, publisher, version, user, lastUsed));
        }

        progress?.Invoke(total);
        if (errors.Count > 0)
        {
            return ImportOutcome.Rejected(ImportFormat.Installations, total, errors);
        }

        var organisationIds = devices.Keys.Select(k => k.OrganisationId).Distinct().ToList();
        var stored = new Dictionary<(long, string), StoredDevice>();
        var storedItems = new Dictionary<long, List<string>>();
        foreach (var chunk in organisationIds.Chunk(1000))
        {
            foreach (var d in connection.Query<StoredDevice>(DevicesSql, new { Ids = chunk }, transaction))
            {
                stored[(d.OrganisationId, d.DeviceKey)] = d;
            }

            foreach (var i in connection.Query<StoredItem>(InstallationsSql, new { Ids = chunk }, transaction))
            {
                if (!storedItems.TryGetValue(i.DeviceId, out var list))
                {
                    storedItems[i.DeviceId] = list = [];
                }

                list.Add(Signature(i.Name, i.Publisher, i.Version, i.UserKey, TableImporter.Normalise(i.LastUsed)));
            }
        }

        int inserts = 0, updates = 0, unchanged = 0;
        var changedDevices = new List<(Snapshot Snapshot, StoredDevice? Stored)>();
        foreach (var snapshot in devices.Values.OrderBy(s => s.FirstRow))
        {
            stored.TryGetValue((snapshot.OrganisationId, snapshot.Device), out var existing);
            if (existing is null)
            {
                inserts += snapshot.Items.Count;
                changedDevices.Add((snapshot, null));
                continue;
            }

            var kindChanged = snapshot.Kind is not null && snapshot.Kind != existing.DeviceKind;
            var coresChanged = snapshot.Cores is not null && snapshot.Cores != existing.Cores;
            var incoming = snapshot.Items.Select(i => Signature(i.Software, i.Publisher, i.Version, i.User, TableImporter.Normalise(i.LastUsed))).Order(StringComparer.Ordinal);
            var before = (storedItems.GetValueOrDefault(existing.Id) ?? []).Order(StringComparer.Ordinal);
            if (!kindChanged && !coresChanged && incoming.SequenceEqual(before, StringComparer.Ordinal))
            {
                unchanged += snapshot.Items.Count;
                continue;
            }

            updates += snapshot.Items.Count;
            changedDevices.Add((snapshot, existing));
        }

        if (commit && changedDevices.Count > 0)
        {
            Write(connection, transaction!, changedDevices);
        }

        var affected = changedDevices.Select(c => c.Snapshot.OrganisationId).Distinct().Order().ToList();
        return new ImportOutcome(ImportFormat.Installations, total, inserts, updates, unchanged, [], affected, commit);
    }

    private void Write(DbConnection connection, DbTransaction transaction, List<(Snapshot Snapshot, StoredDevice? Stored)> changed)
    {
        var titles = connection.Query<(long Id, string Name, string Publisher)>(TitlesSql, transaction: transaction)
            .ToDictionary(t => (t.Name, t.Publisher), t => t.Id);
        using var insertDevice = new BulkInsert(connection, transaction, dialect, "devices", ["organisation_id", "device_key", "device_kind", "cores", "updated_at"], returnsId: true);
        using var insertTitle = new BulkInsert(connection, transaction, dialect, "software_titles", ["name", "publisher", "product_id", "rule_id", "not_licensable"], returnsId: true);
        using var insertInstallation = new BulkInsert(connection, transaction, dialect, "installations", ["device_id", "software_title_id", "version", "user_key", "last_used"]);
        if (connection is Microsoft.Data.Sqlite.SqliteConnection)
        {
            // Index pages of a large inventory stay in memory for the length of the import (the default cache is 2 MB).
            connection.Execute("PRAGMA cache_size = -262144", transaction: transaction);
        }

        // Boxed ids and date texts are reused: a million rows name a few hundred titles and dates.
        var boxedTitles = new Dictionary<long, object>();
        var dates = new Dictionary<DateOnly, object>();
        foreach (var (snapshot, existing) in changed)
        {
            long deviceId;
            if (existing is null)
            {
                deviceId = insertDevice.Insert(snapshot.OrganisationId, snapshot.Device, snapshot.Kind ?? "workstation", snapshot.Cores, now);
            }
            else
            {
                deviceId = existing.Id;
                connection.Execute(UpdateDeviceSql, new { Id = deviceId, Kind = snapshot.Kind ?? existing.DeviceKind, Cores = snapshot.Cores ?? existing.Cores, Now = now }, transaction);
                connection.Execute(DeleteInstallationsSql, new { Id = deviceId }, transaction);
            }

            object boxedDevice = deviceId;
            foreach (var item in snapshot.Items)
            {
                if (!titles.TryGetValue((item.Software, item.Publisher), out var titleId))
                {
                    var rule = rules.Match(item.Software, item.Publisher);
                    titleId = insertTitle.Insert(item.Software, item.Publisher, rule?.ProductId, rule?.Id, rule?.NotLicensable == true ? 1 : 0);
                    titles[(item.Software, item.Publisher)] = titleId;
                }

                if (!boxedTitles.TryGetValue(titleId, out var boxedTitle))
                {
                    boxedTitles[titleId] = boxedTitle = titleId;
                }

                object? lastUsed = null;
                if (item.LastUsed is { } date && !dates.TryGetValue(date, out lastUsed))
                {
                    dates[date] = lastUsed = dialect.Provider == DatabaseProvider.Sqlite ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : date;
                }

                insertInstallation.Insert(boxedDevice, boxedTitle, item.Version, item.User, lastUsed);
            }
        }
    }

    private static OrganisationRef? Organisation(RowReader reader, ImportLookups lookups, CallerScope scope, Dictionary<string, bool> writable)
    {
        var ags = reader.Text("ags");
        if (ags is null)
        {
            return null;
        }

        if (!lookups.Organisations.TryGetValue(ags, out var organisation))
        {
            reader.Error("ags", "Organisation mit diesem AGS/Schlüssel existiert nicht");
            return null;
        }

        if (!writable.TryGetValue(ags, out var allowed))
        {
            writable[ags] = allowed = scope.CanWrite(organisation.Id);
        }

        if (!allowed)
        {
            reader.Refuse("ags", "keine Schreibberechtigung für diese Organisation", organisation.Id);
            return null;
        }

        return organisation;
    }

    private static string Signature(string name, string publisher, string? version, string? user, string? lastUsed) =>
        string.Join('\u001f', name, publisher, version ?? "", user ?? "", lastUsed ?? "");

    private sealed class Snapshot(long organisationId, string device, int firstRow)
    {
        public long OrganisationId { get; } = organisationId;
        public string Device { get; } = device;
        public int FirstRow { get; } = firstRow;
        public string? Kind { get; set; }
        public int KindRow { get; set; }
        public long? Cores { get; set; }
        public int CoresRow { get; set; }
        public List<Item> Items { get; } = [];
    }

    private sealed record Item(string Software, string Publisher, string? Version, string? User, DateOnly? LastUsed);

    private sealed class StoredDevice
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string DeviceKey { get; init; } = "";
        public string DeviceKind { get; init; } = "";
        public long? Cores { get; init; }
    }

    private sealed class StoredItem
    {
        public long DeviceId { get; init; }
        public string Name { get; init; } = "";
        public string Publisher { get; init; } = "";
        public string? Version { get; init; }
        public string? UserKey { get; init; }
        public object? LastUsed { get; init; }
    }
}
