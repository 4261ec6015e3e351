using LandkreisLizenz.Core.Common;
using System.Text;
using LandkreisLizenz.Core.Imports;
using MiniExcelLibs;

namespace LandkreisLizenz.Core.Exports;

/// <summary>
/// Writes list exports. Values take the import's text forms (ISO dates, '.' decimals, 1/0), so a CSV export
/// re-imports unchanged. Text starting with = + - @ tab or CR is prefixed with ' against formula injection in
/// spreadsheets; the importer removes exactly that prefix again.
/// </summary>
public static class TabularExport
{
    private const string FormulaStarts = "=+-@\t\r";

    public static string EscapeFormula(string value) =>
        value.Length > 0 && FormulaStarts.Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;

    /// <summary>RFC 4180 with ';' as delimiter (what German Excel opens directly), UTF-8 with BOM, CRLF line ends.</summary>
    public static async Task WriteCsvAsync(Stream output, IReadOnlyList<string> columns, IEnumerable<IDictionary<string, object?>> rows)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(';', columns.Select(Quote)));
        foreach (var row in rows)
        {
            await writer.WriteLineAsync(string.Join(';', columns.Select(c => Quote(EscapeFormula(ValueText.Normalise(row.TryGetValue(c, out var v) ? v : null) ?? "")))));
        }
    }

    public static async Task WriteXlsxAsync(Stream output, IReadOnlyList<string> columns, IEnumerable<IDictionary<string, object?>> rows, string sheetName)
    {
        var sheet = rows.Select(row => columns.ToDictionary(c => c, c => Cell(row.TryGetValue(c, out var v) ? v : null)));
        using var buffer = new MemoryStream();
        await buffer.SaveAsAsync(sheet.ToList(), sheetName: sheetName);
        buffer.Position = 0;
        await buffer.CopyToAsync(output);
    }

    private static object? Cell(object? value) => value switch
    {
        null or DBNull => null,
        string s => EscapeFormula(s),
        _ => ValueText.Normalise(value) is { } text && decimal.TryParse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : EscapeFormula(ValueText.Normalise(value) ?? ""),
    };

    private static string Quote(string value) =>
        value.IndexOfAny([';', '"', '\n', '\r']) >= 0 || value != value.Trim()
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
