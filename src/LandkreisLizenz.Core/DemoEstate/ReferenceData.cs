using System.Globalization;
using System.Text;

namespace LandkreisLizenz.Core.DemoEstate;

public sealed record CountyRecord(string Ags, string Name, string CountyType, string StateCode, long Population);

public sealed record CategoryRecord(string Key, string Name, bool SingleSystem, string Kind);

public sealed record ProductRecord(
    string Key, string CategoryKey, string Vendor, string Name, decimal ListPrice, string Metric,
    decimal AnnualCostPerUnit, string SoftwarePattern, string PublisherPattern, string UsedBy);

/// <summary>
/// Reads the reference data shipped in <c>db/seed</c>: the Landkreise from Destatis (dl-de/by-2-0,
/// © Statistisches Bundesamt) and the catalogue of Fachverfahren and standard software.
/// </summary>
public sealed class ReferenceData
{
    public static readonly IReadOnlySet<string> CountyTypes = new HashSet<string>(StringComparer.Ordinal) { "Landkreis", "Kreis", "Regionalverband" };

    public required IReadOnlyList<CountyRecord> Counties { get; init; }
    public required IReadOnlyList<CategoryRecord> Categories { get; init; }
    public required IReadOnlyList<ProductRecord> Products { get; init; }

    public static ReferenceData Load(string seedFolder) => new()
    {
        Counties = ReadRows(Path.Combine(seedFolder, "kreise-destatis-2018.csv"))
            .Where(r => CountyTypes.Contains(r["type"]))
            .Select(r => new CountyRecord(r["AGS"], r["name"], r["type"], r["AGS"][..2], long.Parse(r["population"], CultureInfo.InvariantCulture)))
            .ToList(),
        Categories = ReadRows(Path.Combine(seedFolder, "categories.csv"))
            .Select(r => new CategoryRecord(r["category_key"], r["name"], bool.Parse(r["single_system"]), r["kind"]))
            .ToList(),
        Products = ReadRows(Path.Combine(seedFolder, "products.csv"))
            .Select(r => new ProductRecord(
                r["product_key"], r["category_key"], r["vendor"], r["name"],
                decimal.Parse(r["list_price"], CultureInfo.InvariantCulture), r["metric"],
                decimal.Parse(r["annual_cost_per_unit"], CultureInfo.InvariantCulture),
                r["software_pattern"], r["publisher_pattern"], r["used_by"]))
            .ToList(),
    };

    // The seed files are our own, ';'-separated and free of quoted fields.
    private static IEnumerable<Dictionary<string, string>> ReadRows(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine()?.Split(';') ?? throw new InvalidDataException($"{path} is empty.");
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(';');
            if (cells.Length != header.Length)
            {
                throw new InvalidDataException($"{path}: line '{line}' has {cells.Length} fields, expected {header.Length}.");
            }

            yield return header.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        }
    }
}
