using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Dapper;
using LandkreisLizenz.Core.Common;
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
/// Memory is constant, whatever the size of the file (an inventory of a whole state has tens of millions of rows and
/// close to a million devices): the file is read once and its valid rows go through an external sort
/// (<see cref="InstallationSpill"/>) that yields each device's rows together. Devices are then taken a window at a time:
/// their stored state is looked up by key, each side is reduced to a row count and an order-independent 128-bit hash of
/// its installations, and only a device whose snapshot differs is written. Nothing is kept per device beyond its window
/// (a single device's rows are held together, which no inventory makes large).
/// </remarks>
internal sealed class InstallationImporter(SqlDialect dialect, DateTime now, RuleSet rules, int runRows = InstallationImporter.DefaultRunRows,
    string? sortFolder = null)
{
    /// <summary>Rows sorted in memory at a time (about 100 bytes each with their texts).</summary>
    public const int DefaultRunRows = 200_000;

    /// <summary>Devices compared with their stored state at a time (one lookup), or fewer when their rows reach <see cref="WindowRows"/>.</summary>
    private const int WindowDevices = 500;

    private const int WindowRows = 20_000;

    private static readonly string[] DeviceKinds = ["workstation", "laptop", "thin_client", "server", "virtual_server", "other"];

    public static readonly IReadOnlyList<ColumnSpec> Columns =
    [
        new("ags", true), new("device", true), new("software", true, MaxLength: 400), new("device_kind", false, Allowed: DeviceKinds),
        new("cores", false, ValueKind.Int), new("publisher", false), new("version", false, MaxLength: 100), new("user", false, MaxLength: 100),
        new("last_used", false, ValueKind.Date),
    ];

    private const string DevicesSql = """
        SELECT id AS Id, device_key AS DeviceKey, device_kind AS DeviceKind, cores AS Cores, installations_hash AS InstallationsHash
        FROM devices WHERE organisation_id = @OrganisationId AND device_key IN ({keys})
        """;

    // Driven from the devices, so that the installations are reached through their device index whatever the
    // statistics say (right after a large import they are stale, and an IN list on installations became a table scan).
    private const string InstallationsSql = """
        SELECT d.id AS DeviceId, i.software_title_id AS TitleId, i.version AS Version, i.user_key AS UserKey, i.last_used AS LastUsed
        FROM devices d
        JOIN installations i ON i.device_id = d.id
        WHERE d.id IN @Ids
        """;

    private const string TitlesSql = "SELECT id AS Id, name AS Name, publisher AS Publisher FROM software_titles";

    private const string UpdateDeviceSql = """
        UPDATE devices SET device_kind = @Kind, cores = @Cores, installations_hash = @InstallationsHash, updated_at = @Now WHERE id = @Id
        """;

    private const string DeleteInstallationsSql = "DELETE FROM installations WHERE device_id = @Id";

    private const int NoDate = int.MinValue;

    private SqlDialect Dialect => dialect;

    private DateTime Now => now;

    private RuleSet Rules => rules;

    public ImportOutcome Run(DbConnection connection, DbTransaction? transaction, CsvSource source, CallerScope scope, bool commit, Action<int>? progress)
    {
        var errors = new ImportErrors();
        var lookups = ImportLookups.Load(connection, transaction, ImportFormat.Installations);
        var reader = new RowReader(source.Header, Columns, source.Delimiter, errors, source.Mapping);
        var storedTitles = connection.Query<(long Id, string Name, string Publisher)>(TitlesSql, transaction: transaction)
            .ToDictionary(t => (t.Name, t.Publisher), t => t.Id);
        var titles = new Dictionary<(string Software, string Publisher), int>();
        var titleList = new List<(string Software, string Publisher, long StoredId)>();
        var writable = new Dictionary<string, bool>(StringComparer.Ordinal);
        using var spill = new InstallationSpill(runRows, sortFolder);
        var total = 0;
        // Two cores: the file is parsed on one while its rows are checked on the other, and merged while they are written.
        foreach (var (row, values, fieldsMatch, _) in Prefetch.Ahead(source.Records()))
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

            if (!titles.TryGetValue((software, publisher), out var title))
            {
                titles[(software, publisher)] = title = titleList.Count;
                titleList.Add((software, publisher, storedTitles.GetValueOrDefault((software, publisher))));
            }

            spill.Add(new StagedInstallation
            {
                OrganisationId = organisation.Id, Device = device, Row = row, Title = title, Day = lastUsed?.DayNumber ?? NoDate,
                Kind = (sbyte)(kind is null ? -1 : Array.IndexOf(DeviceKinds, kind)), Cores = cores, Version = version, User = user,
            });
        }

        progress?.Invoke(total);
        var commitment = new Commitment(this, connection, transaction, titleList, errors, commit);
        var settings = dialect.BulkWriteSettings;
        if (settings is { } begin)
        {
            connection.Execute(begin.Begin, transaction: transaction);
        }

        try
        {
            commitment.Run(Prefetch.Ahead(spill.Sorted()));
        }
        finally
        {
            if (settings is { } end)
            {
                connection.Execute(end.End, transaction: transaction);
            }
        }

        if (errors.Count > 0)
        {
            return ImportOutcome.Rejected(ImportFormat.Installations, total, errors);
        }

        return new ImportOutcome(ImportFormat.Installations, total, commitment.Inserts, commitment.Updates, commitment.Unchanged, [],
            commitment.Affected.Order().ToList(), commit);
    }

    /// <summary>A device's installations as stored in <c>devices.installations_hash</c>: their number and summed hash.</summary>
    private static string Snapshot(int count, UInt128 hash) => count.ToString(CultureInfo.InvariantCulture) + ":" + hash.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>
    /// The second half of an import: the sorted rows grouped by device, each device checked for rows that contradict each
    /// other, compared with its stored snapshot a window of devices at a time and, when committing, written when changed.
    /// After the first error nothing more is written (the caller's transaction is not committed) but every device is still
    /// checked, so that the report names all contradictions.
    /// </summary>
    private sealed class Commitment(InstallationImporter importer, DbConnection connection, DbTransaction? transaction,
        List<(string Software, string Publisher, long StoredId)> titleList, ImportErrors errors, bool commit)
    {
        private readonly ItemHasher _hasher = new();
        private readonly string _devicesSql = DevicesSql.Replace("{keys}", importer.Dialect.TextSet("@Keys"), StringComparison.Ordinal);
        private readonly List<Device> _window = [];
        private readonly List<StagedInstallation> _rows = [];
        private readonly long[] _titleIds = new long[titleList.Count];
        private Writers? _writers;

        public int Inserts { get; private set; }
        public int Updates { get; private set; }
        public int Unchanged { get; private set; }
        public HashSet<long> Affected { get; } = [];

        public void Run(IEnumerable<StagedInstallation> sorted)
        {
            try
            {
                Device? device = null;
                foreach (var row in sorted)
                {
                    if (device is null || !Same(device, row))
                    {
                        if (device is not null)
                        {
                            Close(device);
                        }

                        device = new Device(row.OrganisationId, row.Device, _rows.Count);
                    }

                    Add(device, row);
                }

                if (device is not null)
                {
                    Close(device);
                }

                Flush();
            }
            finally
            {
                _writers?.Dispose();
            }
        }

        private static bool Same(Device device, in StagedInstallation row) =>
            device.OrganisationId == row.OrganisationId && string.Equals(device.Key, row.Device, StringComparison.Ordinal);

        private void Add(Device device, in StagedInstallation row)
        {
            if (row.Kind >= 0)
            {
                if (device.Kind >= 0 && device.Kind != row.Kind)
                {
                    errors.Add(new ImportError(row.Row, "device_kind", DeviceKinds[row.Kind], $"widerspricht Zeile {device.KindRow} für dasselbe Gerät ({DeviceKinds[device.Kind]})"));
                    return;
                }

                (device.Kind, device.KindRow) = (row.Kind, row.Row);
            }

            if (row.Cores is { } cores)
            {
                if (device.Cores is { } known && known != cores)
                {
                    errors.Add(new ImportError(row.Row, "cores", cores.ToString(CultureInfo.InvariantCulture), $"widerspricht Zeile {device.CoresRow} für dasselbe Gerät ({known})"));
                    return;
                }

                (device.Cores, device.CoresRow) = (cores, row.Row);
            }

            var storedTitle = KnownTitleId(row.Title);
            // A title not stored yet cannot be among the device's stored installations: the device changes.
            device.NewTitle |= storedTitle == 0;
            device.Hash += _hasher.Hash(storedTitle, row.Version, row.User, row.Day);
            device.Count++;
            _rows.Add(row);
        }

        private void Close(Device device)
        {
            _window.Add(device);
            if (_window.Count >= WindowDevices || _rows.Count >= WindowRows)
            {
                Flush();
            }
        }

        /// <summary>The window's devices against their stored state; the changed ones written.</summary>
        private void Flush()
        {
            if (errors.Count == 0 && _window.Count > 0)
            {
                LoadStored();
                foreach (var device in _window)
                {
                    Decide(device);
                }
            }

            _window.Clear();
            _rows.Clear();
        }

        private void LoadStored()
        {
            var unhashed = new Dictionary<long, Device>();
            foreach (var organisation in _window.GroupBy(d => d.OrganisationId))
            {
                var byKey = organisation.ToDictionary(d => d.Key, StringComparer.Ordinal);
                foreach (var keys in byKey.Keys.Chunk(500))
                {
                    // One JSON parameter: the statement text stays the same for every window (500 parameters were prepared anew each time).
                    foreach (var stored in connection.Query<StoredDevice>(_devicesSql, new { OrganisationId = organisation.Key, Keys = SqlDialect.TextList(keys) }, transaction))
                    {
                        var device = byKey[stored.DeviceKey];
                        device.Stored = stored;
                        device.StoredSnapshot = stored.InstallationsHash;
                        if (stored.InstallationsHash is null)
                        {
                            unhashed[stored.Id] = device;
                        }
                    }
                }
            }

            // Installations written other than by this import (the demo estate) are hashed here, as the import would have.
            var counts = new Dictionary<long, (int Count, UInt128 Hash)>();
            foreach (var ids in unhashed.Keys.Chunk(500))
            {
                foreach (var i in connection.Query<StoredItem>(InstallationsSql, new { Ids = ids }, transaction, buffered: false))
                {
                    var (count, hash) = counts.GetValueOrDefault(i.DeviceId);
                    counts[i.DeviceId] = (count + 1, hash + _hasher.Hash(i.TitleId, i.Version, i.UserKey, i.LastUsed?.DayNumber ?? NoDate));
                }
            }

            foreach (var (id, device) in unhashed)
            {
                var (count, hash) = counts.GetValueOrDefault(id);
                device.StoredSnapshot = Snapshot(count, hash);
            }
        }

        private void Decide(Device device)
        {
            if (device.Stored is not { } existing)
            {
                Inserts += device.Count;
            }
            else
            {
                var kindChanged = device.Kind >= 0 && DeviceKinds[device.Kind] != existing.DeviceKind;
                var coresChanged = device.Cores is not null && device.Cores != existing.Cores;
                if (!kindChanged && !coresChanged && !device.NewTitle && Snapshot(device.Count, device.Hash) == device.StoredSnapshot)
                {
                    Unchanged += device.Count;
                    return;
                }

                Updates += device.Count;
            }

            Affected.Add(device.OrganisationId);
            if (commit)
            {
                Write(device);
            }
        }

        private void Write(Device device)
        {
            var writers = _writers ??= new Writers(connection, transaction!, importer.Dialect);
            var rows = CollectionsMarshal.AsSpan(_rows).Slice(device.First, device.Count);
            // The snapshot stored with the device is the hash of what is written: under the titles' real ids, so a device
            // that names a title new to the database is hashed again once the title has its id.
            var hash = device.Hash;
            if (device.NewTitle)
            {
                hash = UInt128.Zero;
                foreach (ref readonly var row in rows)
                {
                    hash += _hasher.Hash(TitleId(writers, row.Title), row.Version, row.User, row.Day);
                }
            }

            var snapshot = Snapshot(device.Count, hash);
            long deviceId;
            if (device.Stored is not { } existing)
            {
                deviceId = writers.Device.Insert(device.OrganisationId, device.Key, device.Kind >= 0 ? DeviceKinds[device.Kind] : "workstation", device.Cores, snapshot,
                    importer.Now);
            }
            else
            {
                deviceId = existing.Id;
                connection.Execute(UpdateDeviceSql, new
                {
                    Id = deviceId, Kind = device.Kind >= 0 ? DeviceKinds[device.Kind] : existing.DeviceKind, Cores = device.Cores ?? existing.Cores,
                    InstallationsHash = snapshot, Now = importer.Now,
                }, transaction);
                connection.Execute(DeleteInstallationsSql, new { Id = deviceId }, transaction);
            }

            var insert = writers.Installation;
            foreach (ref readonly var row in rows)
            {
                var title = TitleId(writers, row.Title);
                insert.Set(0, deviceId);
                insert.Set(1, title);
                insert.Set(2, row.Version);
                insert.Set(3, row.User);
                insert.Set(4, row.Day == NoDate ? null : DateOnly.FromDayNumber(row.Day));
                insert.Execute();
            }
        }

        /// <summary>The id a title of the file has in the database so far (0: none yet).</summary>
        private long KnownTitleId(int title) => _titleIds[title] != 0 ? _titleIds[title] : titleList[title].StoredId;

        /// <summary>The stored id of a title of the file, written (and decided by the global rules) when first needed.</summary>
        private long TitleId(Writers writers, int title)
        {
            if (_titleIds[title] != 0)
            {
                return _titleIds[title];
            }

            var (software, publisher, storedId) = titleList[title];
            if (storedId == 0)
            {
                var rule = importer.Rules.Match(software, publisher);
                storedId = writers.Title.Insert(software, publisher, rule?.ProductId, rule?.Id, rule?.NotLicensable == true ? 1 : 0);
            }

            _titleIds[title] = storedId;
            return storedId;
        }
    }

    /// <summary>The prepared inserts of a commit, made when the first device is written.</summary>
    private sealed class Writers : IDisposable
    {
        public Writers(DbConnection connection, DbTransaction transaction, SqlDialect dialect)
        {
            Device = new BulkInsert(connection, transaction, dialect, "devices", ["organisation_id", "device_key", "device_kind", "cores", "installations_hash", "updated_at"], returnsId: true);
            Title = new BulkInsert(connection, transaction, dialect, "software_titles", ["name", "publisher", "product_id", "rule_id", "not_licensable"], returnsId: true);
            Installation = new BulkInsert(connection, transaction, dialect, "installations", ["device_id", "software_title_id", "version", "user_key", "last_used"]);
        }

        public BulkInsert Device { get; }
        public BulkInsert Title { get; }
        public BulkInsert Installation { get; }

        public void Dispose()
        {
            Device.Dispose();
            Title.Dispose();
            Installation.Dispose();
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

    /// <summary>A device of the file: its rows are <c>Count</c> rows of the window from <c>First</c>.</summary>
    private sealed class Device(long organisationId, string key, int first)
    {
        public long OrganisationId { get; } = organisationId;
        public string Key { get; } = key;
        public int First { get; } = first;
        public int Count { get; set; }
        public sbyte Kind { get; set; } = -1;
        public int KindRow { get; set; }
        public long? Cores { get; set; }
        public int CoresRow { get; set; }
        public UInt128 Hash { get; set; }
        public bool NewTitle { get; set; }
        public StoredDevice? Stored { get; set; }
        public string? StoredSnapshot { get; set; }
    }

    private sealed class StoredDevice
    {
        public long Id { get; init; }
        public string DeviceKey { get; init; } = "";
        public string DeviceKind { get; init; } = "";
        public long? Cores { get; init; }
        public string? InstallationsHash { get; init; }
    }

    private sealed class StoredItem
    {
        public long DeviceId { get; init; }
        public long TitleId { get; init; }
        public string? Version { get; init; }
        public string? UserKey { get; init; }
        public DateOnly? LastUsed { get; init; }
    }
}
