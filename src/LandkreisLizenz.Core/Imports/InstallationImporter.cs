using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
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
/// <remarks>
/// Memory is bounded by the devices of the file, not its rows (an inventory of a whole state has tens of millions):
/// the file is read once; each device keeps its kind, cores, row count and an order-independent 128-bit hash of its
/// installations, and the rows themselves go to a compact spill file that the commit streams into the database. The
/// stored installations are hashed the same way while they are read, so an unchanged device is recognised without
/// holding either side's rows.
/// </remarks>
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
        SELECT i.device_id AS DeviceId, i.software_title_id AS TitleId, i.version AS Version, i.user_key AS UserKey, i.last_used AS LastUsed
        FROM installations i
        JOIN devices d ON d.id = i.device_id
        WHERE d.organisation_id IN @Ids
        """;

    private const string TitlesSql = "SELECT id AS Id, name AS Name, publisher AS Publisher FROM software_titles";

    private const string UpdateDeviceSql = "UPDATE devices SET device_kind = @Kind, cores = @Cores, updated_at = @Now WHERE id = @Id";

    private const string DeleteInstallationsSql = "DELETE FROM installations WHERE device_id = @Id";

    private const int NoDate = int.MinValue;

    public ImportOutcome Run(DbConnection connection, DbTransaction? transaction, CsvSource source, CallerScope scope, bool commit, Action<int>? progress)
    {
        var errors = new ImportErrors();
        var lookups = ImportLookups.Load(connection, transaction, ImportFormat.Installations);
        var reader = new RowReader(source.Header, Columns, source.Delimiter, errors, source.Mapping);
        var storedTitles = connection.Query<(long Id, string Name, string Publisher)>(TitlesSql, transaction: transaction)
            .ToDictionary(t => (t.Name, t.Publisher), t => t.Id);
        var devices = new Dictionary<(long OrganisationId, string Device), Snapshot>();
        var snapshots = new List<Snapshot>();
        var titles = new Dictionary<(string Software, string Publisher), int>();
        var titleList = new List<(string Software, string Publisher, long StoredId)>();
        var writable = new Dictionary<string, bool>(StringComparer.Ordinal);
        var hasher = new ItemHasher();
        using var spill = commit ? new Spill() : null;
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
                devices[key] = snapshot = new Snapshot(snapshots.Count, organisation.Id, device);
                snapshots.Add(snapshot);
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

            if (!titles.TryGetValue((software, publisher), out var title))
            {
                titles[(software, publisher)] = title = titleList.Count;
                titleList.Add((software, publisher, storedTitles.GetValueOrDefault((software, publisher))));
            }

            var day = lastUsed?.DayNumber ?? NoDate;
            var storedTitle = titleList[title].StoredId;
            // A title not stored yet cannot be among the device's stored installations: the device changes.
            snapshot.NewTitle |= storedTitle == 0;
            snapshot.Count++;
            snapshot.Hash += hasher.Hash(storedTitle, version, user, day);
            spill?.Write(snapshot.Index, title, version, user, day);
        }

        progress?.Invoke(total);
        if (errors.Count > 0)
        {
            return ImportOutcome.Rejected(ImportFormat.Installations, total, errors);
        }

        LoadStored(connection, transaction, devices, hasher);
        int inserts = 0, updates = 0, unchanged = 0;
        var changed = new List<Snapshot>();
        foreach (var snapshot in snapshots)
        {
            if (snapshot.Stored is not { } existing)
            {
                inserts += snapshot.Count;
                changed.Add(snapshot);
                continue;
            }

            var kindChanged = snapshot.Kind is not null && snapshot.Kind != existing.DeviceKind;
            var coresChanged = snapshot.Cores is not null && snapshot.Cores != existing.Cores;
            if (!kindChanged && !coresChanged && !snapshot.NewTitle && snapshot.Count == snapshot.StoredCount && snapshot.Hash == snapshot.StoredHash)
            {
                unchanged += snapshot.Count;
                continue;
            }

            updates += snapshot.Count;
            changed.Add(snapshot);
        }

        if (commit && changed.Count > 0)
        {
            Write(connection, transaction!, changed, snapshots.Count, titleList, spill!);
        }

        var affected = changed.Select(c => c.OrganisationId).Distinct().Order().ToList();
        return new ImportOutcome(ImportFormat.Installations, total, inserts, updates, unchanged, [], affected, commit);
    }

    /// <summary>
    /// The stored devices of the file's devices, and the hash and count of each one's stored installations — read as a
    /// stream, nothing of the other devices of those organisations kept.
    /// </summary>
    private static void LoadStored(DbConnection connection, DbTransaction? transaction, Dictionary<(long, string), Snapshot> devices, ItemHasher hasher)
    {
        var organisationIds = devices.Keys.Select(k => k.Item1).Distinct().ToList();
        var byId = new Dictionary<long, Snapshot>();
        foreach (var chunk in organisationIds.Chunk(1000))
        {
            foreach (var d in connection.Query<StoredDevice>(DevicesSql, new { Ids = chunk }, transaction, buffered: false))
            {
                if (devices.TryGetValue((d.OrganisationId, d.DeviceKey), out var snapshot))
                {
                    // Kept as a small value with the kind's shared string: a state's inventory has close to a million devices.
                    snapshot.Stored = new StoredState(d.Id, Array.Find(DeviceKinds, k => k == d.DeviceKind) ?? d.DeviceKind, d.Cores);
                    byId[d.Id] = snapshot;
                }
            }
        }

        if (byId.Count == 0)
        {
            return;
        }

        foreach (var chunk in organisationIds.Chunk(1000))
        {
            foreach (var i in connection.Query<StoredItem>(InstallationsSql, new { Ids = chunk }, transaction, buffered: false))
            {
                if (byId.TryGetValue(i.DeviceId, out var snapshot))
                {
                    snapshot.StoredCount++;
                    snapshot.StoredHash += hasher.Hash(i.TitleId, i.Version, i.UserKey, Day(i.LastUsed));
                }
            }
        }
    }

    /// <summary>A stored date (text in SQLite, a date in SQL Server) as its day number, comparable with the file's.</summary>
    private static int Day(object? value) => value switch
    {
        null => NoDate,
        DateTime dateTime => DateOnly.FromDateTime(dateTime).DayNumber,
        DateOnly date => date.DayNumber,
        string text when DateOnly.TryParseExact(text.Length > 10 ? text[..10] : text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) => date.DayNumber,
        _ => NoDate,
    };

    private void Write(DbConnection connection, DbTransaction transaction, List<Snapshot> changed, int deviceCount,
        List<(string Software, string Publisher, long StoredId)> titleList, Spill spill)
    {
        using var insertDevice = new BulkInsert(connection, transaction, dialect, "devices", ["organisation_id", "device_key", "device_kind", "cores", "updated_at"], returnsId: true);
        using var insertTitle = new BulkInsert(connection, transaction, dialect, "software_titles", ["name", "publisher", "product_id", "rule_id", "not_licensable"], returnsId: true);
        using var insertInstallation = new BulkInsert(connection, transaction, dialect, "installations", ["device_id", "software_title_id", "version", "user_key", "last_used"]);
        if (connection is Microsoft.Data.Sqlite.SqliteConnection)
        {
            // Index pages of a large inventory stay in memory for the length of the import (the default cache is 2 MB).
            connection.Execute("PRAGMA cache_size = -262144", transaction: transaction);
        }

        // The devices to write, by their index in the file (null: unchanged, its rows are skipped), as boxed ids.
        var deviceIds = new object?[deviceCount];
        foreach (var snapshot in changed)
        {
            long deviceId;
            if (snapshot.Stored is not { } existing)
            {
                deviceId = insertDevice.Insert(snapshot.OrganisationId, snapshot.Device, snapshot.Kind ?? "workstation", snapshot.Cores, now);
            }
            else
            {
                deviceId = existing.Id;
                connection.Execute(UpdateDeviceSql, new { Id = deviceId, Kind = snapshot.Kind ?? existing.DeviceKind, Cores = snapshot.Cores ?? existing.Cores, Now = now }, transaction);
                connection.Execute(DeleteInstallationsSql, new { Id = deviceId }, transaction);
            }

            deviceIds[snapshot.Index] = deviceId;
        }

        // Boxed ids and date values are reused: a million rows name a few hundred titles and dates.
        var titleIds = new object?[titleList.Count];
        var dates = new Dictionary<int, object>();
        foreach (var (device, title, version, user, day) in spill.Read())
        {
            if (deviceIds[device] is not { } boxedDevice)
            {
                continue;
            }

            if (titleIds[title] is not { } boxedTitle)
            {
                var (software, publisher, storedId) = titleList[title];
                if (storedId == 0)
                {
                    var rule = rules.Match(software, publisher);
                    storedId = insertTitle.Insert(software, publisher, rule?.ProductId, rule?.Id, rule?.NotLicensable == true ? 1 : 0);
                }

                titleIds[title] = boxedTitle = storedId;
            }

            object? lastUsed = null;
            if (day != NoDate && !dates.TryGetValue(day, out lastUsed))
            {
                var date = DateOnly.FromDayNumber(day);
                dates[day] = lastUsed = dialect.Provider == DatabaseProvider.Sqlite ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : date;
            }

            insertInstallation.Insert(boxedDevice, boxedTitle, version, user, lastUsed);
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

    /// <summary>
    /// One installation as a 128-bit hash; a device's installations are summed (wrapping), which is independent of
    /// their order and counts duplicates. An empty version or user is the same as none, as in the file.
    /// </summary>
    private sealed class ItemHasher
    {
        private readonly XxHash128 _hash = new();

        public UInt128 Hash(long titleId, string? version, string? user, int day)
        {
            Span<byte> head = stackalloc byte[12];
            BinaryPrimitives.WriteInt64LittleEndian(head, titleId);
            BinaryPrimitives.WriteInt32LittleEndian(head[8..], day);
            _hash.Append(head);
            Append(version);
            Append(user);
            var hash = _hash.GetCurrentHashAsUInt128();
            _hash.Reset();
            return hash;
        }

        private void Append(string? text)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, text?.Length ?? 0);
            _hash.Append(length);
            if (!string.IsNullOrEmpty(text))
            {
                _hash.Append(MemoryMarshal.AsBytes(text.AsSpan()));
            }
        }
    }

    /// <summary>The file's valid rows in a compact temporary file (gone when closed): device and title by index.</summary>
    private sealed class Spill : IDisposable
    {
        private readonly FileStream _file;

        private readonly BinaryWriter _writer;

        public Spill()
        {
            var path = Path.Combine(Path.GetTempPath(), "lkl-import-" + Guid.NewGuid().ToString("N") + ".bin");
            // Windows deletes the file when its handle closes, even in a killed process; elsewhere it is unlinked at once
            // (the open handle stays valid), so that a kill -9 during a commit leaves no file behind either.
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20,
                OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose | FileOptions.SequentialScan : FileOptions.SequentialScan);
            if (!OperatingSystem.IsWindows())
            {
                File.Delete(path);
            }

            _writer = new BinaryWriter(_file, System.Text.Encoding.UTF8, leaveOpen: true);
        }

        public void Write(int device, int title, string? version, string? user, int day)
        {
            _writer.Write(device);
            _writer.Write(title);
            _writer.Write(day);
            WriteText(version);
            WriteText(user);
        }

        private void WriteText(string? text)
        {
            _writer.Write(text is not null);
            if (text is not null)
            {
                _writer.Write(text);
            }
        }

        public IEnumerable<(int Device, int Title, string? Version, string? User, int Day)> Read()
        {
            _writer.Flush();
            _file.Position = 0;
            var length = _file.Length;
            using var reader = new BinaryReader(_file, System.Text.Encoding.UTF8, leaveOpen: true);
            // Versions and user names repeat across devices: one string each, not one per row.
            var pool = new Dictionary<string, string>(StringComparer.Ordinal);
            while (_file.Position < length)
            {
                var device = reader.ReadInt32();
                var title = reader.ReadInt32();
                var day = reader.ReadInt32();
                var version = ReadText(reader, pool);
                var user = ReadText(reader, pool);
                yield return (device, title, version, user, day);
            }
        }

        private static string? ReadText(BinaryReader reader, Dictionary<string, string> pool)
        {
            if (!reader.ReadBoolean())
            {
                return null;
            }

            var text = reader.ReadString();
            if (pool.Count < 100_000)
            {
                if (pool.TryGetValue(text, out var known))
                {
                    return known;
                }

                pool[text] = text;
            }

            return text;
        }

        public void Dispose()
        {
            _writer.Dispose();
            _file.Dispose();
        }
    }

    private sealed class Snapshot(int index, long organisationId, string device)
    {
        public int Index { get; } = index;
        public long OrganisationId { get; } = organisationId;
        public string Device { get; } = device;
        public string? Kind { get; set; }
        public int KindRow { get; set; }
        public long? Cores { get; set; }
        public int CoresRow { get; set; }
        public int Count { get; set; }
        public UInt128 Hash { get; set; }
        public bool NewTitle { get; set; }
        public StoredState? Stored { get; set; }
        public int StoredCount { get; set; }
        public UInt128 StoredHash { get; set; }
    }

    private readonly record struct StoredState(long Id, string DeviceKind, long? Cores);

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
        public long TitleId { get; init; }
        public string? Version { get; init; }
        public string? UserKey { get; init; }
        public object? LastUsed { get; init; }
    }
}
