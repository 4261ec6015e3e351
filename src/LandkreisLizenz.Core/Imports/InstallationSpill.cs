using LandkreisLizenz.Core.Common;
using Microsoft.Win32.SafeHandles;

namespace LandkreisLizenz.Core.Imports;

/// <summary>One valid installation row of an inventory file, as the import sorts it: by organisation, device and row.</summary>
internal struct StagedInstallation
{
    public long OrganisationId;
    public string Device;
    public int Row;
    public int Title;
    public int Day;
    /// <summary>Index into the device kinds; -1 when the row names none.</summary>
    public sbyte Kind;
    public long? Cores;
    public string? Version;
    public string? User;

    public static int Compare(in StagedInstallation a, in StagedInstallation b)
    {
        var byOrganisation = a.OrganisationId.CompareTo(b.OrganisationId);
        if (byOrganisation != 0)
        {
            return byOrganisation;
        }

        var byDevice = string.CompareOrdinal(a.Device, b.Device);
        return byDevice != 0 ? byDevice : a.Row.CompareTo(b.Row);
    }
}

/// <summary>
/// An external sort of a file's installation rows, so that an inventory of any size is committed device by device in
/// constant memory: rows are collected up to <c>runRows</c>, sorted and written as a run to a temporary file (gone when
/// closed, and unlinked at once where the system allows it, so that a kill -9 leaves nothing behind); the runs are then
/// merged, which yields every device's rows together.
/// </summary>
internal sealed class InstallationSpill : IDisposable
{
    private const int BufferBytes = 1 << 15;

    /// <summary>Runs merged at once: 256 buffers of 32 KB (8 MB), one pass up to 51 million rows at the default run size.</summary>
    internal const int MaxFanIn = 256;

    private readonly FileStream _file;
    private readonly BinaryWriter _writer;
    private readonly StagedInstallation[] _pending;
    private readonly List<(long Start, long End, int Count)> _runs = [];
    private int _count;

    private readonly string _folder;

    /// <param name="folder">Where the temporary file goes; null: the system's temporary folder.</param>
    public InstallationSpill(int runRows, string? folder = null)
    {
        _pending = new StagedInstallation[Math.Max(1, runRows)];
        _folder = folder ?? Path.GetTempPath();
        var path = Path.Combine(_folder, "lkl-import-" + Guid.NewGuid().ToString("N") + ".bin");
        _file = Guarded(() =>
        {
            // Windows deletes the file when its handle closes, even in a killed process; elsewhere it is unlinked at once
            // (the open handle stays valid).
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20,
                OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
            if (!OperatingSystem.IsWindows())
            {
                File.Delete(path);
            }

            return file;
        });
        _writer = new BinaryWriter(_file, System.Text.Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>
    /// A failure of the temporary file (a full disk, a folder that cannot be written) as the batch's error: the import
    /// stops before anything is committed, and the message says where the space is missing.
    /// </summary>
    private T Guarded<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImportFileException(new ImportError(0, null, null,
                $"Das Inventar konnte nicht zum Vergleich sortiert werden: die temporäre Datei in „{_folder}“ ließ sich nicht schreiben ({ex.Message}). "
                + "Sie braucht etwa so viel Platz wie die Datei selbst (Einstellung Imports:SortFolder). Es wurde nichts übernommen."));
        }
    }

    public void Add(in StagedInstallation row)
    {
        if (_count == _pending.Length)
        {
            WriteRun();
        }

        // Consecutive rows of one device share one string: a file lists a device's software together.
        var staged = row;
        if (_count > 0 && string.Equals(_pending[_count - 1].Device, staged.Device, StringComparison.Ordinal))
        {
            staged.Device = _pending[_count - 1].Device;
        }

        _pending[_count++] = staged;
    }

    /// <summary>All rows added, sorted by organisation, device and row.</summary>
    public IEnumerable<StagedInstallation> Sorted()
    {
        if (_count > 0)
        {
            WriteRun();
        }

        // At most MaxFanIn runs are read at once, so the merge's buffers stay bounded however long the file: beyond that,
        // the shortest runs are first merged into one (written after the others) — just as many as bring the count down to
        // MaxFanIn, so that an extra pass rewrites the fewest rows (the national inventory needs none).
        while (_runs.Count > MaxFanIn)
        {
            var group = _runs.OrderBy(r => r.Count).Take(Math.Min(MaxFanIn, _runs.Count - MaxFanIn + 1)).ToList();
            _runs.RemoveAll(group.Contains);
            _runs.Add(Guarded(() => WriteSorted(Merge(group))));
        }

        return Merge(_runs.ToList());
    }

