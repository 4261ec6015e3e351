using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Common;

/// <summary>One term of a list's order: a constant SQL expression (never a value) and its direction.</summary>
public sealed record SortTerm(string Sql, bool Descending = false, bool Nullable = true);

/// <summary>
/// A place in an ordered list: the values of the list's sort terms for one row, the last being the row's id, so that no
/// two rows share a place. A page that continues after (or ends before) a place keeps its rows when others are inserted or
/// deleted in front of it, which an offset does not.
/// </summary>
public sealed record Keyset(IReadOnlyList<object?> Values);

/// <summary>
/// A page by places (integrations): the first <see cref="Take"/> rows after <see cref="After"/>, or, with
/// <see cref="FromEnd"/>, the last <see cref="Take"/> rows before <see cref="Before"/>; both places may bound either way.
/// </summary>
public sealed record KeysetRequest(int Take, Keyset? After = null, Keyset? Before = null, bool FromEnd = false)
{
    public const int MaxTake = 100;

    public int SafeTake => Math.Clamp(Take, 1, MaxTake);
}

/// <summary>A page by places: its rows with their places, the number of all matching rows and whether rows lie beyond either end.</summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Items, IReadOnlyList<Keyset> Places, int TotalCount, bool HasNextPage, bool HasPreviousPage);

/// <summary>The place columns a page statement selects next to its row (K0 … K4, Dapper splits the row there).</summary>
public sealed class PlaceColumns
{
    public const int Max = 5;

    public object? K0 { get; init; }
    public object? K1 { get; init; }
    public object? K2 { get; init; }
    public object? K3 { get; init; }
    public object? K4 { get; init; }

    public Keyset Place(int terms) => new(new[] { K0, K1, K2, K3, K4 }.Take(terms).Select(Normalise).ToList());

    // A provider's boxed types as a cursor carries them back: whole numbers as long.
    private static object? Normalise(object? value) => value switch
    {
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        _ => value,
    };
}

/// <summary>Builds the ORDER BY, the place columns and the conditions "beyond this place" of a keyset page.</summary>
public static class KeysetSql
{
    /// <summary>The select list of the place columns, to follow the row's columns.</summary>
    public static string Columns(IReadOnlyList<SortTerm> order) =>
        order.Count is 0 or > PlaceColumns.Max
            ? throw new ArgumentException($"An order of 1–{PlaceColumns.Max} terms is needed.", nameof(order))
            : string.Join(", ", order.Select((t, i) => $"{t.Sql} AS K{i}"));

    /// <summary>The terms for reading from the end: every direction turned round.</summary>
    public static IReadOnlyList<SortTerm> Reversed(IReadOnlyList<SortTerm> order) => order.Select(t => t with { Descending = !t.Descending }).ToList();

    /// <summary>
    /// The condition and parameters that keep the rows of <paramref name="request"/>'s window, and the order to read in
    /// (reversed when reading from the end). Refuses a place made for another order (wrong number of values).
    /// </summary>
    public static (string Condition, IReadOnlyList<SortTerm> ReadOrder) Window(SqlDialect dialect, IReadOnlyList<SortTerm> order, KeysetRequest request, DynamicParameters parameters)
    {
        var conditions = new List<string>();
        if (request.After is { } after)
        {
            conditions.Add(dialect.Beyond(order, Check(order, after), "After", parameters));
        }

        if (request.Before is { } before)
        {
            conditions.Add(dialect.Beyond(Reversed(order), Check(order, before), "Before", parameters));
        }

        return (conditions.Count == 0 ? "1 = 1" : string.Join(" AND ", conditions), request.FromEnd ? Reversed(order) : order);
    }

    /// <summary>The rows as read (one more than asked, to tell whether more follow) turned into the page, in list order.</summary>
    public static KeysetPage<T> Page<T>(IReadOnlyList<(T Row, Keyset Place)> read, KeysetRequest request, int total)
    {
        var more = read.Count > request.SafeTake;
        var rows = read.Take(request.SafeTake).ToList();
        if (request.FromEnd)
        {
            rows.Reverse();
        }

        return new KeysetPage<T>(rows.Select(r => r.Row).ToList(), rows.Select(r => r.Place).ToList(), total,
            HasNextPage: request.FromEnd ? request.Before is not null : more,
            HasPreviousPage: request.FromEnd ? more : request.After is not null);
    }

    /// <summary>Windows as the parse tests and reviews see them: the first page, onwards from a value, backwards from a NULL.</summary>
    public static readonly IReadOnlyList<(string Name, KeysetRequest Request)> Samples =
    [
        ("first page", new KeysetRequest(10)),
        ("after a value", new KeysetRequest(10, After: new Keyset(["x", 1L, 1L, 1L, 1L]))),
        ("before a NULL, from the end", new KeysetRequest(10, Before: new Keyset([null, null, null, null, 1L]), FromEnd: true)),
    ];

    /// <summary>A sample place cut to an order's number of terms (parse tests).</summary>
    public static KeysetRequest Sample(KeysetRequest request, int terms) => request with
    {
        After = request.After is { } a ? new Keyset(a.Values.TakeLast(terms).ToList()) : null,
        Before = request.Before is { } b ? new Keyset(b.Values.TakeLast(terms).ToList()) : null,
    };

    private static Keyset Check(IReadOnlyList<SortTerm> order, Keyset place) =>
        place.Values.Count == order.Count ? place : throw new InvalidPlaceException();
}

/// <summary>A cursor whose place does not fit the list's order (made for another list, or altered).</summary>
public sealed class InvalidPlaceException() : ArgumentException("The place does not belong to this list's order.");
