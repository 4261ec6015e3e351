using System.Text;
using Sylvan.Data.Csv;

namespace LandkreisLizenz.Core.Imports;

/// <summary>A file that cannot be read as a CSV of the expected kind; one clear German message.</summary>
public sealed class ImportFileException(ImportError error) : Exception(error.Reason)
{
    public ImportError Error { get; } = error;
}

/// <summary>
/// Opens an uploaded file as spec §7 describes it: CSV with ';', ',' or tab (detected from the header line), in UTF-8
/// (BOM allowed), UTF-16 (BOM) or Windows-1252 (a file that is not valid UTF-8), or the first worksheet of an XLSX
/// workbook. Header names are compared lower-case and trimmed; an <see cref="ImportMapping"/> renames them and adds
/// constants, and its date and number formats apply to the values.
/// </summary>
internal sealed class CsvSource : IDisposable
{
    /// <summary>A record (all its cells) may be this long; far longer ones are broken quoting, not data.</summary>
    internal const int MaxRecordChars = 256 * 1024;

    private const string SaveAsHint = "Bitte als CSV (UTF-8) oder als Excel-Arbeitsmappe (XLSX) speichern.";

    static CsvSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private readonly IDisposable _resource;
    private readonly IEnumerable<(int Row, string[] Values)> _records;
    private readonly string[] _constants;
    private readonly int[]? _keep;

    private CsvSource(IDisposable resource, Func<CsvSource, IEnumerable<(int, string[])>> records, char delimiter, IReadOnlyList<string> header, ImportMapping? mapping)
    {
        _resource = resource;
        Delimiter = delimiter;
        Mapping = mapping;
        // A mapping that names columns reads those and ignores the rest of the tool's export (spec §7).
        _keep = mapping is { Columns.Count: > 0 }
            ? Enumerable.Range(0, header.Count).Where(i => mapping.Columns.ContainsKey(header[i])).ToArray()
            : null;
        var renamed = _keep is null ? header.ToList() : _keep.Select(i => mapping!.Columns[header[i]]).ToList();
        var constants = mapping?.Constants.Where(c => !renamed.Contains(c.Key)).ToList() ?? [];
        _constants = constants.Select(c => c.Value).ToArray();
        Header = [.. renamed, .. constants.Select(c => c.Key)];
        SourceHeader = header;
        ProductNames = mapping?.ProductNames;
        NamesComplete = mapping?.NamesComplete == true;
        _records = records(this);
    }

    public char Delimiter { get; }

    public ImportMapping? Mapping { get; }

    /// <summary>Lower-case, trimmed column names in file order, as the mapping renamed them, then the mapping's constants.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The file's own column names (lower-case, trimmed), before any mapping.</summary>
    public IReadOnlyList<string> SourceHeader { get; }

    /// <summary>Which kind of text the file was read as (shown with the preview).</summary>
    public string EncodingName { get; private init; } = "UTF-8";

