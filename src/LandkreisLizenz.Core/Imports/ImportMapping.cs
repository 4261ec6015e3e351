using System.Text.Json;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// How a file is read into a format (spec §7): <see cref="Columns"/> renames source columns (lower-case header names)
/// to the format's fields, <see cref="Constants"/> adds fields the file does not have (e.g. <c>ags</c> for an export of
/// one organisation). Stored with the batch as JSON, so that its check and its commit read the file alike.
/// </summary>
/// <param name="DateFormat">An extra date format of the source (e.g. <c>dd/MM/yyyy</c>), besides <c>yyyy-MM-dd</c> and <c>dd.MM.yyyy</c>.</param>
/// <param name="NumberFormat"><see cref="NumberFormats"/>: how the source writes decimals; null: ',' or '.' as decimal separator, no grouping.</param>
/// <param name="Sheet">The worksheet of a workbook to read; null: the first.</param>
/// <param name="ProductNames">
/// User assignments and usage peaks: <c>product_key</c> holds the source tool's own names (a license server's features,
/// Microsoft 365 SKUs, directory groups), recognised like software titles whose publisher is this value (spec §7); a name
/// no rule decides yet is kept for mapping, never an error.
/// </param>
/// <param name="ProductSeparator">With <see cref="ProductNames"/>: one cell lists several names joined by it.</param>
/// <param name="NamesComplete">
/// With <see cref="ProductNames"/>: the file lists all holders of the products its names are recognised as (a directory
/// group export), per organisation; an assignment of such a product that the file no longer lists is removed.
/// </param>
/// <param name="ListFields">
/// Fields whose cells list several values separated by ',' (i-doit's multi-value categories: one license object with its
/// tranches): a record becomes one record per value of the first of them, each with the i-th value of every listed field;
/// a field with one value gives it to all. A field with another count is an error of the row.
/// </param>
/// <param name="Complete">
/// User assignments only: the product keys whose assignments of the organisation (the constant <c>ags</c>) the file lists
/// completely — a directory group's members; whoever is no longer listed loses the assignment.
/// </param>
public sealed record ImportMapping(
    IReadOnlyDictionary<string, string> Columns,
    IReadOnlyDictionary<string, string> Constants,
    string? DateFormat = null,
    string? NumberFormat = null,
    IReadOnlyList<string>? Complete = null,
    string? Sheet = null,
    string? ProductNames = null,
    string? ProductSeparator = null,
    bool NamesComplete = false,
    IReadOnlyList<string>? ListFields = null)
{
    /// <summary>
    /// The tool-given ways of reading a file that the mapping page does not show — how its tool names products, which
    /// cells list several values — kept when its columns are mapped anew, from the mapping the file was read with.
    /// </summary>
    public ImportMapping WithToolReadingOf(ImportMapping? earlier) => earlier is null ? this : this with
    {
        ProductNames = earlier.ProductNames, ProductSeparator = earlier.ProductSeparator, NamesComplete = earlier.NamesComplete,
        ListFields = earlier.ListFields?.Where(f => Columns.Values.Contains(f)).ToList() is { Count: > 0 } listed ? listed : null,
    };

    /// <summary>
    /// The names a cell lists, joined by <paramref name="separator"/>; a separator with spaces around it belongs to a
    /// name ("Enterprise Mobility + Security E3"), and a cell saying it has none ("Unlicensed") lists none.
    /// </summary>
    public static IReadOnlyList<string> SplitProducts(string cell, string separator)
    {
        var parts = new List<string>();
        var start = 0;
        for (var at = cell.IndexOf(separator, StringComparison.Ordinal); at >= 0; at = cell.IndexOf(separator, at + separator.Length, StringComparison.Ordinal))
        {
            var spaced = at > 0 && cell[at - 1] == ' ' && at + separator.Length < cell.Length && cell[at + separator.Length] == ' ';
            if (!spaced)
            {
                parts.Add(cell[start..at]);
                start = at + separator.Length;
            }
        }

        parts.Add(cell[start..]);
        return parts.Select(p => p.Trim()).Where(p => p.Length > 0 && !NoProduct.Contains(p)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static readonly HashSet<string> NoProduct = new(StringComparer.OrdinalIgnoreCase) { "Unlicensed", "Nicht lizenziert", "Keine Lizenz", "None", "-" };

    public static ImportMapping WithConstant(string field, string value) =>
        new(new Dictionary<string, string>(), new Dictionary<string, string> { [field] = value });

    /// <summary>The date formats a mapping may name (as the mapping page offers them).</summary>
    public static readonly IReadOnlyList<(string Format, string Label)> DateFormats =
    [
        ("dd/MM/yyyy", "TT/MM/JJJJ (z. B. 31/12/2026)"),
        ("MM/dd/yyyy", "MM/TT/JJJJ (z. B. 12/31/2026)"),
        ("d.M.yy", "T.M.JJ (z. B. 31.12.26)"),
        ("yyyy-MM-ddTHH:mm:ss", "JJJJ-MM-TTThh:mm:ss (Zeitstempel)"),
    ];

    public string ToJson() => JsonSerializer.Serialize(this);

    public static ImportMapping? FromJson(string? json) => string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<ImportMapping>(json);
}

public static class NumberFormats
{
    /// <summary><c>9.999,99</c>: ',' decimal separator, '.' groups thousands.</summary>
    public const string German = "de";

    /// <summary><c>9,999.99</c>: '.' decimal separator, ',' groups thousands.</summary>
    public const string English = "en";
}
