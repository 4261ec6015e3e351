using LandkreisLizenz.Core.Exports;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Models;

/// <summary>The file response of every list export (CSV or XLSX), named after the list and the day.</summary>
public static class ExportFile
{
    public static async Task<IActionResult> CreateAsync(string format, string name, IReadOnlyList<string> columns, IEnumerable<IDictionary<string, object?>> rows)
    {
        var stream = new MemoryStream();
        if (format == "csv")
        {
            await TabularExport.WriteCsvAsync(stream, columns, rows);
        }
        else
        {
            await TabularExport.WriteXlsxAsync(stream, columns, rows, name);
        }

        stream.Position = 0;
        var contentType = format == "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        return new FileStreamResult(stream, contentType) { FileDownloadName = $"{name}-{DateTime.UtcNow:yyyyMMdd}.{format}" };
    }
}