    /// <param name="mapping">Renames and constants applied on top of the file (the header check then sees the mapped names).</param>
    public static CsvSource Open(Stream stream, string fileName, ImportMapping? mapping = null)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var start = stream.CanSeek ? stream.Position : 0;
        // Enough to recognise a document by its first line (a license server report), and the magic numbers of the rest.
        var head = new byte[1024];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            throw FileError("Die Datei ist leer.");
        }

        if (read >= 4 && head[0] == 0xD0 && head[1] == 0xCF && head[2] == 0x11 && head[3] == 0xE0)
        {
            throw FileError($"Die Datei ist eine alte Excel-Arbeitsmappe (XLS). {SaveAsHint}");
        }

        if (read >= 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04)
        {
            if (extension == ".ods")
            {
                throw FileError($"OpenDocument-Tabellen (ODS) werden nicht gelesen. {SaveAsHint}");
            }

            if (!stream.CanSeek)
            {
                throw FileError("Eine Excel-Arbeitsmappe kann nur als hochgeladene Datei gelesen werden.");
            }

            stream.Position = start;
            if (InventoryDocuments.OpenZip(stream, mapping) is { } inventories)
            {
                return inventories;
            }

            stream.Position = start;
            return XlsxSource.Open(stream, mapping);
        }

        if (LicenseServerReports.Sniff(head.AsSpan(0, read)))
        {
            return LicenseServerReports.Open(new ConcatenatedStream(new MemoryStream(head, 0, read, writable: false), stream), mapping);
        }

        if (DirectoryGroupExports.Sniff(head.AsSpan(0, read)))
        {
            return DirectoryGroupExports.Open(new ConcatenatedStream(new MemoryStream(head, 0, read, writable: false), stream), mapping);
        }

        if (InventoryDocuments.Sniff(head.AsSpan(0, read)) is { } first)
        {
            var document = new MemoryStream(head, 0, read, writable: false);
            return InventoryDocuments.Open(new ConcatenatedStream(document, stream), first, mapping);
        }

        Encoding encoding;
        int skip;
        string encodingName;
        if (read >= 2 && head[0] == 0xFF && head[1] == 0xFE)
        {
            (encoding, skip, encodingName) = (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2, "UTF-16");
        }
        else if (read >= 2 && head[0] == 0xFE && head[1] == 0xFF)
        {
            (encoding, skip, encodingName) = (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2, "UTF-16 (Big Endian)");
        }
        else
        {
            skip = read >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
            // Uploads are staged to disk, so the stream can be scanned once: a file that is not UTF-8 is what Excel's
            // "CSV (Trennzeichen-getrennt)" writes on a German Windows, Windows-1252.
            var utf8 = true;
            if (stream.CanSeek)
            {
                stream.Position = start;
                utf8 = FirstInvalidUtf8Row(stream) == 0;
                stream.Position = start + read;
            }

            (encoding, encodingName) = utf8
                ? (new UTF8Encoding(false, throwOnInvalidBytes: true), "UTF-8")
                : (Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), "Windows-1252");
        }

        var prefix = new MemoryStream(head, skip, read - skip, writable: false);
        var reader = new StreamReader(new ConcatenatedStream(prefix, stream), encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        try
        {
            string? headerLine;
            try
            {
                headerLine = ReadHeaderLine(reader);
            }
            catch (DecoderFallbackException)
            {
                throw EncodingError(1, encodingName);
            }

            if (string.IsNullOrWhiteSpace(headerLine))
            {
                throw FileError("Die Datei ist leer oder die erste Zeile (Kopfzeile mit den Spaltennamen) fehlt.");
            }

            var delimiter = new[] { ';', ',', '\t' }.Select(d => (Delimiter: d, Count: headerLine.Count(c => c == d))).OrderByDescending(d => d.Count).First() is { Count: > 0 } found
                ? found.Delimiter
                : '\0';
            var header = delimiter == '\0'
                ? [Normalise(headerLine)]
                : headerLine.Split(delimiter).Select(Normalise).ToArray();
            if (delimiter == '\0')
            {
                delimiter = ';';
            }

            var pool = new StringPool();
            var csv = CsvDataReader.Create(reader, new CsvDataReaderOptions
            {
                HasHeaders = false, Delimiter = delimiter, BufferSize = 1 << 16, MaxBufferSize = MaxRecordChars, StringFactory = pool.Get,
            });
            return new CsvSource(new Resources(csv, reader), source => source.CsvRecords(csv, encodingName), delimiter, header, mapping) { EncodingName = encodingName };
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    internal static string Normalise(string name) => name.Trim().Trim('"').Trim().ToLowerInvariant();

    /// <summary>An XLSX worksheet read as records of text: what the spec's value rules expect, whatever the cell types.</summary>
    /// <param name="document">The records come from a tool's document (an inventory, a license server report), not a table.</param>
    /// <param name="productNames">The document names products in its tool's own words (see <see cref="ImportMapping.ProductNames"/>).</param>
    /// <param name="listedNames">Filled while the records are read: every name the document lists completely, also those
    /// with no record (see <see cref="ListedNames"/>).</param>
    internal static CsvSource FromRecords(IDisposable resource, IReadOnlyList<string> header, IEnumerable<(int, string[])> records, ImportMapping? mapping, string kind,
        bool document = false, string? productNames = null, bool namesComplete = false, IReadOnlyCollection<string>? listedNames = null) =>
        new(resource, _ => records, ';', header, mapping)
        {
            EncodingName = kind, DocumentKind = document ? kind : null, ProductNames = productNames ?? mapping?.ProductNames,
            NamesComplete = namesComplete || mapping?.NamesComplete == true, ListedNames = listedNames,
        };

    /// <summary>Parsed when the records are read, so that a broken tool document is an error of the batch's check, not of its upload.</summary>
    internal static IEnumerable<T> Deferred<T>(Func<IEnumerable<T>> parse)
    {
        foreach (var record in parse())
        {
            yield return record;
        }
    }

    /// <summary>
    /// The publisher under which the records' <c>product_key</c> values are the source tool's names, recognised like
    /// software titles (a license server's features, Microsoft 365 SKUs); null when they are product keys.
    /// </summary>
    public string? ProductNames { get; private init; }

    /// <summary>
    /// With <see cref="ProductNames"/>: the file lists every holder of each product its names stand for (a directory
    /// group's members), so a holder it no longer lists loses the assignment (<see cref="ImportMapping.NamesComplete"/>).
    /// </summary>
    public bool NamesComplete { get; private init; }

    /// <summary>
    /// With <see cref="NamesComplete"/>: every name the file lists, known once its records have been read — also a name
    /// without any record (a directory group without members), whose product then has no holders left. Null: only the
    /// names of the records (a CSV of group members cannot show an empty group).
    /// </summary>
    public IReadOnlyCollection<string>? ListedNames { get; private init; }

    /// <summary>The worksheets of a workbook (the one read: the mapping's, else the first); empty for other files.</summary>
    public IReadOnlyList<string> Sheets { get; internal set; } = [];

    /// <summary>The kind of tool document the records come from (shown as the batch's profile); null for a table.</summary>
    public string? DocumentKind { get; private init; }

    /// <summary>The first line, read no further than a record may be long (a file without line breaks is not read whole).</summary>
    private static string? ReadHeaderLine(StreamReader reader)
    {
        var line = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0 && c != '\n')
        {
            if (line.Length >= MaxRecordChars)
            {
                throw FileError($"Die erste Zeile ist länger als {MaxRecordChars / 1024:N0} KB; eine Kopfzeile mit den Spaltennamen wurde nicht gefunden.");
            }

            line.Append((char)c);
        }

        return c < 0 && line.Length == 0 ? null : line.ToString().TrimEnd('\r');
    }

    /// <summary>
    /// Data records with their row number (header = 1), as the mapping reads them (its columns, then its constants), and
    /// whether the file's record has as many fields as its header — a record that has not is passed on unmapped.
    /// Blank lines are skipped. A mapping with a <see cref="ImportMapping.ProductSeparator"/> reads a cell that lists
    /// several products (Microsoft 365's "SKU+SKU") as one record per product, under the same row number; a cell that
    /// lists none gives no record. A mapping with <see cref="ImportMapping.ListFields"/> reads a record whose cells list
    /// several values as one record per value, under the same row number; <c>Problem</c> names a list field whose count
    /// differs (the record is then passed on once, unsplit).
    /// </summary>
    public IEnumerable<(int Row, string[] Values, bool FieldsMatch, ImportError? Problem)> Records()
    {
        var split = Mapping?.ProductSeparator is { Length: > 0 } ? Header.ToList().IndexOf("product_key") : -1;
        var lists = Mapping?.ListFields?.Select(f => Header.ToList().IndexOf(f)).Where(i => i >= 0).ToArray() ?? [];
        foreach (var record in Mapped())
        {
            if (!record.FieldsMatch || (split < 0 && lists.Length == 0))
            {
                yield return (record.Row, record.Values, record.FieldsMatch, null);
                continue;
            }

            foreach (var values in split < 0 ? [record.Values] : SplitProducts(record.Values, split))
            {
                var (listed, problem) = lists.Length == 0 ? ([values], null) : SplitLists(record.Row, values, lists);
                if (problem is not null)
                {
                    yield return (record.Row, values, true, problem);
                    continue;
                }

                foreach (var one in listed)
                {
                    yield return (record.Row, one, true, null);
                }
            }
        }
    }

    /// <summary>The record once per product its cell at <paramref name="split"/> lists.</summary>
    private IEnumerable<string[]> SplitProducts(string[] values, int split)
    {
        foreach (var part in ImportMapping.SplitProducts(values[split], Mapping!.ProductSeparator!))
        {
            var one = (string[])values.Clone();
            one[split] = part;
            yield return one;
        }
    }

    private (IReadOnlyList<string[]> Records, ImportError? Problem) SplitLists(int row, string[] values, int[] lists)
    {
        var parts = lists.Select(i => values[i].Split(',', StringSplitOptions.TrimEntries)).ToArray();
        var count = parts[0].Length;
        if (count <= 1)
        {
            return ([values], null);
        }

        for (var f = 1; f < lists.Length; f++)
        {
            if (parts[f].Length != count && parts[f].Length != 1)
            {
                return ([], new ImportError(row, Header[lists[f]], values[lists[f]],
                    $"nennt {parts[f].Length} Werte, „{Header[lists[0]]}“ aber {count} – je Wert der Mehrfachfelder einer, durch Komma getrennt (Dezimalstellen mit Punkt)"));
            }
        }

        var records = new List<string[]>(count);
        for (var n = 0; n < count; n++)
        {
            var one = (string[])values.Clone();
            for (var f = 0; f < lists.Length; f++)
            {
                one[lists[f]] = parts[f].Length == 1 ? values[lists[f]].Trim() : parts[f][n];
            }

            records.Add(one);
        }

        return (records, null);
    }

    private IEnumerable<(int Row, string[] Values, bool FieldsMatch)> Mapped()
    {
        foreach (var (row, values) in _records)
        {
            if (values.Length != SourceHeader.Count)
            {
                yield return (row, values, false);
                continue;
            }

            if (_constants.Length == 0 && _keep is null)
            {
                yield return (row, values, true);
                continue;
            }

            if (_keep is null)
            {
                var withConstants = new string[values.Length + _constants.Length];
                values.CopyTo(withConstants, 0);
                _constants.CopyTo(withConstants, values.Length);
                yield return (row, withConstants, true);
                continue;
            }

            var projected = new string[_keep.Length + _constants.Length];
            for (var i = 0; i < _keep.Length; i++)
            {
                projected[i] = values[_keep[i]];
            }

            _constants.CopyTo(projected, _keep.Length);
            yield return (row, projected, true);
        }
    }

    private IEnumerable<(int Row, string[] Values)> CsvRecords(CsvDataReader csv, string encodingName)
    {
        var row = 1;
        while (true)
        {
            bool more;
            try
            {
                more = csv.Read();
            }
            catch (DecoderFallbackException)
            {
                throw EncodingError(row + 1, encodingName);
            }
            catch (CsvRecordTooLargeException)
            {
                throw new ImportFileException(new ImportError(row + 1, null, null,
                    $"Der Datensatz ab Zeile {row + 1} ist länger als {MaxRecordChars / 1024} KB – meist ein Anführungszeichen, das nicht geschlossen wird, oder keine CSV-Datei."));
            }
            catch (CsvFormatException ex)
            {
                throw new ImportFileException(new ImportError(row + 1, null, null, $"Die Zeile ist kein gültiger CSV-Datensatz (Anführungszeichen nicht geschlossen?): {ex.Message}"));
            }

            if (!more)
            {
                yield break;
            }

            row++;
            var count = csv.RowFieldCount;
            var values = new string[count];
            var blank = true;
            for (var i = 0; i < count; i++)
            {
                values[i] = Unescape(csv.GetString(i).Trim());
                blank &= values[i].Length == 0;
            }

            if (!blank)
            {
                yield return (row, values);
            }
        }
    }

    /// <summary>Exports protect cells against formula injection with a leading ' (see TabularExport); a re-import removes it.</summary>
    internal static string Unescape(string value) =>
        value.Length > 1 && value[0] == '\'' && "=+-@\t\r".Contains(value[1], StringComparison.Ordinal) ? value[1..] : value;

    /// <summary>The line (1-based) of the first byte sequence that is not UTF-8, or 0 when the whole stream is valid.</summary>
    private static int FirstInvalidUtf8Row(Stream stream)
    {
        var buffer = new byte[1 << 16];
        var chars = new char[1 << 16];
        var carried = 0;
        var line = 1;
        int read;
        while ((read = stream.Read(buffer, carried, buffer.Length - carried)) > 0 || carried > 0)
        {
            var length = carried + read;
            var final = read == 0;
            var status = System.Text.Unicode.Utf8.ToUtf16(buffer.AsSpan(0, length), chars, out var consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
            line += buffer.AsSpan(0, consumed).Count((byte)'\n');
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                return line;
            }

            carried = length - consumed;
            Array.Copy(buffer, consumed, buffer, 0, carried);
            if (final)
            {
                break;
            }
        }

        return 0;
    }

    private static ImportFileException FileError(string reason) => new(new ImportError(0, null, null, reason));

    private static ImportFileException EncodingError(int row, string encodingName) =>
        new(new ImportError(row, null, null, $"Die Datei ist nicht als {encodingName} lesbar (ungültiges Zeichen in Zeile {row}). {SaveAsHint}"));

    public void Dispose() => _resource.Dispose();

    private sealed class Resources(params IDisposable[] resources) : IDisposable
    {
        public void Dispose()
        {
            foreach (var resource in resources)
            {
                resource.Dispose();
            }
        }
    }

    /// <summary>
    /// Inventory files repeat the same short values (software names, publishers, versions, dates) millions of times;
    /// handing out one instance per distinct value saves most string allocations of a large import.
    /// </summary>
    private sealed class StringPool
    {
        private const int MaxLength = 80;
        private const int MaxEntries = 200_000;
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

        public string Get(char[] buffer, int offset, int length)
        {
            if (length == 0)
            {
                return "";
            }

            if (length > MaxLength)
            {
                return new string(buffer, offset, length);
            }

            var span = new ReadOnlySpan<char>(buffer, offset, length);
            if (_lookup.TryGetValue(span, out var pooled))
            {
                return pooled;
            }

            var created = new string(span);
            if (_strings.Count < MaxEntries)
            {
                _strings[created] = created;
            }

            return created;
        }
    }

    /// <summary>Replays the bytes already sniffed, then continues with the rest of the upload.</summary>
    private sealed class ConcatenatedStream(Stream first, Stream second) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = first.Read(buffer, offset, count);
            return n > 0 ? n : second.Read(buffer, offset, count);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
