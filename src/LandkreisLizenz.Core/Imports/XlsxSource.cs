using System.Globalization;
using MiniExcelLibs;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// The first worksheet of an XLSX workbook, streamed row by row (MiniExcel), its first row the header. Cells become the
/// text the spec's value rules read: numbers in the mapping's number format, dates as <c>yyyy-MM-dd</c>.
/// </summary>
internal static class XlsxSource
{
    public static CsvSource Open(Stream stream, ImportMapping? mapping)
    {
        IEnumerator<IDictionary<string, object?>> rows;
        List<string> sheets;
        try
        {
            var start = stream.Position;
            sheets = stream.GetSheetNames();
            stream.Position = start;
            if (mapping?.Sheet is { } wanted && !sheets.Contains(wanted))
            {
                throw new ImportFileException(new ImportError(0, null, null,
                    $"Die Arbeitsmappe hat kein Tabellenblatt „{wanted}“; sie hat {string.Join(", ", sheets.Select(n => $"„{n}“"))}."));
            }

            rows = stream.Query(useHeaderRow: false, sheetName: mapping?.Sheet, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().GetEnumerator();
            if (!rows.MoveNext())
            {
                throw new ImportFileException(new ImportError(0, null, null, "Die Arbeitsmappe ist leer: die erste Tabelle hat keine Kopfzeile."));
            }
        }
        catch (Exception ex) when (ex is not ImportFileException)
        {
            throw Broken(ex);
        }

        var columns = rows.Current.Keys.ToList();
        var header = columns.Select(c => CsvSource.Normalise(Text(rows.Current[c], mapping))).ToList();
        while (header.Count > 0 && header[^1].Length == 0)
        {
            header.RemoveAt(header.Count - 1);
        }

        if (header.Count == 0)
        {
            rows.Dispose();
            throw new ImportFileException(new ImportError(1, null, null, "Die erste Zeile der Arbeitsmappe ist leer; erwartet wird eine Kopfzeile mit den Spaltennamen."));
        }

        columns = columns.Take(header.Count).ToList();
        var source = CsvSource.FromRecords(rows, header, Records(rows, columns, mapping), mapping, "Excel-Arbeitsmappe (XLSX)");
        source.Sheets = sheets;
        return source;
    }

    private static IEnumerable<(int, string[])> Records(IEnumerator<IDictionary<string, object?>> rows, List<string> columns, ImportMapping? mapping)
    {
        var row = 1;
        while (true)
        {
            try
            {
                if (!rows.MoveNext())
                {
                    yield break;
                }
            }
            catch (Exception ex) when (ex is not ImportFileException)
            {
                throw Broken(ex, row + 1);
            }

            row++;
            var values = columns.Select(c => rows.Current.TryGetValue(c, out var v) ? Text(v, mapping) : "").ToArray();
            if (values.Any(v => v.Length > 0))
            {
                yield return (row, values);
            }
        }
    }

    private static string Text(object? value, ImportMapping? mapping) => value switch
    {
        null => "",
        string s => CsvSource.Unescape(s.Trim()),
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        double n when n == Math.Floor(n) && Math.Abs(n) < 1e15 => ((long)n).ToString(CultureInfo.InvariantCulture),
        double n => mapping?.NumberFormat == NumberFormats.German
            ? n.ToString("0.##########", CultureInfo.GetCultureInfo("de-DE"))
            : n.ToString("0.##########", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static ImportFileException Broken(Exception ex, int row = 0) => new(new ImportError(row, null, null,
        $"Die Excel-Arbeitsmappe ist beschädigt oder kein gültiges XLSX ({ex.GetType().Name}). Bitte in Excel öffnen und erneut als XLSX oder CSV speichern."));
}
