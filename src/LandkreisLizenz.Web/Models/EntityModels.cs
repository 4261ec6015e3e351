using LandkreisLizenz.Core.Common;
using System.Globalization;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Models;

public sealed record EntityListModel(RegistryPage Page, IReadOnlyList<(string Code, string Name)> FilterOptions, bool CanWrite, string? Message)
{
    public string Url(int? page = null, string? sort = null, bool? descending = null, string? export = null)
    {
        var q = Page.Query;
        var path = export is null ? $"/register/{Page.Entity.Slug}" : $"/register/{Page.Entity.Slug}/export.{export}";
        var parameters = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parameters.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("suche", q.Search);
        Add("filter", q.Filter);
        Add("sort", sort ?? q.Sort);
        if (descending ?? q.Descending)
        {
            Add("absteigend", "true");
        }

        if (export is null)
        {
            Add("seite", (page ?? 1) > 1 ? (page ?? 1).ToString(CultureInfo.InvariantCulture) : null);
        }

        return parameters.Count == 0 ? path : path + "?" + string.Join('&', parameters);
    }
}

public sealed record EntityDetailModel(RegistryRecord Record, bool CanWrite, string? Message, DateOnly Today);

public sealed record EntityEditModel(
    RegistryEntity Entity,
    RegistryRecord? Record,
    IReadOnlyDictionary<string, string?> Values,
    long? RowVersion,
    IReadOnlyDictionary<string, string> Errors,
    string? Conflict,
    IReadOnlyList<(string Code, string Name)> Categories)
{
    public IReadOnlyList<FormField> Fields => ImportFormatDescriptions.Fields(Entity.Format);

    public bool IsKey(string field) => Record is not null && Entity.KeyColumns.Contains(field);
}

/// <summary>German display of stored values (de-DE numbers, money and dates; coded values by name).</summary>
public static class EntityFormat
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static string Display(object? value, ValueFormat format, string key)
    {
        var text = ValueText.Normalise(value);
        if (text is null)
        {
            return "–";
        }

        return format switch
        {
            ValueFormat.Money when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var m) => m.ToString("C", German),
            ValueFormat.Number when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) => n.ToString("N0", German),
            ValueFormat.Date when DateOnly.TryParseExact(text.Length >= 10 ? text[..10] : text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d.ToString("dd.MM.yyyy", German),
            ValueFormat.Bool => text == "1" ? "ja" : "nein",
            ValueFormat.Code => Labels.Codes(key) is { } codes && codes.TryGetValue(text, out var label) ? label : text,
            _ => text,
        };
    }

    /// <summary>The term fields of a stored contract (export column names) for the deadline rules.</summary>
    public static LandkreisLizenz.Core.Contracts.ContractTermInput ContractTerms(IDictionary<string, object?> values)
    {
        static DateOnly? Date(object? value) => ValueText.Normalise(value) is { Length: >= 10 } text
            ? DateOnly.ParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
        static int? Months(object? value) => ValueText.Normalise(value) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
        return new(Date(values["start_date"])!.Value, Months(values["initial_term_months"]), Months(values["renewal_term_months"]),
            Months(values["notice_period_months"]), Date(values["end_date"]));
    }

    /// <summary>How a detail field is shown, guessed from its import column.</summary>
    public static ValueFormat FormatOf(FormField field) => field.Type switch
    {
        "decimal" => ValueFormat.Money,
        "integer" => ValueFormat.Number,
        "date" => ValueFormat.Date,
        "bool" => ValueFormat.Bool,
        "code" => ValueFormat.Code,
        _ => ValueFormat.Text,
    };

    /// <summary>Stored values as a form shows them: German decimal comma, ISO dates for date inputs, ja/nein.</summary>
    public static IReadOnlyDictionary<string, string?> FormValues(RegistryEntity entity, IDictionary<string, object?> values) =>
        ImportFormatDescriptions.Fields(entity.Format).ToDictionary(f => f.Name, f =>
        {
            var text = ValueText.Normalise(values.TryGetValue(f.Name, out var v) ? v : null);
            return f.Type switch
            {
                "decimal" => text?.Replace('.', ','),
                "bool" => text is null ? null : text == "1" ? "ja" : "nein",
                "date" => text is { Length: >= 10 } ? text[..10] : text,
                _ => text,
            };
        });
}
