namespace LandkreisLizenz.Core.Imports;

internal enum ValueKind
{
    Text,
    Int,
    Decimal,
    Date,
    Month,
    Bool,
}

/// <summary>A column of an import format as spec §5 lists it.</summary>
internal sealed record ColumnSpec(string Name, bool Required, ValueKind Kind = ValueKind.Text, string[]? Allowed = null, int MaxLength = 200);

/// <summary>
/// Typed, validating access to one record. Getters return null for an empty optional cell and record a German
/// error (row, column, value, reason) for anything invalid, so that a whole file is checked in one pass.
/// </summary>
internal sealed class RowReader
{
    // Keyed by the spec's name instance: callers pass the same interned literals, so a reference lookup is enough
    // on the hot path of million-row files; other strings fall back to an ordinal lookup.
    private readonly Dictionary<string, (int Index, ColumnSpec Spec)> _byReference = new(ReferenceEqualityComparer.Instance!);
    private readonly Dictionary<string, (int Index, ColumnSpec Spec)> _byName = new(StringComparer.Ordinal);
    private readonly ImportErrors _errors;
    private readonly char _delimiter;
    private string[] _values = [];

    private readonly string? _dateFormat;
    private readonly string? _numberFormat;

    /// <param name="mapping">The source's date and number formats (spec §7), besides the spec's own.</param>
    public RowReader(IReadOnlyList<string> header, IReadOnlyList<ColumnSpec> specs, char delimiter, ImportErrors errors, ImportMapping? mapping = null)
    {
        _dateFormat = mapping?.DateFormat;
        _numberFormat = mapping?.NumberFormat;
        var index = header.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var entry = (index.TryGetValue(spec.Name, out var i) ? i : -1, spec);
            _byReference[spec.Name] = entry;
            _byName[spec.Name] = entry;
        }
        _delimiter = delimiter;
        _errors = errors;
    }

    /// <summary>C0 and C1 control characters and DEL, except tab, CR and LF: they corrupt exports and terminals downstream.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\r' or '\n')).Concat(Enumerable.Range(0x7f, 0x21)).Select(c => (char)c).ToArray());

    public int Row { get; private set; }

    public int ErrorCount => _errors.Count;

    public void Load(int row, string[] values)
    {
        Row = row;
        _values = values;
    }

    /// <summary>Whether the file has this column at all (absent optional columns leave stored values untouched).</summary>
    private (int Index, ColumnSpec Spec) Column(string column) =>
        _byReference.TryGetValue(column, out var entry) ? entry : _byName[column];

    public bool Has(string column) => Column(column).Index >= 0;

    public string Raw(string column)
    {
        var i = Column(column).Index;
        return i >= 0 && i < _values.Length ? _values[i] : "";
    }

    public void Error(string column, string reason) => _errors.Add(new ImportError(Row, column, Raw(column), reason));

    /// <summary>A write the caller has no right to: an error like any other, marked so that the refusal is audited.</summary>
    public void Refuse(string column, string reason, long? organisationId = null) =>
        _errors.Add(new ImportError(Row, column, Raw(column), reason, Refused: true, OrganisationId: organisationId));

    public void RowError(string reason) => _errors.Add(new ImportError(Row, null, null, reason));

    public string? Text(string column)
    {
        var (index, spec) = Column(column);
        var raw = index >= 0 && index < _values.Length ? _values[index] : "";
        if (raw.Length == 0)
        {
            if (spec.Required)
            {
                Error(column, "Pflichtfeld ist leer");
            }

            return null;
        }

        if (raw.Length > spec.MaxLength)
        {
            Error(column, $"zu lang (höchstens {spec.MaxLength} Zeichen)");
            return null;
        }

        if (raw.AsSpan().IndexOfAny(ControlCharacters) is var at and >= 0)
        {
            Error(column, $"enthält an Stelle {at + 1} ein Steuerzeichen (U+{(int)raw[at]:X4}); erlaubt sind nur Tabulator und Zeilenumbrüche");
            return null;
        }

        if (spec.Allowed is { } allowed)
        {
            var match = AllowedValue(column, allowed, raw);
            if (match is null)
            {
                Error(column, $"unzulässiger Wert (erlaubt: {AllowedList(column, allowed)})");
                return null;
            }

            return match;
        }

        return raw;
    }

    // Static and apart from Text: a lambda capturing Text's locals would cost an allocation on every cell of a million-row file.
    private static string? AllowedValue(string column, string[] allowed, string raw)
    {
        foreach (var code in allowed)
        {
            if (string.Equals(code, raw, StringComparison.OrdinalIgnoreCase))
            {
                return code;
            }
        }

        // Registers kept by people name the value as the product shows it („EVB-IT Pflege S“), not by its code.
        if (Registry.Labels.Codes(column) is { } labels)
        {
            var folded = ColumnSuggestions.Fold(raw);
            foreach (var (code, label) in labels)
            {
                if (allowed.Contains(code) && ColumnSuggestions.Fold(label) == folded)
                {
                    return code;
                }
            }
        }

        return null;
    }

    private static string AllowedList(string column, string[] allowed)
    {
        var labels = Registry.Labels.Codes(column);
        return string.Join(", ", allowed.Select(a => labels?.TryGetValue(a, out var label) == true ? $"{a} ({label})" : a));
    }

    public long? Int(string column) => Parse(column, (string s, out long v, out string? r) => CsvValues.TryInt(s, out v, out r));

    public decimal? Decimal(string column) => Parse(column, _decimal ??= (string s, out decimal v, out string? r) => CsvValues.TryDecimal(s, _delimiter, _numberFormat, out v, out r));

    public DateOnly? Date(string column) => Parse(column, _date ??= (string s, out DateOnly v, out string? r) => CsvValues.TryDate(s, _dateFormat, out v, out r));

    // Made once per reader: the parsers read the source's formats, and a million-row file should not make a delegate per cell.
    private TryParser<decimal>? _decimal;
    private TryParser<DateOnly>? _date;

    public bool? Bool(string column) => Parse(column, (string s, out bool v, out string? r) => CsvValues.TryBool(s, out v, out r));

    public string? Month(string column)
    {
        var raw = Raw(column);
        if (raw.Length == 0)
        {
            if (Column(column).Spec.Required)
            {
                Error(column, "Pflichtfeld ist leer");
            }

            return null;
        }

        if (!CsvValues.TryMonth(raw, out var month, out var reason))
        {
            Error(column, reason!);
            return null;
        }

        return month;
    }

    private delegate bool TryParser<T>(string text, out T value, out string? reason);

    private T? Parse<T>(string column, TryParser<T> parser) where T : struct
    {
        var raw = Raw(column);
        if (raw.Length == 0)
        {
            if (Column(column).Spec.Required)
            {
                Error(column, "Pflichtfeld ist leer");
            }

            return null;
        }

        if (!parser(raw, out var value, out var reason))
        {
            Error(column, reason!);
            return null;
        }

        return value;
    }
}
