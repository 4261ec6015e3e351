using System.Text.Json;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// How a file is read into a format (spec §7): <see cref="Columns"/> renames source columns (lower-case header names)
/// to the format's fields, <see cref="Constants"/> adds fields the file does not have (e.g. <c>ags</c> for an export of
/// one organisation). Stored with the batch as JSON, so that its check and its commit read the file alike.
/// </summary>
public sealed record ImportMapping(IReadOnlyDictionary<string, string> Columns, IReadOnlyDictionary<string, string> Constants)
{
    public static ImportMapping WithConstant(string field, string value) =>
        new(new Dictionary<string, string>(), new Dictionary<string, string> { [field] = value });

    public string ToJson() => JsonSerializer.Serialize(this);

    public static ImportMapping? FromJson(string? json) => string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<ImportMapping>(json);
}
