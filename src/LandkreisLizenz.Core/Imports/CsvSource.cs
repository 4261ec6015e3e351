using System.Text;
using Sylvan.Data.Csv;

namespace LandkreisLizenz.Core.Imports;

/// <summary>A file that cannot be read as a CSV of the expected kind; one clear German message.</summary>
public sealed class ImportFileException(ImportError error) : Exception(error.Reason)
{
    public ImportError Error { get; } = error;
}

/// <summary>
/// Opens an uploaded file as spec §5 describes it: UTF-8 (BOM allowed), delimiter ';' or ',' detected from the
/// header line, header names case-insensitive. Spreadsheets, UTF-16 and other encodings are refused with a hint.
/// </summary>
internal sealed class CsvSource : IDisposable
{
    /// <summary>A record (all its cells) may be this long; far longer ones are broken quoting, not data.</summary>
    internal const int MaxRecordChars = 256 * 1024;

    private const string SaveAsHint = "Bitte in Excel „Speichern unter … CSV UTF-8 (durch Trennzeichen getrennt)“ wählen.";

    private readonly StreamReader _reader;
    private readonly CsvDataReader _csv;

    private readonly string[] _constants;

    private CsvSource(StreamReader reader, CsvDataReader csv, char delimiter, IReadOnlyList<string> header, ImportMapping? mapping)
    {
        _reader = reader;
        _csv = csv;
        Delimiter = delimiter;
        var renamed = header.Select(h => mapping?.Columns.GetValueOrDefault(h) ?? h).ToList();
        var constants = mapping?.Constants.Where(c => !renamed.Contains(c.Key)).ToList() ?? [];
        _constants = constants.Select(c => c.Value).ToArray();
        Header = [.. renamed, .. constants.Select(c => c.Key)];
    }

    public char Delimiter { get; }

    /// <summary>Lower-case, trimmed column names in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <param name="mapping">Renames and constants applied on top of the file (the header check then sees the mapped names).</param>
    public static CsvSource Open(Stream stream, string fileName, ImportMapping? mapping = null)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is ".xlsx" or ".xls" or ".xlsm" or ".ods")
        {
            throw FileError($"„{fileName}“ ist eine Tabellenkalkulation, keine CSV-Datei. {SaveAsHint}");
        }

        var start = stream.CanSeek ? stream.Position : 0;
        var head = new byte[8];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            throw FileError("Die Datei ist leer.");
        }

        if (read >= 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04)
        {
            throw FileError($"Die Datei ist eine Excel-Arbeitsmappe (XLSX), auch wenn sie auf „{extension}“ endet. {SaveAsHint}");
        }

        if (read >= 4 && head[0] == 0xD0 && head[1] == 0xCF && head[2] == 0x11 && head[3] == 0xE0)
        {
            throw FileError($"Die Datei ist eine alte Excel-Arbeitsmappe (XLS), keine CSV-Datei. {SaveAsHint}");
        }

        if (read >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
        {
            throw FileError($"Die Datei ist UTF-16-kodiert („Unicode-Text“). {SaveAsHint}");
        }

        // Uploads are staged to disk, so the stream can be scanned once to name the line of a wrong encoding.
        if (stream.CanSeek)
        {
            stream.Position = start;
            var invalidRow = FirstInvalidUtf8Row(stream);
            if (invalidRow > 0)
            {
                throw EncodingError(invalidRow);
            }

            stream.Position = start + read;
        }

        var skip = read >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
        var prefix = new MemoryStream(head, skip, read - skip, writable: false);
        var reader = new StreamReader(new ConcatenatedStream(prefix, stream), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        try
        {
            string? headerLine;
            try
            {
                headerLine = ReadHeaderLine(reader);
            }
            catch (DecoderFallbackException)
            {
                throw EncodingError(1);
            }

            if (string.IsNullOrWhiteSpace(headerLine))
            {
                throw FileError("Die Datei ist leer oder die erste Zeile (Kopfzeile mit den Spaltennamen) fehlt.");
            }

            var delimiter = headerLine.Contains(';') ? ';' : headerLine.Contains(',') ? ',' : '\0';
            var header = delimiter == '\0'
                ? [headerLine.Trim().Trim('"').ToLowerInvariant()]
                : headerLine.Split(delimiter).Select(h => h.Trim().Trim('"').Trim().ToLowerInvariant()).ToArray();
            if (delimiter == '\0')
            {
                delimiter = ';';
            }

            var pool = new StringPool();
            var csv = CsvDataReader.Create(reader, new CsvDataReaderOptions
            {
                HasHeaders = false, Delimiter = delimiter, BufferSize = 1 << 16, MaxBufferSize = MaxRecordChars, StringFactory = pool.Get,
            });
            return new CsvSource(reader, csv, delimiter, header, mapping);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

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

    /// <summary>Data records with their row number (header = 1). Blank lines are skipped.</summary>
    public IEnumerable<(int Row, string[] Values)> Records()
    {
        var row = 1;
        while (true)
        {
            bool more;
            try
            {
                more = _csv.Read();
            }
            catch (DecoderFallbackException)
            {
                throw EncodingError(row + 1);
            }
            catch (CsvRecordTooLargeException)
            {
                throw new ImportFileException(new ImportError(row + 1, null, null,
                    $"Der Datensatz ab Zeile {row + 1} ist länger als {MaxRecordChars / 1024:N0} KB – meist ein Anführungszeichen, das nicht geschlossen wird, oder keine CSV-Datei."));
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
            var count = _csv.RowFieldCount;
            var values = new string[count + _constants.Length];
            _constants.CopyTo(values, count);
            var blank = true;
            for (var i = 0; i < count; i++)
            {
                values[i] = Unescape(_csv.GetString(i).Trim());
                blank &= values[i].Length == 0;
            }

            if (!blank)
            {
                yield return (row, values);
            }
        }
    }

    /// <summary>Exports protect cells against formula injection with a leading ' (see TabularExport); a re-import removes it.</summary>
    private static string Unescape(string value) =>
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

    private static ImportFileException EncodingError(int row) =>
        new(new ImportError(row, null, null, $"Die Datei ist nicht UTF-8-kodiert (erstes ungültiges Zeichen in Zeile {row}). {SaveAsHint}"));

    public void Dispose()
    {
        _csv.Dispose();
        _reader.Dispose();
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