    private IEnumerable<StagedInstallation> Merge(List<(long Start, long End, int Count)> runs)
    {
        _writer.Flush();
        // Versions and user names repeat across devices and runs: one string each, not one per row.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        var readers = runs.Select(r => new RunReader(_file.SafeFileHandle, r.Start, r.End, r.Count, pool)).ToList();
        try
        {
            var queue = new PriorityQueue<RunReader, StagedInstallation>(readers.Count, Comparer<StagedInstallation>.Create((a, b) => StagedInstallation.Compare(a, b)));
            foreach (var reader in readers)
            {
                if (reader.TryRead(out var first))
                {
                    queue.Enqueue(reader, first);
                }
            }

            while (queue.TryPeek(out var reader, out var next))
            {
                yield return next;
                if (reader.TryRead(out var following))
                {
                    queue.DequeueEnqueue(reader, following);
                }
                else
                {
                    queue.Dequeue();
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    private void WriteRun()
    {
        var rows = _pending.AsSpan(0, _count);
        rows.Sort(static (a, b) => StagedInstallation.Compare(a, b));
        _runs.Add(Guarded(() => WriteSorted(_pending.Take(_count))));
        rows.Clear();
        _count = 0;
    }

    /// <summary>Rows in their order as a run at the end of the file.</summary>
    private (long Start, long End, int Count) WriteSorted(IEnumerable<StagedInstallation> rows)
    {
        _writer.Flush();
        var start = _file.Position;
        var count = 0;
        string? previous = null;
        foreach (var row in rows)
        {
            var same = previous is not null && string.Equals(previous, row.Device, StringComparison.Ordinal);
            var flags = (byte)((same ? 1 : 0) | (row.Cores is not null ? 2 : 0) | (row.Version is not null ? 4 : 0) | (row.User is not null ? 8 : 0));
            _writer.Write(flags);
            _writer.Write(row.OrganisationId);
            if (!same)
            {
                _writer.Write(row.Device);
            }

            _writer.Write(row.Row);
            _writer.Write(row.Title);
            _writer.Write(row.Day);
            _writer.Write(row.Kind);
            if (row.Cores is { } cores)
            {
                _writer.Write(cores);
            }

            if (row.Version is not null)
            {
                _writer.Write(row.Version);
            }

            if (row.User is not null)
            {
                _writer.Write(row.User);
            }

            previous = row.Device;
            count++;
        }

        _writer.Flush();
        return (start, _file.Position, count);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }

    /// <summary>One run read back through its own buffer at its own offset of the shared file.</summary>
    private sealed class RunReader : IDisposable
    {
        private readonly BinaryReader _reader;
        private readonly Segment _segment;
        private readonly Dictionary<string, string> _pool;
        private string _device = "";
        private int _left;

        public RunReader(SafeFileHandle handle, long start, long end, int count, Dictionary<string, string> pool)
        {
            _pool = pool;
            _left = count;
            _segment = new Segment(handle, start, end);
            _reader = new BinaryReader(new BufferedStream(_segment, BufferBytes), System.Text.Encoding.UTF8);
        }

        public bool TryRead(out StagedInstallation row)
        {
            if (_left == 0)
            {
                row = default;
                return false;
            }

            _left--;
            var flags = _reader.ReadByte();
            row = new StagedInstallation { OrganisationId = _reader.ReadInt64() };
            if ((flags & 1) == 0)
            {
                _device = _reader.ReadString();
            }

            row.Device = _device;
            row.Row = _reader.ReadInt32();
            row.Title = _reader.ReadInt32();
            row.Day = _reader.ReadInt32();
            row.Kind = _reader.ReadSByte();
            row.Cores = (flags & 2) != 0 ? _reader.ReadInt64() : null;
            row.Version = (flags & 4) != 0 ? Pooled(_reader.ReadString()) : null;
            row.User = (flags & 8) != 0 ? Pooled(_reader.ReadString()) : null;
            return true;
        }

        private string Pooled(string text)
        {
            if (_pool.TryGetValue(text, out var known))
            {
                return known;
            }

            if (_pool.Count < 10_000)
            {
                _pool[text] = text;
            }

            return text;
        }

        public void Dispose() => _reader.Dispose();
    }

    /// <summary>A read-only window onto part of the file, read by offset so that many runs share one handle.</summary>
    private sealed class Segment(SafeFileHandle handle, long start, long end) : ReadOnlyStream
    {
        private long _offset;

        public long Remaining => end - start - _offset;

        public override long Length => end - start;

        public override long Position
        {
            get => _offset;
            set => _offset = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, Remaining);
            if (count <= 0)
            {
                return 0;
            }

            var read = RandomAccess.Read(handle, buffer[..count], start + _offset);
            _offset += read;
            return read;
        }
    }
}
