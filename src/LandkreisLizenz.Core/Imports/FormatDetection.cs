namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Which format a file is, from its header alone (spec §7: neither the upload nor <c>import --file</c> needs a format
/// for a file the product can recognise): the format all of whose required columns the header has and none of whose
/// columns are foreign to it; of several, the one that names most of its columns.
/// </summary>
public static class FormatDetection
{
    /// <summary>Reads the header of <paramref name="content"/> (and disposes it).</summary>
    /// <exception cref="ImportFileException">The file is unreadable, or its header fits no format or two alike.</exception>
    public static ImportFormat Detect(Stream content, string fileName, ImportMapping? mapping = null)
    {
        using var source = CsvSource.Open(content, fileName, mapping);
        return Detect(source.Header);
    }

    /// <summary>Whether the header has every required column of the format and no column foreign to it.</summary>
    internal static bool Fits(ImportFormat format, IReadOnlyList<string> header)
    {
        var columns = TableSpecs.Columns(format);
        return header.All(h => columns.Any(c => c.Name == h)) && columns.Where(c => c.Required).All(c => header.Contains(c.Name));
    }

    /// <summary>The format the header is, or null when it fits none or several alike (no reason needed: a mapping follows).</summary>
    internal static ImportFormat? TryDetect(IReadOnlyList<string> header)
    {
        var fitting = ImportFormats.All.Where(f => Fits(f, header))
            .Select(f => (Format: f, Matched: TableSpecs.Columns(f).Count(c => header.Contains(c.Name)))).OrderByDescending(f => f.Matched).ToList();
        return fitting.Count == 1 || (fitting.Count > 1 && fitting[0].Matched > fitting[1].Matched) ? fitting[0].Format : null;
    }

    internal static ImportFormat Detect(IReadOnlyList<string> header)
    {
        if (TryDetect(header) is { } found)
        {
            return found;
        }

        var fitting = ImportFormats.All.Where(f => Fits(f, header)).ToList();
        if (fitting.Count > 1)
        {
            throw Error($"Die Kopfzeile passt zu mehreren Importformaten ({string.Join(", ", fitting.Select(f => f.GermanName()))}); bitte das Format angeben.");
        }

        var named = header.ToHashSet(StringComparer.Ordinal);
        var scored = ImportFormats.All.Select(format =>
        {
            var columns = TableSpecs.Columns(format);
            var known = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            return (Format: format,
                Matched: named.Count(known.Contains),
                Unknown: named.Where(h => !known.Contains(h)).ToList(),
                Missing: columns.Where(c => c.Required && !named.Contains(c.Name)).Select(c => c.Name).ToList());
        }).ToList();

        var nearest = scored.OrderByDescending(s => s.Matched).ThenBy(s => s.Missing.Count + s.Unknown.Count).First();
        var parts = new List<string>();
        if (nearest.Missing.Count > 0)
        {
            parts.Add($"es fehlen {string.Join(", ", nearest.Missing)}");
        }

        if (nearest.Unknown.Count > 0)
        {
            parts.Add($"unbekannt sind {string.Join(", ", nearest.Unknown.Select(u => u.Length == 0 ? "(leer)" : u))}");
        }

        return nearest.Matched == 0
            ? throw Error($"Das Format der Datei wurde nicht erkannt: keine Spalte der Kopfzeile („{string.Join(";", header)}“) gehört zu einem Importformat.")
            : throw Error($"Das Format der Datei wurde nicht erkannt. Am nächsten liegt {nearest.Format.GermanName()}, aber {string.Join(" und ", parts)}.");
    }

    private static ImportFileException Error(string reason) => new(new ImportError(1, null, null, reason));
}
